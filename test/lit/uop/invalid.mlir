// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per verifier check of the uop dialect.

// binary operand types differ
func.func @f0(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1 : i32
    %b = uop.const 1.0 : f32
    // expected-error@+1 {{operand 'rhs' at position 1 does not verify}}
    %c = "uop.add"(%a, %b) : (i32, f32) -> i32
  }
  func.return
}

// -----

// idiv is integer-only
func.func @f1(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1.0 : f32
    // expected-error@+1 {{uop.idiv does not accept f32 operands (needs integer)}}
    %c = uop.idiv %a, %a : f32
  }
  func.return
}

// -----

// exp2 is float-only
func.func @f2(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1 : i32
    // expected-error@+1 {{uop.exp2 does not accept i32 operands (needs float)}}
    %c = uop.exp2 %a : i32
  }
  func.return
}

// -----

// element types are tinyir's
func.func @f3(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop.const: i128 is not a tinyir element type (f32, f16, i32, i8, ui8, i1, f64, bf16, i64, i16, ui16, ui32, ui64)}}
    %a = "uop.const"() <{value = 1 : i128}> : () -> i128
  }
  func.return
}

// -----

// load index must be i32 (or i64, in a kernel whose indices need it)
func.func @f4(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1 : i8
    // expected-error@+1 {{uop.load index must be i32 or i64, got i8}}
    %v = "uop.load"(%o, %a) : (!st.buffer<4xf32>, i8) -> f32
  }
  func.return
}

// -----

// load result is the buffer element type
func.func @f5(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1 : i32
    // expected-error@+1 {{uop.load value type i32 does not match buffer element type f32}}
    %v = uop.load %o[%a] : i32
  }
  func.return
}

// -----

// store gate must be i1
func.func @f6(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1 : i32
    %v = uop.const 1.0 : f32
    // expected-error@+1 {{operand 'gate' at position 3 does not verify}}
    "uop.store"(%o, %a, %v, %a) : (!st.buffer<4xf32>, i32, f32, i32) -> ()
  }
  func.return
}

// -----

// endrange must end the innermost open range
func.func @f7(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.endrange %i must end the innermost open uop.range (that is %j)}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = uop.range 0, 4 : i32
    %j = uop.range 0, 4 : i32
    uop.endrange %i
    uop.endrange %j
  }
  func.return
}

// -----

// a range needs its endrange
func.func @f8(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.range %i has no matching uop.endrange}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = uop.range 0, 4 : i32
  }
  func.return
}

// -----

// values defined in a loop do not escape it
func.func @f9(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.store uses %d, defined inside an ended uop.range (only accumulators carry values out of a loop)}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = uop.range 0, 4 : i32
    %d = uop.add %i, %i : i32
    uop.endrange %i
    %v = uop.const 1.0 : f32
    uop.store %o[%d], %v : f32
  }
  func.return
}

// -----

// assign writes a define_acc
func.func @f10(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1.0 : f32
    // expected-error@+1 {{uop.assign target must be a uop.define_acc result}}
    uop.assign %a, %a : f32
  }
  func.return
}

// -----

// const literal fits the type
func.func @f11(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop.const value 1 : i32 does not match result type f32}}
    %a = "uop.const"() <{value = 1 : i32}> : () -> f32
  }
  func.return
}

// -----

// special names
func.func @f12(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop.special name must be "gidx<n>", "wgid<n>" or "lidx<n>", got "tid0"}}
    %g = uop.special "tid0" 4 : i32
  }
  func.return
}

// -----

// empty range
func.func @f13(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop.range must not be empty, got 4..4}}
    %i = uop.range 4, 4 : i32
    uop.endrange %i
  }
  func.return
}

// -----

// bitcast widths
func.func @f14(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.const 1 : i32
    // expected-error@+1 {{uop.bitcast needs equal bit widths, got i32 and f16}}
    %b = uop.bitcast %a : i32 to f16
  }
  func.return
}

// -----

// kernel operands are buffers
func.func @f15(%buf: !st.buffer<4xf32>, %n: i32) {
  // expected-error@+1 {{uop.kernel operand 1 must be an !st.buffer, got i32}}
  uop.kernel "k" (%buf, %n) : !st.buffer<4xf32>, i32 {
  ^bb0(%o: !st.buffer<4xf32>, %x: i32):
  }
  func.return
}

// -----

// a uop.kernel holds only uop ops
func.func @f16(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.kernel body holds only uop ops, found loop.range}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
  }
  func.return
}

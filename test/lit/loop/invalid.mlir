// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per verifier check of the loop dialect.

// a reduce must end reduce ranges
func.func @f0(%buf: !st.buffer<4xf32>) {
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %v = uop.cast %i : i32 to f32
    // expected-error@+1 {{loop.reduce ranges must be loop.range results of kind reduce, group, unroll or stage}}
    %s = loop.reduce add %v over %i : f32
  }
  func.return
}

// -----

// a reduce lists each range once
func.func @f1(%buf: !st.buffer<4xf32>) {
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %k = loop.range 4 reduce : i32
    %v = uop.cast %k : i32 to f32
    // expected-error@+1 {{loop.reduce lists a range twice}}
    %s = loop.reduce add %v over %k, %k : f32
  }
  func.return
}

// -----

// a reduce needs a range
func.func @f2(%buf: !st.buffer<4xf32>) {
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %v = uop.const 1.0 : f32
    // expected-error@+1 {{loop.reduce needs at least one range}}
    %s = "loop.reduce"(%v) <{reduce_kind = #loop<reduce_kind add>}> : (f32) -> f32
  }
  func.return
}

// -----

// a reduce keeps its value's type
func.func @f3(%buf: !st.buffer<4xf32>) {
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %k = loop.range 4 reduce : i32
    // expected-error@+1 {{result 'result' at position 0 does not verify}}
    %s = "loop.reduce"(%k, %k) <{reduce_kind = #loop<reduce_kind add>}> : (i32, i32) -> f32
  }
  func.return
}

// -----

// ranges are not empty
func.func @f4(%buf: !st.buffer<4xf32>) {
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{loop.range size must be positive, got 0}}
    %k = loop.range 0 reduce : i32
  }
  func.return
}

// -----

// a store must not depend on a reduce range that no reduce ends
func.func @f5(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.store in a loop.kernel depends on a reduce range that no loop.reduce ends}}
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %k = loop.range 4 reduce : i32
    %v = uop.cast %k : i32 to f32
    uop.store %o[%k], %v : f32
  }
  func.return
}

// -----

// kernel block arguments mirror the operands
func.func @f6(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{loop.kernel block arguments must mirror the operand types}}
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<8xf32>):
  }
  func.return
}

// -----

// linear-only uops do not belong in a loop.kernel
func.func @f7(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{loop.kernel body holds loop ops and scalar uop ops, found uop.special}}
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
  }
  func.return
}

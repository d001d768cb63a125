// RUN: tinyir-opt %s -p uop-to-c | filecheck %s
// RUN: tinyir-opt %s -p uop-to-c | tinyir-opt --mlir-print-op-generic | tinyir-opt | filecheck %s
// uop-to-c: grid indices become loops around the whole body (gidx0 innermost), every ALU op a call of
// the helper of its name; loads, stores (gated), accumulators and ranges map one to one.

// CHECK-LABEL: func.func @reduce
// CHECK:         c.kernel "r0" grid [4, 3] (%out, %x) : !st.buffer<3x4xf32>, !st.buffer<3x4x8xf32> {
// CHECK-NEXT:    ^bb0(%o: !st.buffer<3x4xf32>, %a: !st.buffer<3x4x8xf32>):
// CHECK-NEXT:      %g1 = c.for 0 to 3 {dim = "gidx1"} : i32
// CHECK-NEXT:      %g0 = c.for 0 to 4 {dim = "gidx0"} : i32
// CHECK-NEXT:      %c4 = c.const 4 : i32
// CHECK-NEXT:      %row = c.call "mul"(%g1, %c4) : (i32, i32) -> i32
// CHECK-NEXT:      %cell = c.call "add"(%row, %g0) : (i32, i32) -> i32
// CHECK-NEXT:      %c8 = c.const 8 : i32
// CHECK-NEXT:      %base = c.call "mul"(%cell, %c8) : (i32, i32) -> i32
// CHECK-NEXT:      %acc = c.var -inf : f32
// CHECK-NEXT:      %k = c.for 0 to 8 : i32
// CHECK-NEXT:      %idx = c.call "add"(%base, %k) : (i32, i32) -> i32
// CHECK-NEXT:      %v = c.load %a[%idx] : !st.buffer<3x4x8xf32> -> f32
// CHECK-NEXT:      %m = c.call "max"(%acc, %v) : (f32, f32) -> f32
// CHECK-NEXT:      c.assign %acc, %m : f32
// CHECK-NEXT:      c.endfor %k
// CHECK-NEXT:      %e = c.call "exp2"(%acc) : (f32) -> f32
// CHECK-NEXT:      c.store %o[%cell], %e : !st.buffer<3x4xf32>, f32
// CHECK-NEXT:      c.endfor %g0
// CHECK-NEXT:      c.endfor %g1
// CHECK-NEXT:    }
func.func @reduce(%out: !st.buffer<3x4xf32>, %x: !st.buffer<3x4x8xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<3x4xf32>, !st.buffer<3x4x8xf32> {
  ^bb0(%o: !st.buffer<3x4xf32>, %a: !st.buffer<3x4x8xf32>):
    %g0 = uop.special "gidx0" 4 : i32
    %g1 = uop.special "gidx1" 3 : i32
    %c4 = uop.const 4 : i32
    %row = uop.mul %g1, %c4 : i32
    %cell = uop.add %row, %g0 : i32
    %c8 = uop.const 8 : i32
    %base = uop.mul %cell, %c8 : i32
    %acc = uop.define_acc -inf : f32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f32
    %m = uop.max %acc, %v : f32
    uop.assign %acc, %m : f32
    uop.endrange %k
    %e = uop.exp2 %acc : f32
    uop.store %o[%cell], %e : f32
  }
  func.return
}

// CHECK-LABEL: func.func @gated
// CHECK:         %valid = c.call "cmplt"(%i, %six) : (i32, i32) -> i1
// CHECK-NEXT:    %v = c.load %a[%i] if %valid : !st.buffer<8xi1> -> i1
// CHECK-NEXT:    %n = c.call "neg"(%v) : (i1) -> i1
// CHECK-NEXT:    %f = c.call "cast"(%n) : (i1) -> f16
// CHECK-NEXT:    c.store %o[%i], %f if %valid : !st.buffer<8xf16>, f16
func.func @gated(%out: !st.buffer<8xf16>, %x: !st.buffer<8xi1>) {
  uop.kernel "g0" (%out, %x) : !st.buffer<8xf16>, !st.buffer<8xi1> {
  ^bb0(%o: !st.buffer<8xf16>, %a: !st.buffer<8xi1>):
    %i = uop.special "gidx0" 8 : i32
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    %v = uop.load %a[%i], %valid : i1
    %n = uop.neg %v : i1
    %f = uop.cast %n : i1 to f16
    uop.store %o[%i], %f, %valid : f16
  }
  func.return
}

// Host code is left alone.
// CHECK-LABEL: func.func @host_only
// CHECK-NEXT:    %[[B:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    func.return %[[B]] : !st.buffer<4xf32>
func.func @host_only() -> !st.buffer<4xf32> {
  %b = st.alloc : !st.buffer<4xf32>
  func.return %b : !st.buffer<4xf32>
}

// RUN: tinyir-opt %s --split-input-file -p 'uop-vectorize' | filecheck %s
// Alignment through masks and shifts (the layout of a wgmma tile: tinyir/passes/stage.py): x & c is a
// multiple of whatever divides x or c, x >> s of x's divisor >> s. (16g & 7) + (16g >> 3) * 64 is a
// multiple of 128: four lanes merge; 16g >> 3 = 2g only of 2: pairs merge, not four.

// CHECK-LABEL: uop.kernel "masked"
// CHECK:       uop.vstore %o[%b], %x0, %x1, %x0, %x1 : f32
// CHECK-LABEL: uop.kernel "shifted"
// CHECK:       uop.vstore %o[%b], %x0, %x0 : f32
// CHECK-NEXT:  uop.vstore %o[%b2], %x0, %x0 : f32
func.func @main(%a: !st.buffer<4096xf32>) -> !st.buffer<4096xf32> {
  %0 = st.alloc : !st.buffer<4096xf32>
  uop.kernel "masked"(%0, %a) : !st.buffer<4096xf32>, !st.buffer<4096xf32> {
  ^bb0(%o: !st.buffer<4096xf32>, %x: !st.buffer<4096xf32>):
    %g = uop.special "gidx0" 16 : i32
    %c1 = uop.const 1 : i32
    %c3 = uop.const 3 : i32
    %c7 = uop.const 7 : i32
    %c16 = uop.const 16 : i32
    %c64 = uop.const 64 : i32
    %t = uop.mul %g, %c16 : i32
    %lo = uop.and %t, %c7 : i32
    %hi = uop.shr %t, %c3 : i32
    %hs = uop.mul %hi, %c64 : i32
    %b = uop.add %lo, %hs : i32
    %b1 = uop.add %b, %c1 : i32
    %c2 = uop.const 2 : i32
    %b2 = uop.add %b, %c2 : i32
    %b3 = uop.add %b, %c3 : i32
    %x0 = uop.const 1.0 : f32
    %x1 = uop.const 2.0 : f32
    uop.store %o[%b], %x0 : f32
    uop.store %o[%b1], %x1 : f32
    uop.store %o[%b2], %x0 : f32
    uop.store %o[%b3], %x1 : f32
  }
  func.return %0 : !st.buffer<4096xf32>
}

// -----

func.func @main(%a: !st.buffer<4096xf32>) -> !st.buffer<4096xf32> {
  %0 = st.alloc : !st.buffer<4096xf32>
  uop.kernel "shifted"(%0, %a) : !st.buffer<4096xf32>, !st.buffer<4096xf32> {
  ^bb0(%o: !st.buffer<4096xf32>, %x: !st.buffer<4096xf32>):
    %g = uop.special "gidx0" 16 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c16 = uop.const 16 : i32
    %t = uop.mul %g, %c16 : i32
    %b = uop.shr %t, %c3 : i32
    %b1 = uop.add %b, %c1 : i32
    %b2 = uop.add %b, %c2 : i32
    %b3 = uop.add %b, %c3 : i32
    %x0 = uop.const 1.0 : f32
    uop.store %o[%b], %x0 : f32
    uop.store %o[%b1], %x0 : f32
    uop.store %o[%b2], %x0 : f32
    uop.store %o[%b3], %x0 : f32
  }
  func.return %0 : !st.buffer<4096xf32>
}

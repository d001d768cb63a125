// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s
// RUN: not tinyir-opt %s -p 'uop-vectorize{width=8}' 2>&1 | filecheck %s --check-prefix=OPTION
// Vector ops the verifier refuses, and a width the pass refuses: one clear error each.

// OPTION: error: invalid options for pass 'uop-vectorize': width must be one of 2, 4, got 8

// CHECK: error: 'uop.vload' op uop.vload needs 2 or 4 lanes, got 3
func.func @main(%x: !st.buffer<16xf32>) -> !st.buffer<16xf32> {
  uop.kernel "k"(%x) : !st.buffer<16xf32> {
  ^bb0(%b: !st.buffer<16xf32>):
    %g = uop.special "gidx0" 4 : i32
    %a0, %a1, %a2 = uop.vload %b[%g] : 3 x f32
  }
  func.return %x : !st.buffer<16xf32>
}

// -----

// every lane has the one type written after the colon
// CHECK: error: operand is used with type f32, but has been previously used or defined with type i32
func.func @main(%x: !st.buffer<16xf32>) -> !st.buffer<16xf32> {
  uop.kernel "k"(%x) : !st.buffer<16xf32> {
  ^bb0(%b: !st.buffer<16xf32>):
    %g = uop.special "gidx0" 4 : i32
    %v = uop.const 1.0 : f32
    uop.vstore %b[%g], %v, %g : f32
  }
  func.return %x : !st.buffer<16xf32>
}

// -----

// CHECK: error: 'uop.vload' op uop.vload value type i32 does not match buffer element type f32
func.func @main(%x: !st.buffer<16xf32>) -> !st.buffer<16xf32> {
  uop.kernel "k"(%x) : !st.buffer<16xf32> {
  ^bb0(%b: !st.buffer<16xf32>):
    %g = uop.special "gidx0" 4 : i32
    %a0, %a1 = uop.vload %b[%g] : 2 x i32
  }
  func.return %x : !st.buffer<16xf32>
}

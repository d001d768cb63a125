// RUN: tinyir-opt %s -p fold-views | filecheck %s
// What fold-views must not touch: a kernel that is already folded, and movement ops outside any
// st.kernel (the tensor level, before scheduling).

// CHECK-LABEL: func.func @folded
// CHECK:         %v = st.load %x [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
// CHECK-NEXT:    %c = st.const 1.0 [#st.view<[4, 3], [0, 0], 0>] : tensor<4x3xf32>
// CHECK-NEXT:    %s = tir.add %v, %c : tensor<4x3xf32>
// CHECK-NEXT:    st.store %o [#st.view<[4, 3], [3, 1], 0>], %s : tensor<4x3xf32>
func.func @folded(%a: !st.buffer<3x4xf32>) -> !st.buffer<4x3xf32> {
  %t = st.alloc : !st.buffer<4x3xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4x3xf32>, !st.buffer<3x4xf32> {
  ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>):
    %v = st.load %x [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
    %c = st.const 1.0 [#st.view<[4, 3], [0, 0], 0>] : tensor<4x3xf32>
    %s = tir.add %v, %c : tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>], %s : tensor<4x3xf32>
  }
  func.return %t : !st.buffer<4x3xf32>
}

// CHECK-LABEL: func.func @tensor_level
// CHECK-NEXT:    %e = tir.exp2 %a : tensor<3x4xf32>
// CHECK-NEXT:    %p = tir.permute %e [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
// CHECK-NEXT:    %q = tir.pad %p [{{\[}}1, 0], [0, 0]] : tensor<4x3xf32> -> tensor<5x3xf32>
// CHECK-NEXT:    func.return %q : tensor<5x3xf32>
func.func @tensor_level(%a: tensor<3x4xf32>) -> tensor<5x3xf32> {
  %e = tir.exp2 %a : tensor<3x4xf32>
  %p = tir.permute %e [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %q = tir.pad %p [[1, 0], [0, 0]] : tensor<4x3xf32> -> tensor<5x3xf32>
  func.return %q : tensor<5x3xf32>
}

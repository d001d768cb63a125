// RUN: not tinyir-opt %s -p shapetracker-to-loop 2>&1 | filecheck %s
// A movement op left in a kernel (fold-views not run) is a clear error, not a traceback.

// CHECK: errors.mlir:11:5: error: 'tir.permute' op tir.permute left in st.kernel "k0": run fold-views first
// CHECK-NOT: Traceback
func.func @main(%a: !st.buffer<3x4xf32>) -> !st.buffer<4x3xf32> {
  %t = st.alloc : !st.buffer<4x3xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4x3xf32>, !st.buffer<3x4xf32> {
  ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>):
    %v = st.load %x [#st.view<[3, 4], [4, 1], 0>] : tensor<3x4xf32>
    %p = tir.permute %v [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>], %p : tensor<4x3xf32>
  }
  func.return %t : !st.buffer<4x3xf32>
}

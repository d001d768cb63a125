// RUN: not tinyir-opt %s -p shapetracker-to-loop 2>&1 | filecheck %s
// CHECK: row-kernel-error.mlir:7:3: error: 'st.kernel' op st.kernel "k0" is not a row kernel (reduces over different rows): run fold-views, and schedule-kernels puts at most one reduce in a kernel that is not a row kernel
// CHECK-NOT: Traceback
// Reduces over different rows are not a row kernel: one clear error.
func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<1x1xf32> {
  %t = st.alloc : !st.buffer<1x1xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<1x1xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<1x1xf32>, %x: !st.buffer<4x8xf32>):
    %v = st.load %x [#st.view<[4, 8], [8, 1], 0>] : tensor<4x8xf32>
    %s = tir.reduce_sum %v [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %q = tir.reduce_max %s [0] : tensor<4x1xf32> -> tensor<1x1xf32>
    st.store %o [#st.view<[1, 1], [0, 0], 0>], %q : tensor<1x1xf32>
  }
  func.return %t : !st.buffer<1x1xf32>
}

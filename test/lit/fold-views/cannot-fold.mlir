// RUN: not tinyir-opt %s -p fold-views 2>&1 | filecheck %s
// A movement that cannot fold (here: re-indexing a reduced value by an expand that is not the
// broadcast back over its own row, which the scheduler would never put in one kernel) is reported
// at the op, and no IR is printed.

// CHECK: cannot-fold.mlir:14:5: error: 'tir.expand' op fold-views: cannot fold this tir.expand of kernel "k0" into a shapetracker (expand after the reduce would re-index a reduced value; only reshape, permute and flip rise to the store)
// CHECK-NOT: func.func
func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<4x16xf32> {
  %t = st.alloc : !st.buffer<4x16xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4x16xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<4x16xf32>, %x: !st.buffer<4x8xf32>):
    %v = st.load %x [#st.view<[4, 8], [8, 1], 0>] : tensor<4x8xf32>
    %m = tir.reduce_max %v [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %e = tir.expand %m : tensor<4x1xf32> -> tensor<4x16xf32>
    st.store %o [#st.view<[4, 16], [16, 1], 0>], %e : tensor<4x16xf32>
  }
  func.return %t : !st.buffer<4x16xf32>
}

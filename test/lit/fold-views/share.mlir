// A value reached by two paths with the same movement is moved once: identical leaves and
// elementwise ops are merged, so the sum below is computed once, not once per path.
// RUN: tinyir-opt %s -p schedule-kernels,fold-views --mlir-pass-statistics 2>%t.stats | filecheck %s
// RUN: filecheck %s --check-prefix=STATS < %t.stats

// CHECK-LABEL: st.kernel "k0"
// CHECK:         %[[A:.*]] = st.load %{{.*}} [#st.view<[4, 4], [1, 4], 0>] : tensor<4x4xf32>
// CHECK:         %[[B:.*]] = st.load %{{.*}} [#st.view<[4, 4], [1, 4], 0>] : tensor<4x4xf32>
// CHECK:         %[[S:.*]] = tir.add %[[A]], %[[B]] : tensor<4x4xf32>
// CHECK-NOT:     tir.add
// CHECK:         %[[M:.*]] = tir.mul %[[S]], %[[S]] : tensor<4x4xf32>
// CHECK-NEXT:    st.store %{{.*}}, %[[M]] : tensor<4x4xf32>
// STATS: fold-views
// STATS: movement(x) computed before -> that value
func.func @main(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = tir.add %a, %b : tensor<4x4xf32>
  %p = tir.permute %s [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  %q = tir.permute %s [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  %r = tir.mul %p, %q : tensor<4x4xf32>
  func.return %r : tensor<4x4xf32>
}

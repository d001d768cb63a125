// RUN: tinyir-opt %s | filecheck %s
// RUN: %roundtrip
// RUN: tinyir-opt %s --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: tinyir-opt %s -p schedule-kernels,fold-views | filecheck %s --check-prefix=ST
// A splat constant is stored as one value whatever its shape (the generic form shows a rank-0
// value under a 2^26-element result), and schedule-kernels turns it into an st.const leaf seen
// through a broadcast view: no buffer, no dense data anywhere. A non-splat constant keeps its
// elements and becomes a buffer (left alone).

// CHECK-LABEL: func.func @main
// CHECK-NEXT: %c = tir.constant dense<2.000000e+00> : tensor<67108864xf32>
// CHECK-NEXT: %t = tir.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %b = tir.constant dense<true> : tensor<1024xi1>
// GENERIC: "tir.constant"() <{value = dense<2.000000e+00> : tensor<f32>}> : () -> tensor<67108864xf32>
// GENERIC: "tir.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32>
// GENERIC: "tir.constant"() <{value = dense<true> : tensor<i1>}> : () -> tensor<1024xi1>

// ST-LABEL: func.func @main
// ST-NEXT: st.buffer_constant dense<[1.0, 2.0]> : !st.buffer<2xf32>
// ST-NOT: st.buffer_constant
// ST: st.const true [#st.view<[1024], [0], 0>] : tensor<1024xi1>
// ST: st.const 2.0 [#st.view<[67108864], [0], 0>] : tensor<67108864xf32>
// ST-NEXT: tir.reduce_sum %c [0] : tensor<67108864xf32> -> tensor<1xf32>
func.func @main() -> (tensor<f32>, tensor<2xf32>, tensor<1024xi1>) {
  %c = tir.constant dense<2.0> : tensor<67108864xf32>
  %t = tir.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = tir.constant dense<true> : tensor<1024xi1>
  %s = tir.reduce_sum %c [0] : tensor<67108864xf32> -> tensor<f32>
  func.return %s, %t, %b : tensor<f32>, tensor<2xf32>, tensor<1024xi1>
}

// Elementwise work before the reduce (fused into its loads): sum of a*b over rows.
// NUMPY: out = (a * b).sum(axis=0)
func.func @main(%a: tensor<12x5xf32>, %b: tensor<12x5xf32>) -> tensor<5xf32> {
  %0 = tir.mul %a, %b : tensor<12x5xf32>
  %1 = tir.reduce_sum %0 [0] : tensor<12x5xf32> -> tensor<5xf32>
  func.return %1 : tensor<5xf32>
}

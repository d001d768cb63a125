// Reduce over a permuted view (strided loads).
// NUMPY: out = np.transpose(a, (1, 2, 0)).sum(axis=2)
func.func @main(%a: tensor<4x3x5xf32>) -> tensor<3x5xf32> {
  %0 = tir.permute %a [1, 2, 0] : tensor<4x3x5xf32> -> tensor<3x5x4xf32>
  %1 = tir.reduce_sum %0 [2] : tensor<3x5x4xf32> -> tensor<3x5xf32>
  func.return %1 : tensor<3x5xf32>
}

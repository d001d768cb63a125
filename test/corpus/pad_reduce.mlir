// Pad then reduce: the padding adds zeros to the sum, and may win the max.
// NUMPY: p = np.pad(a, ((0, 0), (3, 1)))
// NUMPY: out0 = p.sum(axis=1)
// NUMPY: out1 = p.max(axis=1)
func.func @main(%a: tensor<6x4xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
  %0 = tir.pad %a [[0, 0], [3, 1]] : tensor<6x4xf32> -> tensor<6x8xf32>
  %1 = tir.reduce_sum %0 [1] : tensor<6x8xf32> -> tensor<6xf32>
  %2 = tir.reduce_max %0 [1] : tensor<6x8xf32> -> tensor<6xf32>
  func.return %1, %2 : tensor<6xf32>, tensor<6xf32>
}

// Max over two non-adjacent axes of a 3-d tensor.
// NUMPY: out = a.max(axis=(0, 2))
func.func @main(%a: tensor<3x5x4xf32>) -> tensor<5xf32> {
  %0 = tir.reduce_max %a [0, 2] : tensor<3x5x4xf32> -> tensor<5xf32>
  func.return %0 : tensor<5xf32>
}

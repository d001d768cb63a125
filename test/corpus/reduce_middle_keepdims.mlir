// Max over the middle axis, keepdims.
// NUMPY: out = a.max(axis=1, keepdims=True)
func.func @main(%a: tensor<2x7x3xf32>) -> tensor<2x1x3xf32> {
  %0 = tir.reduce_max %a [1] : tensor<2x7x3xf32> -> tensor<2x1x3xf32>
  func.return %0 : tensor<2x1x3xf32>
}

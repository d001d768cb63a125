// Permute a 3-d tensor and scale it.
// NUMPY: out = np.transpose(a, (2, 0, 1)) * 2.0
func.func @main(%a: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %two = tir.constant dense<2.0> : tensor<4x2x3xf32>
  %0 = tir.permute %a [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = tir.mul %0, %two : tensor<4x2x3xf32>
  func.return %1 : tensor<4x2x3xf32>
}

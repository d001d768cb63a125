// A non-splat constant used as a weight vector, broadcast over rows.
// NUMPY: w = np.array([1.0, -2.0, 0.5, 4.0], np.float32)
// NUMPY: out = a * w[None, :]
func.func @main(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = tir.constant dense<[1.0, -2.0, 0.5, 4.0]> : tensor<4xf32>
  %0 = tir.reshape %w : tensor<4xf32> -> tensor<1x4xf32>
  %1 = tir.expand %0 : tensor<1x4xf32> -> tensor<3x4xf32>
  %2 = tir.mul %a, %1 : tensor<3x4xf32>
  func.return %2 : tensor<3x4xf32>
}

// Batched matmul with a bias epilogue.
// NUMPY: out = np.matmul(a, b) + 1.0
func.func @main(%a: tensor<3x4x5xf32>, %b: tensor<3x5x2xf32>) -> tensor<3x4x2xf32> {
  %one = tir.constant dense<1.0> : tensor<3x4x2xf32>
  %0 = tir.matmul %a, %b : tensor<3x4x5xf32>, tensor<3x5x2xf32> -> tensor<3x4x2xf32>
  %1 = tir.add %0, %one : tensor<3x4x2xf32>
  func.return %1 : tensor<3x4x2xf32>
}

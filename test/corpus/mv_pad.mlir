// Zero padding, then +1 everywhere (the padded border becomes 1).
// NUMPY: out = np.pad(a, ((1, 2), (0, 3))) + 1.0
func.func @main(%a: tensor<4x3xf32>) -> tensor<7x6xf32> {
  %one = tir.constant dense<1.0> : tensor<7x6xf32>
  %0 = tir.pad %a [[1, 2], [0, 3]] : tensor<4x3xf32> -> tensor<7x6xf32>
  %1 = tir.add %0, %one : tensor<7x6xf32>
  func.return %1 : tensor<7x6xf32>
}

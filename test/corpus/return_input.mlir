// An input returned unchanged, next to a computed output.
// NUMPY: out0 = a
// NUMPY: out1 = a + b
func.func @main(%a: tensor<3x3xf32>, %b: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>) {
  %0 = tir.add %a, %b : tensor<3x3xf32>
  func.return %a, %0 : tensor<3x3xf32>, tensor<3x3xf32>
}

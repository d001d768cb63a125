// Flip both axes, and one axis, of the same input.
// NUMPY: out = a[::-1, ::-1] - a[:, ::-1]
func.func @main(%a: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %0 = tir.flip %a [0, 1] : tensor<5x3xf32>
  %1 = tir.flip %a [1] : tensor<5x3xf32>
  %2 = tir.sub %0, %1 : tensor<5x3xf32>
  func.return %2 : tensor<5x3xf32>
}

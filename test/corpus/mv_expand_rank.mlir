// Broadcast a vector over rows: reshape to add a unit dim, then expand.
// NUMPY: out = a * b[None, :]
func.func @main(%a: tensor<3x6xf32>, %b: tensor<6xf32>) -> tensor<3x6xf32> {
  %0 = tir.reshape %b : tensor<6xf32> -> tensor<1x6xf32>
  %1 = tir.expand %0 : tensor<1x6xf32> -> tensor<3x6xf32>
  %2 = tir.mul %a, %1 : tensor<3x6xf32>
  func.return %2 : tensor<3x6xf32>
}

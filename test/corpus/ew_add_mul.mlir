// Elementwise chain that fuses into one kernel: (a + b) * a.
// NUMPY: out = (a + b) * a
func.func @main(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = tir.add %a, %b : tensor<4x4xf32>
  %1 = tir.mul %0, %a : tensor<4x4xf32>
  func.return %1 : tensor<4x4xf32>
}

// Splat constants only (no inputs) of three element types.
// NUMPY: out0 = np.full((2, 3), 2.5, np.float32) * np.full((2, 3), 4.0, np.float32)
// NUMPY: out1 = np.full((4,), -3, np.int32)
// NUMPY: out2 = np.full((2, 2), True)
func.func @main() -> (tensor<2x3xf32>, tensor<4xi32>, tensor<2x2xi1>) {
  %a = tir.constant dense<2.5> : tensor<2x3xf32>
  %b = tir.constant dense<4.0> : tensor<2x3xf32>
  %0 = tir.mul %a, %b : tensor<2x3xf32>
  %1 = tir.constant dense<-3> : tensor<4xi32>
  %2 = tir.constant dense<true> : tensor<2x2xi1>
  func.return %0, %1, %2 : tensor<2x3xf32>, tensor<4xi32>, tensor<2x2xi1>
}

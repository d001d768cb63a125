// A 2-d non-splat integer constant added to an input.
// NUMPY: out = a + np.array([[1, 2, 3], [4, 5, 6]], np.int32)
func.func @main(%a: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %c = tir.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = tir.add %a, %c : tensor<2x3xi32>
  func.return %0 : tensor<2x3xi32>
}

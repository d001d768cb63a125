// Padding mask before a non-zero-preserving op: exp2 of the padding is 1, not 0.
// NUMPY: out = np.exp2(np.pad(a, ((1, 1), (2, 0))))
func.func @main(%a: tensor<3x4xf32>) -> tensor<5x6xf32> {
  %0 = tir.pad %a [[1, 1], [2, 0]] : tensor<3x4xf32> -> tensor<5x6xf32>
  %1 = tir.exp2 %0 : tensor<5x6xf32>
  func.return %1 : tensor<5x6xf32>
}

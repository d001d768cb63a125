// Reshape 4x6 -> 3x8, then an elementwise op on the new shape (iota breaks the symmetry).
// NUMPY: out = a.reshape(3, 8) + np.arange(8, dtype=np.float32)
func.func @main(%a: tensor<4x6xf32>) -> tensor<3x8xf32> {
  %0 = tir.reshape %a : tensor<4x6xf32> -> tensor<3x8xf32>
  %i = tir.iota 1 : tensor<3x8xf32>
  %1 = tir.add %0, %i : tensor<3x8xf32>
  func.return %1 : tensor<3x8xf32>
}

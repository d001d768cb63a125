// C division: idiv truncates toward zero, mod takes the sign of the dividend.
// NONZERO: b
// NUMPY: out0 = (np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))).astype(np.int32)
// NUMPY: out1 = np.fmod(a, b)
func.func @main(%a: tensor<8x8xi32>, %b: tensor<8x8xi32>) -> (tensor<8x8xi32>, tensor<8x8xi32>) {
  %0 = tir.idiv %a, %b : tensor<8x8xi32>
  %1 = tir.mod %a, %b : tensor<8x8xi32>
  func.return %0, %1 : tensor<8x8xi32>, tensor<8x8xi32>
}

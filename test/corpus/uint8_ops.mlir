// ui8: wrapping add, logical shr, max.
// NUMPY: t = (a.astype(np.int32) + 250).astype(np.uint8)
// NUMPY: out = np.maximum(t >> 2, b)
func.func @main(%a: tensor<16xui8>, %b: tensor<16xui8>) -> tensor<16xui8> {
  %k = tir.constant dense<250> : tensor<16xui8>
  %two = tir.constant dense<2> : tensor<16xui8>
  %0 = tir.add %a, %k : tensor<16xui8>
  %1 = tir.shr %0, %two : tensor<16xui8>
  %2 = tir.max %1, %b : tensor<16xui8>
  func.return %2 : tensor<16xui8>
}

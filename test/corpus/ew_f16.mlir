// Half precision elementwise chain.
// NUMPY: out = (np.exp2(a.astype(np.float32)) * b.astype(np.float32) + a.astype(np.float32)).astype(np.float16)
func.func @main(%a: tensor<4x8xf16>, %b: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %0 = tir.exp2 %a : tensor<4x8xf16>
  %1 = tir.mul %0, %b : tensor<4x8xf16>
  %2 = tir.add %1, %a : tensor<4x8xf16>
  func.return %2 : tensor<4x8xf16>
}

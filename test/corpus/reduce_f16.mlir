// Half precision sum.
// NUMPY: out = a.astype(np.float32).sum(axis=1).astype(np.float16)
func.func @main(%a: tensor<4x16xf16>) -> tensor<4xf16> {
  %0 = tir.reduce_sum %a [1] : tensor<4x16xf16> -> tensor<4xf16>
  func.return %0 : tensor<4xf16>
}

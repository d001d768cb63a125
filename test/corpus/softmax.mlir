// The composite softmax over the last axis.
// NUMPY: e = np.exp(a - a.max(axis=1, keepdims=True))
// NUMPY: out = e / e.sum(axis=1, keepdims=True)
func.func @main(%a: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = tir.softmax %a [1] : tensor<4x10xf32>
  func.return %0 : tensor<4x10xf32>
}

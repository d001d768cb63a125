// Softmax over axis 0 by hand: reduce -> expand -> elementwise -> a second reduce -> expand.
// NUMPY: e = np.exp2(a - a.max(axis=0, keepdims=True))
// NUMPY: out = e / e.sum(axis=0, keepdims=True)
func.func @main(%a: tensor<6x3xf32>) -> tensor<6x3xf32> {
  %m = tir.reduce_max %a [0] : tensor<6x3xf32> -> tensor<1x3xf32>
  %me = tir.expand %m : tensor<1x3xf32> -> tensor<6x3xf32>
  %nm = tir.neg %me : tensor<6x3xf32>
  %d = tir.add %a, %nm : tensor<6x3xf32>
  %e = tir.exp2 %d : tensor<6x3xf32>
  %s = tir.reduce_sum %e [0] : tensor<6x3xf32> -> tensor<1x3xf32>
  %se = tir.expand %s : tensor<1x3xf32> -> tensor<6x3xf32>
  %r = tir.recip %se : tensor<6x3xf32>
  %0 = tir.mul %e, %r : tensor<6x3xf32>
  func.return %0 : tensor<6x3xf32>
}

// Sum over the last axis, keeping it as size 1.
// NUMPY: out = a.sum(axis=1, keepdims=True)
func.func @main(%a: tensor<8x32xf32>) -> tensor<8x1xf32> {
  %0 = tir.reduce_sum %a [1] : tensor<8x32xf32> -> tensor<8x1xf32>
  func.return %0 : tensor<8x1xf32>
}

// Sum over the first axis.
// NUMPY: out = a.sum(axis=0)
func.func @main(%a: tensor<16x8xf32>) -> tensor<8xf32> {
  %0 = tir.reduce_sum %a [0] : tensor<16x8xf32> -> tensor<8xf32>
  func.return %0 : tensor<8xf32>
}

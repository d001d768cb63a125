// Sum of every element, to a rank-0 tensor.
// NUMPY: out = np.sum(a)
func.func @main(%a: tensor<8x8xf32>) -> tensor<f32> {
  %0 = tir.reduce_sum %a [0, 1] : tensor<8x8xf32> -> tensor<f32>
  func.return %0 : tensor<f32>
}

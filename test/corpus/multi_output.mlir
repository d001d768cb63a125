// Several outputs sharing work: the sum, the max and a normalized copy.
// NUMPY: out0 = a.sum(axis=1)
// NUMPY: out1 = a.max(axis=1)
// NUMPY: out2 = a * 0.5
func.func @main(%a: tensor<4x6xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4x6xf32>) {
  %h = tir.constant dense<0.5> : tensor<4x6xf32>
  %0 = tir.reduce_sum %a [1] : tensor<4x6xf32> -> tensor<4xf32>
  %1 = tir.reduce_max %a [1] : tensor<4x6xf32> -> tensor<4xf32>
  %2 = tir.mul %a, %h : tensor<4x6xf32>
  func.return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4x6xf32>
}

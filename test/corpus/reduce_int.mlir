// Integer reductions (exact): max and a wrapping-free sum.
// NUMPY: out0 = a.max(axis=1)
// NUMPY: out1 = a.sum(axis=0)
func.func @main(%a: tensor<5x6xi32>) -> (tensor<5xi32>, tensor<6xi32>) {
  %0 = tir.reduce_max %a [1] : tensor<5x6xi32> -> tensor<5xi32>
  %1 = tir.reduce_sum %a [0] : tensor<5x6xi32> -> tensor<6xi32>
  func.return %0, %1 : tensor<5xi32>, tensor<6xi32>
}

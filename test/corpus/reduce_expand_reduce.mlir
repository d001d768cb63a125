// Variance: reduce -> expand -> elementwise -> reduce again, over axis 1.
// NUMPY: m = a.mean(axis=1, keepdims=True)
// NUMPY: out = ((a - m) ** 2).mean(axis=1)
func.func @main(%a: tensor<5x8xf32>) -> tensor<5xf32> {
  %inv1 = tir.constant dense<0.125> : tensor<5x1xf32>
  %inv = tir.constant dense<0.125> : tensor<5xf32>
  %s = tir.reduce_sum %a [1] : tensor<5x8xf32> -> tensor<5x1xf32>
  %m = tir.mul %s, %inv1 : tensor<5x1xf32>
  %me = tir.expand %m : tensor<5x1xf32> -> tensor<5x8xf32>
  %d = tir.sub %a, %me : tensor<5x8xf32>
  %sq = tir.mul %d, %d : tensor<5x8xf32>
  %v = tir.reduce_sum %sq [1] : tensor<5x8xf32> -> tensor<5xf32>
  %0 = tir.mul %v, %inv : tensor<5xf32>
  func.return %0 : tensor<5xf32>
}

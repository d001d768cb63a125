// Reduce followed by an elementwise epilogue on the reduced shape: mean + 1.
// NUMPY: out = a.sum(axis=1) * 0.125 + 1.0
func.func @main(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %k = tir.constant dense<0.125> : tensor<4xf32>
  %one = tir.constant dense<1.0> : tensor<4xf32>
  %0 = tir.mul %s, %k : tensor<4xf32>
  %1 = tir.add %0, %one : tensor<4xf32>
  func.return %1 : tensor<4xf32>
}

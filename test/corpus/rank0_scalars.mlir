// Rank-0 tensors: a full reduction to a scalar, and a scalar broadcast to a matrix.
// NUMPY: out0 = np.float32(a.sum() + s)
// NUMPY: out1 = a * s
func.func @main(%a: tensor<4x5xf32>, %s: tensor<f32>) -> (tensor<f32>, tensor<4x5xf32>) {
  %t = tir.reduce_sum %a [0, 1] : tensor<4x5xf32> -> tensor<f32>
  %u = tir.add %t, %s : tensor<f32>
  %r = tir.reshape %s : tensor<f32> -> tensor<1x1xf32>
  %e = tir.expand %r : tensor<1x1xf32> -> tensor<4x5xf32>
  %m = tir.mul %a, %e : tensor<4x5xf32>
  func.return %u, %m : tensor<f32>, tensor<4x5xf32>
}

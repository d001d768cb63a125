// Zero-size dimensions: reducing over an empty axis gives the identity; empty outputs need no kernel.
// NUMPY: out0 = a.sum(0)
// NUMPY: out1 = np.exp2(a)
// NUMPY: out2 = b[:, 2:2]
// NUMPY: out3 = np.full(3, -np.inf, np.float32)
func.func @main(%a: tensor<0x5xf32>, %b: tensor<3x4xf32>, %c: tensor<3x0xf32>)
    -> (tensor<5xf32>, tensor<0x5xf32>, tensor<3x0xf32>, tensor<3xf32>) {
  %t = tir.reduce_sum %a [0] : tensor<0x5xf32> -> tensor<5xf32>
  %e = tir.exp2 %a : tensor<0x5xf32>
  %s = tir.shrink %b [[0, 3], [2, 2]] : tensor<3x4xf32> -> tensor<3x0xf32>
  %m = tir.reduce_max %c [1] : tensor<3x0xf32> -> tensor<3xf32>
  func.return %t, %e, %s, %m : tensor<5xf32>, tensor<0x5xf32>, tensor<3x0xf32>, tensor<3xf32>
}

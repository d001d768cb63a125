// iota along each axis, int and float: a row-major index, and a scaled float ramp.
// NUMPY: out0 = np.arange(12, dtype=np.int32).reshape(3, 4)
// NUMPY: out1 = a + np.arange(3, dtype=np.float32)[:, None]
func.func @main(%a: tensor<3x4xf32>) -> (tensor<3x4xi32>, tensor<3x4xf32>) {
  %four = tir.constant dense<4> : tensor<3x4xi32>
  %r = tir.iota 0 : tensor<3x4xi32>
  %c = tir.iota 1 : tensor<3x4xi32>
  %0 = tir.mul %r, %four : tensor<3x4xi32>
  %1 = tir.add %0, %c : tensor<3x4xi32>
  %f = tir.iota 0 : tensor<3x4xf32>
  %2 = tir.add %a, %f : tensor<3x4xf32>
  func.return %1, %2 : tensor<3x4xi32>, tensor<3x4xf32>
}

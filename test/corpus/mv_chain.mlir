// A chain of all six movement ops before one elementwise op.
// NUMPY: t = np.transpose(a, (1, 0)).reshape(2, 3, 4)[:, 1:3, :]
// NUMPY: t = np.pad(t[::-1], ((0, 0), (1, 1), (0, 0)))
// NUMPY: out = np.broadcast_to(t.reshape(2, 1, 4, 4), (2, 3, 4, 4)) * 3.0
func.func @main(%a: tensor<4x6xf32>) -> tensor<2x3x4x4xf32> {
  %three = tir.constant dense<3.0> : tensor<2x3x4x4xf32>
  %0 = tir.permute %a [1, 0] : tensor<4x6xf32> -> tensor<6x4xf32>
  %1 = tir.reshape %0 : tensor<6x4xf32> -> tensor<2x3x4xf32>
  %2 = tir.shrink %1 [[0, 2], [1, 3], [0, 4]] : tensor<2x3x4xf32> -> tensor<2x2x4xf32>
  %3 = tir.flip %2 [0] : tensor<2x2x4xf32>
  %4 = tir.pad %3 [[0, 0], [1, 1], [0, 0]] : tensor<2x2x4xf32> -> tensor<2x4x4xf32>
  %5 = tir.reshape %4 : tensor<2x4x4xf32> -> tensor<2x1x4x4xf32>
  %6 = tir.expand %5 : tensor<2x1x4x4xf32> -> tensor<2x3x4x4xf32>
  %7 = tir.mul %6, %three : tensor<2x3x4x4xf32>
  func.return %7 : tensor<2x3x4x4xf32>
}

// Movement ops on integers and bools: flip then pad (padding is 0 / false).
// NUMPY: out0 = np.pad(a[::-1], ((2, 1),))
// NUMPY: out1 = np.pad(p[:, ::-1], ((0, 0), (1, 1)))
func.func @main(%a: tensor<6xi32>, %p: tensor<3x4xi1>) -> (tensor<9xi32>, tensor<3x6xi1>) {
  %0 = tir.flip %a [0] : tensor<6xi32>
  %1 = tir.pad %0 [[2, 1]] : tensor<6xi32> -> tensor<9xi32>
  %2 = tir.flip %p [1] : tensor<3x4xi1>
  %3 = tir.pad %2 [[0, 0], [1, 1]] : tensor<3x4xi1> -> tensor<3x6xi1>
  func.return %1, %3 : tensor<9xi32>, tensor<3x6xi1>
}

// Pad then shrink back across the border: part of the window is padding.
// NUMPY: out = np.pad(a, ((2, 2), (2, 2)))[1:5, 3:7]
func.func @main(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = tir.pad %a [[2, 2], [2, 2]] : tensor<4x4xf32> -> tensor<8x8xf32>
  %1 = tir.shrink %0 [[1, 5], [3, 7]] : tensor<8x8xf32> -> tensor<4x4xf32>
  func.return %1 : tensor<4x4xf32>
}

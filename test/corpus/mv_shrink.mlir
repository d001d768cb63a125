// Shrink to an interior window.
// NUMPY: out = a[1:3, 2:6] * a[0:2, 0:4]
func.func @main(%a: tensor<4x6xf32>) -> tensor<2x4xf32> {
  %0 = tir.shrink %a [[1, 3], [2, 6]] : tensor<4x6xf32> -> tensor<2x4xf32>
  %1 = tir.shrink %a [[0, 2], [0, 4]] : tensor<4x6xf32> -> tensor<2x4xf32>
  %2 = tir.mul %0, %1 : tensor<2x4xf32>
  func.return %2 : tensor<2x4xf32>
}

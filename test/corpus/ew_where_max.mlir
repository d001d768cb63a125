// Select and max: where(a < b, a, b) + max(a, b) == a + b.
// NUMPY: out = np.where(a < b, a, b) + np.maximum(a, b)
func.func @main(%a: tensor<6x5xf32>, %b: tensor<6x5xf32>) -> tensor<6x5xf32> {
  %m = tir.cmplt %a, %b : tensor<6x5xf32>
  %lo = tir.where %m, %a, %b : tensor<6x5xf32>
  %hi = tir.max %a, %b : tensor<6x5xf32>
  %0 = tir.add %lo, %hi : tensor<6x5xf32>
  func.return %0 : tensor<6x5xf32>
}

// The composite matmul.
// NUMPY: out = a @ b
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %0 = tir.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  func.return %0 : tensor<8x4xf32>
}

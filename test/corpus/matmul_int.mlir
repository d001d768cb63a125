// Integer matmul (exact).
// NUMPY: out = a @ b
func.func @main(%a: tensor<4x6xi32>, %b: tensor<6x3xi32>) -> tensor<4x3xi32> {
  %0 = tir.matmul %a, %b : tensor<4x6xi32>, tensor<6x3xi32> -> tensor<4x3xi32>
  func.return %0 : tensor<4x3xi32>
}

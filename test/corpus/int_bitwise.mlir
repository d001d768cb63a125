// Bitwise and/or/xor on i32.
// NUMPY: out = ((a & b) | (a ^ 5)) ^ b
func.func @main(%a: tensor<32xi32>, %b: tensor<32xi32>) -> tensor<32xi32> {
  %five = tir.constant dense<5> : tensor<32xi32>
  %0 = tir.and %a, %b : tensor<32xi32>
  %1 = tir.xor %a, %five : tensor<32xi32>
  %2 = tir.or %0, %1 : tensor<32xi32>
  %3 = tir.xor %2, %b : tensor<32xi32>
  func.return %3 : tensor<32xi32>
}

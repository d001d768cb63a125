// Shifts by a safe amount (b & 7): shl wraps, shr is arithmetic on i32.
// NUMPY: s = b & 7
// NUMPY: out0 = a << s
// NUMPY: out1 = (a * 1000) >> s
func.func @main(%a: tensor<4x4xi32>, %b: tensor<4x4xi32>) -> (tensor<4x4xi32>, tensor<4x4xi32>) {
  %seven = tir.constant dense<7> : tensor<4x4xi32>
  %k = tir.constant dense<1000> : tensor<4x4xi32>
  %s = tir.and %b, %seven : tensor<4x4xi32>
  %0 = tir.shl %a, %s : tensor<4x4xi32>
  %big = tir.mul %a, %k : tensor<4x4xi32>
  %1 = tir.shr %big, %s : tensor<4x4xi32>
  func.return %0, %1 : tensor<4x4xi32>, tensor<4x4xi32>
}

// i8 arithmetic wraps around: a * 37 + 100, and neg.
// NUMPY: out0 = (a.astype(np.int32) * 37 + 100).astype(np.int8)
// NUMPY: out1 = -a
func.func @main(%a: tensor<4x8xi8>) -> (tensor<4x8xi8>, tensor<4x8xi8>) {
  %k = tir.constant dense<37> : tensor<4x8xi8>
  %c = tir.constant dense<100> : tensor<4x8xi8>
  %0 = tir.mul %a, %k : tensor<4x8xi8>
  %1 = tir.add %0, %c : tensor<4x8xi8>
  %2 = tir.neg %a : tensor<4x8xi8>
  func.return %1, %2 : tensor<4x8xi8>, tensor<4x8xi8>
}

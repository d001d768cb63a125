// log2 of a strictly positive value: log2(exp2(a) + 1).
// NUMPY: out = np.log2(np.exp2(a) + 1.0)
func.func @main(%a: tensor<16xf32>) -> tensor<16xf32> {
  %one = tir.constant dense<1.0> : tensor<16xf32>
  %0 = tir.exp2 %a : tensor<16xf32>
  %1 = tir.add %0, %one : tensor<16xf32>
  %2 = tir.log2 %1 : tensor<16xf32>
  func.return %2 : tensor<16xf32>
}

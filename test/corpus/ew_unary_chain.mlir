// A chain of every float unary op: recip(sqrt(exp2(sin(neg a)))).
// NUMPY: out = 1.0 / np.sqrt(np.exp2(np.sin(-a)))
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %0 = tir.neg %a : tensor<8x8xf32>
  %1 = tir.sin %0 : tensor<8x8xf32>
  %2 = tir.exp2 %1 : tensor<8x8xf32>
  %3 = tir.sqrt %2 : tensor<8x8xf32>
  %4 = tir.recip %3 : tensor<8x8xf32>
  func.return %4 : tensor<8x8xf32>
}

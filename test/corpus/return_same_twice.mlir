// The same value returned twice.
// NUMPY: out0 = np.sin(a)
// NUMPY: out1 = np.sin(a)
func.func @main(%a: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = tir.sin %a : tensor<8xf32>
  func.return %0, %0 : tensor<8xf32>, tensor<8xf32>
}

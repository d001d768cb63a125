// Composite elementwise ops: relu(a - b) / (exp(b) + 1) + log(exp(a)).
// NUMPY: out = np.maximum(a - b, 0) / (np.exp(b) + 1) + np.log(np.exp(a))
func.func @main(%a: tensor<5x7xf32>, %b: tensor<5x7xf32>) -> tensor<5x7xf32> {
  %one = tir.constant dense<1.0> : tensor<5x7xf32>
  %0 = tir.sub %a, %b : tensor<5x7xf32>
  %1 = tir.relu %0 : tensor<5x7xf32>
  %2 = tir.exp %b : tensor<5x7xf32>
  %3 = tir.add %2, %one : tensor<5x7xf32>
  %4 = tir.div %1, %3 : tensor<5x7xf32>
  %5 = tir.exp %a : tensor<5x7xf32>
  %6 = tir.log %5 : tensor<5x7xf32>
  %7 = tir.add %4, %6 : tensor<5x7xf32>
  func.return %7 : tensor<5x7xf32>
}

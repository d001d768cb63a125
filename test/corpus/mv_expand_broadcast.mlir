// Broadcasting made explicit: a column plus a row.
// NUMPY: out = a + b
func.func @main(%a: tensor<4x1xf32>, %b: tensor<1x5xf32>) -> tensor<4x5xf32> {
  %0 = tir.expand %a : tensor<4x1xf32> -> tensor<4x5xf32>
  %1 = tir.expand %b : tensor<1x5xf32> -> tensor<4x5xf32>
  %2 = tir.add %0, %1 : tensor<4x5xf32>
  func.return %2 : tensor<4x5xf32>
}

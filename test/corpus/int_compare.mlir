// Integer comparisons and bool inputs compared with cmpne.
// NUMPY: out = (a < b) != p
func.func @main(%a: tensor<10xi32>, %b: tensor<10xi32>, %p: tensor<10xi1>) -> tensor<10xi1> {
  %0 = tir.cmplt %a, %b : tensor<10xi32>
  %1 = tir.cmpne %0, %p : tensor<10xi1>
  func.return %1 : tensor<10xi1>
}

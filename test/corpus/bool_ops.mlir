// Comparisons and bool logic: ((a < b) and (a != c)) or (p xor q), then a select.
// NUMPY: m = ((a < b) & (a != c)) | (p ^ q)
// NUMPY: out0 = m
// NUMPY: out1 = np.where(m, a, c)
func.func @main(%a: tensor<4x5xf32>, %b: tensor<4x5xf32>, %c: tensor<4x5xf32>, %p: tensor<4x5xi1>, %q: tensor<4x5xi1>) -> (tensor<4x5xi1>, tensor<4x5xf32>) {
  %0 = tir.cmplt %a, %b : tensor<4x5xf32>
  %1 = tir.cmpne %a, %c : tensor<4x5xf32>
  %2 = tir.and %0, %1 : tensor<4x5xi1>
  %3 = tir.xor %p, %q : tensor<4x5xi1>
  %4 = tir.or %2, %3 : tensor<4x5xi1>
  %5 = tir.where %4, %a, %c : tensor<4x5xf32>
  func.return %4, %5 : tensor<4x5xi1>, tensor<4x5xf32>
}

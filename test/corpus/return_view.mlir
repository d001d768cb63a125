// A returned view of an input (a permute), with no compute at all.
// NUMPY: out = a.T
func.func @main(%a: tensor<4x6xf32>) -> tensor<6x4xf32> {
  %0 = tir.permute %a [1, 0] : tensor<4x6xf32> -> tensor<6x4xf32>
  func.return %0 : tensor<6x4xf32>
}

// Rank-0 tensors: a scalar broadcast into a vector.
// NUMPY: out = b * a
func.func @main(%a: tensor<f32>, %b: tensor<5xf32>) -> tensor<5xf32> {
  %0 = tir.reshape %a : tensor<f32> -> tensor<1xf32>
  %1 = tir.expand %0 : tensor<1xf32> -> tensor<5xf32>
  %2 = tir.mul %b, %1 : tensor<5xf32>
  func.return %2 : tensor<5xf32>
}

// Matmul written by hand: [m,k,1] * [1,k,n] summed over k.
// NUMPY: out = a @ b
func.func @main(%a: tensor<6x8xf32>, %b: tensor<8x5xf32>) -> tensor<6x5xf32> {
  %0 = tir.reshape %a : tensor<6x8xf32> -> tensor<6x8x1xf32>
  %1 = tir.expand %0 : tensor<6x8x1xf32> -> tensor<6x8x5xf32>
  %2 = tir.reshape %b : tensor<8x5xf32> -> tensor<1x8x5xf32>
  %3 = tir.expand %2 : tensor<1x8x5xf32> -> tensor<6x8x5xf32>
  %4 = tir.mul %1, %3 : tensor<6x8x5xf32>
  %5 = tir.reduce_sum %4 [1] : tensor<6x8x5xf32> -> tensor<6x5xf32>
  func.return %5 : tensor<6x5xf32>
}

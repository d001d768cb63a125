// A two-layer perceptron forward pass with a softmax, written at the tensor level.
func.func @main(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<1x32xf32>,
                %w2: tensor<32x10xf32>) -> tensor<8x10xf32> {
  %h = tir.matmul %x, %w1 : tensor<8x16xf32>, tensor<16x32xf32> -> tensor<8x32xf32>
  %bb = tir.expand %b1 : tensor<1x32xf32> -> tensor<8x32xf32>
  %hb = tir.add %h, %bb : tensor<8x32xf32>
  %r = tir.relu %hb : tensor<8x32xf32>
  %logits = tir.matmul %r, %w2 : tensor<8x32xf32>, tensor<32x10xf32> -> tensor<8x10xf32>
  %p = tir.softmax %logits [1] : tensor<8x10xf32>
  func.return %p : tensor<8x10xf32>
}

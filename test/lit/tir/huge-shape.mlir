// RUN: tinyir-opt %s --split-input-file -p tensor-decompose,split-reduce,schedule-kernels,fold-views,shapetracker-to-loop --verify-diagnostics
// Index arithmetic is 32-bit: a buffer, a loop or a view position of 2^31 or more is refused by
// shapetracker-to-loop with its size, never wrapped silently. Shapes that are only broadcast or
// split into ranges may be larger: their indices stay small.

func.func @materialized(%a: tensor<1xf32>) -> tensor<2147483648xf32> {
  %e = tir.expand %a : tensor<1xf32> -> tensor<2147483648xf32>
  %c = tir.constant dense<1.0> : tensor<2147483648xf32>
  // expected-error@+1 {{kernel "k0": buffer !st.buffer<2147483648xf32>: it has 2147483648 elements; index arithmetic is 32-bit, so a tensor may have at most 2147483647}}
  %s = tir.add %e, %c : tensor<2147483648xf32>
  func.return %s : tensor<2147483648xf32>
}

// -----

// a 2^31-element splat summed: split in two kernels whose indices are small
func.func @splat_sum() -> tensor<f32> {
  %c = tir.constant dense<0.0> : tensor<2147483648xf32>
  %s = tir.reduce_sum %c [0] : tensor<2147483648xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// -----

// 2^31 points of a broadcast, reduced per row
func.func @broadcast(%a: tensor<65536x1xf32>) -> tensor<65536x1xf32> {
  %e = tir.expand %a : tensor<65536x1xf32> -> tensor<65536x32768xf32>
  %s = tir.reduce_sum %e [1] : tensor<65536x32768xf32> -> tensor<65536x1xf32>
  func.return %s : tensor<65536x1xf32>
}

// -----

// a 4096^3 matmul iterates 2^36 points
func.func @matmul(%a: tensor<4096x4096xf32>, %b: tensor<4096x4096xf32>) -> tensor<4096x4096xf32> {
  %c = tir.matmul %a, %b : tensor<4096x4096xf32>, tensor<4096x4096xf32> -> tensor<4096x4096xf32>
  func.return %c : tensor<4096x4096xf32>
}

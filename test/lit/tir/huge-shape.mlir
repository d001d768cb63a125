// RUN: tinyir-opt %s --split-input-file -p schedule-kernels --verify-diagnostics
// Index arithmetic is 32-bit: a tensor of 2^31 elements or more is refused by schedule-kernels at
// the op that makes it, with its size, never wrapped silently. 2^31 - 1 elements are accepted.

func.func @splat_sum() -> tensor<f32> {
  // expected-error@+1 {{tensor<2147483648xf32> has 2147483648 elements; index arithmetic is 32-bit, so a tensor may have at most 2147483647}}
  %c = tir.constant dense<0.0> : tensor<2147483648xf32>
  %s = tir.reduce_sum %c [0] : tensor<2147483648xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// -----

func.func @broadcast(%a: tensor<65536x1xf32>) -> tensor<65536x1xf32> {
  // expected-error@+1 {{tensor<65536x32768xf32> has 2147483648 elements}}
  %e = tir.expand %a : tensor<65536x1xf32> -> tensor<65536x32768xf32>
  %s = tir.reduce_sum %e [1] : tensor<65536x32768xf32> -> tensor<65536x1xf32>
  func.return %s : tensor<65536x1xf32>
}

// -----

func.func @largest_allowed() -> tensor<f32> {
  %c = tir.constant dense<0.0> : tensor<2147483647xf32>
  %s = tir.reduce_sum %c [0] : tensor<2147483647xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// RUN: tinyir-opt %s -p split-reduce | filecheck %s
// RUN: tinyir-opt %s -p 'split-reduce{threshold=1 max_split=16}' | filecheck %s --check-prefix=OPTS
// RUN: not tinyir-opt %s -p 'split-reduce{max_split=4}' 2>&1 | filecheck %s --check-prefix=BAD
// Left alone: reduces with few elements per output, sizes with no divisor in [8, 256], and dims an
// expand grew from 1 (each partial would reread one element).

// A row sum of 64x64: 64 elements per output.
// CHECK-LABEL: func.func @row_sum
// CHECK-NEXT:  %s = tir.reduce_sum %a [1] : tensor<64x64xf32> -> tensor<64xf32>
// CHECK-NEXT:  func.return %s
// With a threshold of 1 it splits, into at most 16 partials (both halves > 1: 16 x 4).
// OPTS-LABEL: func.func @row_sum
// OPTS-NEXT:  tir.reshape %a : tensor<64x64xf32> -> tensor<64x16x4xf32>
// OPTS-NEXT:  tir.reduce_sum %{{.*}} [2] : tensor<64x16x4xf32> -> tensor<64x16x1xf32>
// OPTS-NEXT:  tir.reduce_sum %{{.*}} [1] : tensor<64x16x1xf32> -> tensor<64x1x1xf32>
// OPTS-NEXT:  tir.reshape %{{.*}} : tensor<64x1x1xf32> -> tensor<64xf32>
func.func @row_sum(%a: tensor<64x64xf32>) -> tensor<64xf32> {
  %s = tir.reduce_sum %a [1] : tensor<64x64xf32> -> tensor<64xf32>
  func.return %s : tensor<64xf32>
}

// 65537 is prime.
// CHECK-LABEL: func.func @prime
// CHECK-NEXT:  %s = tir.reduce_sum %a [0] : tensor<65537xf32> -> tensor<f32>
func.func @prime(%a: tensor<65537xf32>) -> tensor<f32> {
  %s = tir.reduce_sum %a [0] : tensor<65537xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// The reduced dim is a broadcast.
// CHECK-LABEL: func.func @broadcast
// CHECK-NEXT:  %e = tir.expand %a : tensor<1xf32> -> tensor<65536xf32>
// CHECK-NEXT:  %s = tir.reduce_sum %e [0] : tensor<65536xf32> -> tensor<f32>
func.func @broadcast(%a: tensor<1xf32>) -> tensor<f32> {
  %e = tir.expand %a : tensor<1xf32> -> tensor<65536xf32>
  %s = tir.reduce_sum %e [0] : tensor<65536xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// BAD: max_split must be at least 8, got 4

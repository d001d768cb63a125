// Gradient rules of the six movement primitives (seeded: %0 is the incoming adjoint).
// RUN: tinyir-opt %s --split-input-file -p 'tensor-autodiff{seeded=true}' | filecheck %s

func.func @reshape(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %y = tir.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  func.return %y : tensor<6xf32>
}
// CHECK-LABEL: func.func @reshape
// CHECK:         %[[G:.*]] = tir.reshape %0 : tensor<6xf32> -> tensor<2x3xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

// permute: the inverse permutation
func.func @permute(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %y = tir.permute %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  func.return %y : tensor<4x2x3xf32>
}
// CHECK-LABEL: func.func @permute
// CHECK:         %[[G:.*]] = tir.permute %0 [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

// expand: un-broadcast by summing over the expanded axes
func.func @expand(%x: tensor<2x1x1xf32>) -> tensor<2x3x4xf32> {
  %y = tir.expand %x : tensor<2x1x1xf32> -> tensor<2x3x4xf32>
  func.return %y : tensor<2x3x4xf32>
}
// CHECK-LABEL: func.func @expand
// CHECK:         %[[G:.*]] = tir.reduce_sum %0 [1, 2] : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

// pad <-> shrink
func.func @pad(%x: tensor<2x3xf32>) -> tensor<5x3xf32> {
  %y = tir.pad %x [[1, 2], [0, 0]] : tensor<2x3xf32> -> tensor<5x3xf32>
  func.return %y : tensor<5x3xf32>
}
// CHECK-LABEL: func.func @pad
// CHECK:         %[[G:.*]] = tir.shrink %0 {{\[\[}}1, 3], [0, 3]] : tensor<5x3xf32> -> tensor<2x3xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @shrink(%x: tensor<4x3xf32>) -> tensor<2x2xf32> {
  %y = tir.shrink %x [[1, 3], [0, 2]] : tensor<4x3xf32> -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}
// CHECK-LABEL: func.func @shrink
// CHECK:         %[[G:.*]] = tir.pad %0 {{\[\[}}1, 1], [0, 1]] : tensor<2x2xf32> -> tensor<4x3xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @flip(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %y = tir.flip %x [1] : tensor<4x3xf32>
  func.return %y : tensor<4x3xf32>
}
// CHECK-LABEL: func.func @flip
// CHECK:         %[[G:.*]] = tir.flip %0 [1] : tensor<4x3xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// A scalar loss (seed 1.0): adjoints of a value used twice are summed; wrt picks the arguments
// and their order; composites (matmul, sub) are decomposed before differentiating.
// RUN: tinyir-opt %s --split-input-file -p 'tensor-autodiff{wrt=1,0}' | filecheck %s

func.func @main(%x: tensor<3xf32>, %w: tensor<3xf32>) -> tensor<f32> {
  %sq = tir.mul %x, %x : tensor<3xf32>
  %p = tir.mul %sq, %w : tensor<3xf32>
  %s = tir.reduce_sum %p [0] : tensor<3xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}
// CHECK-LABEL: func.func @main(%x: tensor<3xf32>, %w: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
// CHECK:         %[[ONE:.*]] = tir.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[R:.*]] = tir.reshape %[[ONE]] : tensor<f32> -> tensor<1xf32>
// CHECK-NEXT:    %[[GP:.*]] = tir.expand %[[R]] : tensor<1xf32> -> tensor<3xf32>
// CHECK-NEXT:    %[[GSQ:.*]] = tir.mul %[[GP]], %w
// CHECK-NEXT:    %[[GW:.*]] = tir.mul %[[GP]], %sq
// CHECK-NEXT:    %[[GX1:.*]] = tir.mul %[[GSQ]], %x
// CHECK-NEXT:    %[[GX2:.*]] = tir.mul %[[GSQ]], %x
// CHECK-NEXT:    %[[GX:.*]] = tir.add %[[GX1]], %[[GX2]]
// CHECK-NEXT:    func.return %s, %[[GW]], %[[GX]] : tensor<f32>, tensor<3xf32>, tensor<3xf32>

// -----

func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<f32> {
  %c = tir.matmul %a, %b : tensor<2x3xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
  %s = tir.reduce_sum %c [0, 1] : tensor<2x2xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}
// CHECK-LABEL: func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> (tensor<f32>, tensor<3x2xf32>, tensor<2x3xf32>)
// CHECK-NOT:     tir.matmul
// CHECK:         tir.reduce_sum %{{.*}} [2] : tensor<2x2x3xf32> -> tensor<2x2xf32>
// CHECK:         func.return

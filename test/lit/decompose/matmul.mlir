// RUN: tinyir-opt %s --pass-pipeline='builtin.module(tensor-decompose)' | filecheck %s
// matmul: both operands are brought to [..., m, n, k], multiplied, and summed over k.

// CHECK-LABEL: func.func @matmul_2d
// CHECK-NEXT:    %[[A:.*]] = tir.reshape %a : tensor<2x3xf32> -> tensor<2x1x3xf32>
// CHECK-NEXT:    %[[AE:.*]] = tir.expand %[[A]] : tensor<2x1x3xf32> -> tensor<2x4x3xf32>
// CHECK-NEXT:    %[[BT:.*]] = tir.permute %b [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
// CHECK-NEXT:    %[[B:.*]] = tir.reshape %[[BT]] : tensor<4x3xf32> -> tensor<1x4x3xf32>
// CHECK-NEXT:    %[[BE:.*]] = tir.expand %[[B]] : tensor<1x4x3xf32> -> tensor<2x4x3xf32>
// CHECK-NEXT:    %[[M:.*]] = tir.mul %[[AE]], %[[BE]] : tensor<2x4x3xf32>
// CHECK-NEXT:    %[[S:.*]] = tir.reduce_sum %[[M]] [2] : tensor<2x4x3xf32> -> tensor<2x4xf32>
// CHECK-NEXT:    func.return %[[S]] : tensor<2x4xf32>
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = tir.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  func.return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @matmul_batched
// CHECK-NEXT:    tir.reshape %a : tensor<5x2x3xi32> -> tensor<5x2x1x3xi32>
// CHECK-NEXT:    tir.expand {{.*}} : tensor<5x2x1x3xi32> -> tensor<5x2x4x3xi32>
// CHECK-NEXT:    tir.permute %b [0, 2, 1] : tensor<5x3x4xi32> -> tensor<5x4x3xi32>
// CHECK-NEXT:    tir.reshape {{.*}} : tensor<5x4x3xi32> -> tensor<5x1x4x3xi32>
// CHECK-NEXT:    tir.expand {{.*}} : tensor<5x1x4x3xi32> -> tensor<5x2x4x3xi32>
// CHECK-NEXT:    tir.mul {{.*}} : tensor<5x2x4x3xi32>
// CHECK-NEXT:    tir.reduce_sum {{.*}} [3] : tensor<5x2x4x3xi32> -> tensor<5x2x4xi32>
func.func @matmul_batched(%a: tensor<5x2x3xi32>, %b: tensor<5x3x4xi32>) -> tensor<5x2x4xi32> {
  %0 = tir.matmul %a, %b : tensor<5x2x3xi32>, tensor<5x3x4xi32> -> tensor<5x2x4xi32>
  func.return %0 : tensor<5x2x4xi32>
}

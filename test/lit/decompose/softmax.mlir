// RUN: tinyir-opt %s -p tensor-decompose | filecheck %s
// softmax: subtract the max (kept dims, expanded back), exp, sum, divide.

// CHECK-LABEL: func.func @softmax_last_axis
// CHECK-NEXT:    %[[MAX:.*]] = tir.reduce_max %x [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[MAXE:.*]] = tir.expand %[[MAX]] : tensor<4x1xf32> -> tensor<4x5xf32>
// CHECK-NEXT:    %[[NEG:.*]] = tir.neg %[[MAXE]] : tensor<4x5xf32>
// CHECK-NEXT:    %[[SH:.*]] = tir.add %x, %[[NEG]] : tensor<4x5xf32>
// CHECK-NEXT:    %[[L2E:.*]] = tir.constant dense<1.44269502> : tensor<4x5xf32>
// CHECK-NEXT:    %[[SC:.*]] = tir.mul %[[SH]], %[[L2E]] : tensor<4x5xf32>
// CHECK-NEXT:    %[[E:.*]] = tir.exp2 %[[SC]] : tensor<4x5xf32>
// CHECK-NEXT:    %[[SUM:.*]] = tir.reduce_sum %[[E]] [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[SUME:.*]] = tir.expand %[[SUM]] : tensor<4x1xf32> -> tensor<4x5xf32>
// CHECK-NEXT:    %[[INV:.*]] = tir.recip %[[SUME]] : tensor<4x5xf32>
// CHECK-NEXT:    %[[R:.*]] = tir.mul %[[E]], %[[INV]] : tensor<4x5xf32>
// CHECK-NEXT:    func.return %[[R]] : tensor<4x5xf32>
func.func @softmax_last_axis(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = tir.softmax %x [1] : tensor<4x5xf32>
  func.return %0 : tensor<4x5xf32>
}

// CHECK-LABEL: func.func @softmax_two_axes
// CHECK-NEXT:    tir.reduce_max %x [0, 2] : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
// CHECK:         tir.reduce_sum {{.*}} [0, 2] : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
// CHECK-NOT:     tir.softmax
func.func @softmax_two_axes(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = tir.softmax %x [0, 2] : tensor<2x3x4xf32>
  func.return %0 : tensor<2x3x4xf32>
}

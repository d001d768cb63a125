// Gradient rules of the reductions (seeded: %0 is the incoming adjoint).
// RUN: tinyir-opt %s --split-input-file -p 'tensor-autodiff{seeded=true}' | filecheck %s

// reduce_sum: the adjoint is brought back to keepdims shape and expanded
func.func @reduce_sum(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %y = tir.reduce_sum %x [1] : tensor<2x3xf32> -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
// CHECK-LABEL: func.func @reduce_sum
// CHECK:         %[[K:.*]] = tir.reshape %0 : tensor<2xf32> -> tensor<2x1xf32>
// CHECK-NEXT:    %[[G:.*]] = tir.expand %[[K]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

// reduce_max: the adjoint goes to the elements equal to the max, divided by their count
func.func @reduce_max(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %y = tir.reduce_max %x [1] : tensor<2x3xf32> -> tensor<2x1xf32>
  func.return %y : tensor<2x1xf32>
}
// CHECK-LABEL: func.func @reduce_max
// CHECK:         %[[YE:.*]] = tir.expand %y : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT:    %[[NE:.*]] = tir.cmpne %x, %[[YE]]
// CHECK-NEXT:    %[[EQ:.*]] = tir.xor %[[NE]], %{{.*}} : tensor<2x3xi1>
// CHECK-NEXT:    %[[EQF:.*]] = tir.cast %[[EQ]] : tensor<2x3xi1> to tensor<2x3xf32>
// CHECK-NEXT:    %[[N:.*]] = tir.reduce_sum %[[EQF]] [1] : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK-NEXT:    %[[RN:.*]] = tir.recip %[[N]]
// CHECK-NEXT:    %[[SHARE:.*]] = tir.mul %0, %[[RN]]
// CHECK-NEXT:    %[[SE:.*]] = tir.expand %[[SHARE]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT:    %[[G:.*]] = tir.where %[[EQ]], %[[SE]], %{{.*}}
// CHECK-NEXT:    func.return %y, %[[G]]

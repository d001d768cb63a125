// What the pass leaves alone: functions other than the chosen one, and arguments with no
// differentiable path to the loss (their gradient is a zero constant; integer ops pass nothing).
// RUN: tinyir-opt %s -p 'tensor-autodiff{func=loss}' | filecheck %s

func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tir.exp2 %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK-LABEL: func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT:    %y = tir.exp2 %x : tensor<4xf32>
// CHECK-NEXT:    func.return %y : tensor<4xf32>
// CHECK-NEXT:  }

func.func @loss(%x: tensor<4xf32>, %k: tensor<4xi32>) -> tensor<f32> {
  %xi = tir.cast %x : tensor<4xf32> to tensor<4xi32>
  %m = tir.mul %xi, %k : tensor<4xi32>
  %f = tir.cast %m : tensor<4xi32> to tensor<4xf32>
  %s = tir.reduce_sum %f [0] : tensor<4xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}
// CHECK-LABEL: func.func @loss(%x: tensor<4xf32>, %k: tensor<4xi32>) -> (tensor<f32>, tensor<4xf32>)
// CHECK:         %s = tir.reduce_sum %f [0]
// CHECK-NEXT:    %[[Z:.*]] = tir.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    func.return %s, %[[Z]] : tensor<f32>, tensor<4xf32>

// RUN: tinyir-opt %s -p tensor-decompose | filecheck %s
// Primitive ops are not touched: the function comes out exactly as it went in.

// CHECK-LABEL: func.func @primitives
// CHECK-NEXT:    %0 = tir.neg %x : tensor<4x3xf32>
// CHECK-NEXT:    %1 = tir.exp2 %0 : tensor<4x3xf32>
// CHECK-NEXT:    %2 = tir.add %1, %x : tensor<4x3xf32>
// CHECK-NEXT:    %3 = tir.mul %2, %x : tensor<4x3xf32>
// CHECK-NEXT:    %4 = tir.max %3, %x : tensor<4x3xf32>
// CHECK-NEXT:    %5 = tir.reduce_sum %4 [1] : tensor<4x3xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %6 = tir.expand %5 : tensor<4x1xf32> -> tensor<4x3xf32>
// CHECK-NEXT:    %7 = tir.permute %6 [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
// CHECK-NEXT:    %8 = tir.pad %7 [[1, 0], [0, 0]] : tensor<3x4xf32> -> tensor<4x4xf32>
// CHECK-NEXT:    %9 = tir.shrink %8 [[0, 2], [1, 3]] : tensor<4x4xf32> -> tensor<2x2xf32>
// CHECK-NEXT:    %10 = tir.flip %9 [1] : tensor<2x2xf32>
// CHECK-NEXT:    %11 = tir.reshape %10 : tensor<2x2xf32> -> tensor<4xf32>
// CHECK-NEXT:    %12 = tir.iota 0 : tensor<4xi32>
// CHECK-NEXT:    %13 = tir.cast %12 : tensor<4xi32> to tensor<4xf32>
// CHECK-NEXT:    %14 = tir.cmplt %11, %13 : tensor<4xf32>
// CHECK-NEXT:    %15 = tir.where %14, %11, %13 : tensor<4xf32>
// CHECK-NEXT:    func.return %15 : tensor<4xf32>
func.func @primitives(%x: tensor<4x3xf32>) -> tensor<4xf32> {
  %0 = tir.neg %x : tensor<4x3xf32>
  %1 = tir.exp2 %0 : tensor<4x3xf32>
  %2 = tir.add %1, %x : tensor<4x3xf32>
  %3 = tir.mul %2, %x : tensor<4x3xf32>
  %4 = tir.max %3, %x : tensor<4x3xf32>
  %5 = tir.reduce_sum %4 [1] : tensor<4x3xf32> -> tensor<4x1xf32>
  %6 = tir.expand %5 : tensor<4x1xf32> -> tensor<4x3xf32>
  %7 = tir.permute %6 [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %8 = tir.pad %7 [[1, 0], [0, 0]] : tensor<3x4xf32> -> tensor<4x4xf32>
  %9 = tir.shrink %8 [[0, 2], [1, 3]] : tensor<4x4xf32> -> tensor<2x2xf32>
  %10 = tir.flip %9 [1] : tensor<2x2xf32>
  %11 = tir.reshape %10 : tensor<2x2xf32> -> tensor<4xf32>
  %12 = tir.iota 0 : tensor<4xi32>
  %13 = tir.cast %12 : tensor<4xi32> to tensor<4xf32>
  %14 = tir.cmplt %11, %13 : tensor<4xf32>
  %15 = tir.where %14, %11, %13 : tensor<4xf32>
  func.return %15 : tensor<4xf32>
}

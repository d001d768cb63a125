// Gradient rules of the unary primitives. With seeded=true the seed (incoming adjoint) is the new
// last argument, so the ops added before func.return are exactly the rule's output.
// RUN: tinyir-opt %s --split-input-file -p 'tensor-autodiff{seeded=true}' | filecheck %s

func.func @neg(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tir.neg %x : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @neg(%x: tensor<2x3xf32>, %0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT:    %y = tir.neg %x
// CHECK-NEXT:    %[[G:.*]] = tir.neg %0
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @exp2(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tir.exp2 %x : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @exp2
// CHECK:         %[[LN2:.*]] = tir.constant dense<0.693147182> : tensor<2x3xf32>
// CHECK-NEXT:    %[[D:.*]] = tir.mul %y, %[[LN2]]
// CHECK-NEXT:    %[[G:.*]] = tir.mul %0, %[[D]]
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @log2(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tir.log2 %x : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @log2
// CHECK:         %[[LN2:.*]] = tir.constant dense<0.693147182>
// CHECK-NEXT:    %[[XL:.*]] = tir.mul %x, %[[LN2]]
// CHECK-NEXT:    %[[R:.*]] = tir.recip %[[XL]]
// CHECK-NEXT:    %[[G:.*]] = tir.mul %0, %[[R]]
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @sin(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tir.sin %x : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @sin
// CHECK:         %[[HALFPI:.*]] = tir.constant dense<1.57079637>
// CHECK-NEXT:    %[[S:.*]] = tir.add %x, %[[HALFPI]]
// CHECK-NEXT:    %[[COS:.*]] = tir.sin %[[S]]
// CHECK-NEXT:    %[[G:.*]] = tir.mul %0, %[[COS]]
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @sqrt(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tir.sqrt %x : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @sqrt
// CHECK:         %[[TWO:.*]] = tir.constant dense<2.000000e+00>
// CHECK-NEXT:    %[[Y2:.*]] = tir.mul %y, %[[TWO]]
// CHECK-NEXT:    %[[R:.*]] = tir.recip %[[Y2]]
// CHECK-NEXT:    %[[G:.*]] = tir.mul %0, %[[R]]
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

func.func @recip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tir.recip %x : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @recip
// CHECK:         %[[YY:.*]] = tir.mul %y, %y
// CHECK-NEXT:    %[[GYY:.*]] = tir.mul %0, %[[YY]]
// CHECK-NEXT:    %[[G:.*]] = tir.neg %[[GYY]]
// CHECK-NEXT:    func.return %y, %[[G]]

// -----

// cast: the adjoint is cast back to the source's float type
func.func @cast(%x: tensor<2x3xf16>) -> tensor<2x3xf32> {
  %y = tir.cast %x : tensor<2x3xf16> to tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @cast(%x: tensor<2x3xf16>, %0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf16>)
// CHECK:         %[[G:.*]] = tir.cast %0 : tensor<2x3xf32> to tensor<2x3xf16>
// CHECK-NEXT:    func.return %y, %[[G]]

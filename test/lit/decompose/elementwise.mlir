// RUN: tinyir-opt %s -p tensor-decompose | filecheck %s
// The elementwise composites become primitive chains; constants take the operand's type.

// CHECK-LABEL: func.func @sub_f32
// CHECK-NEXT:    %[[N:.*]] = tir.neg %y : tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = tir.add %x, %[[N]] : tensor<4xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @sub_f32(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.sub %x, %y : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @sub_int
// CHECK-NEXT:    %[[N:.*]] = tir.neg %y : tensor<2x2xi8>
// CHECK-NEXT:    tir.add %x, %[[N]] : tensor<2x2xi8>
func.func @sub_int(%x: tensor<2x2xi8>, %y: tensor<2x2xi8>) -> tensor<2x2xi8> {
  %0 = tir.sub %x, %y : tensor<2x2xi8>
  func.return %0 : tensor<2x2xi8>
}

// CHECK-LABEL: func.func @div
// CHECK-NEXT:    %[[R:.*]] = tir.recip %y : tensor<4xf32>
// CHECK-NEXT:    tir.mul %x, %[[R]] : tensor<4xf32>
func.func @div(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.div %x, %y : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @exp
// CHECK-NEXT:    %[[C:.*]] = tir.constant dense<1.44269502> : tensor<4xf32>
// CHECK-NEXT:    %[[M:.*]] = tir.mul %x, %[[C]] : tensor<4xf32>
// CHECK-NEXT:    tir.exp2 %[[M]] : tensor<4xf32>
func.func @exp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.exp %x : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @exp_f16
// CHECK-NEXT:    %[[C:.*]] = tir.constant dense<{{.*}}> : tensor<3xf16>
// CHECK-NEXT:    %[[M:.*]] = tir.mul %x, %[[C]] : tensor<3xf16>
// CHECK-NEXT:    tir.exp2 %[[M]] : tensor<3xf16>
func.func @exp_f16(%x: tensor<3xf16>) -> tensor<3xf16> {
  %0 = tir.exp %x : tensor<3xf16>
  func.return %0 : tensor<3xf16>
}

// CHECK-LABEL: func.func @log
// CHECK-NEXT:    %[[L:.*]] = tir.log2 %x : tensor<4xf32>
// CHECK-NEXT:    %[[C:.*]] = tir.constant dense<0.693147182> : tensor<4xf32>
// CHECK-NEXT:    tir.mul %[[L]], %[[C]] : tensor<4xf32>
func.func @log(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.log %x : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @relu_int
// CHECK-NEXT:    %[[Z:.*]] = tir.constant dense<0> : tensor<2x3xi32>
// CHECK-NEXT:    tir.max %x, %[[Z]] : tensor<2x3xi32>
func.func @relu_int(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = tir.relu %x : tensor<2x3xi32>
  func.return %0 : tensor<2x3xi32>
}

// Nested composites decompose all the way down: no composite is left.
// CHECK-LABEL: func.func @nested
// CHECK-NOT:     tir.{{(sub|div|exp|log|relu) }}
// CHECK:         func.return
func.func @nested(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.sub %x, %y : tensor<4xf32>
  %1 = tir.exp %0 : tensor<4xf32>
  %2 = tir.div %1, %y : tensor<4xf32>
  %3 = tir.relu %2 : tensor<4xf32>
  %4 = tir.log %3 : tensor<4xf32>
  func.return %4 : tensor<4xf32>
}

// RUN: tinyir-opt %s | filecheck %s
// RUN: %roundtrip
// RUN: tinyir-opt %s --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC
// Every tir op in its custom syntax; printed back identically, also after a trip through the
// generic form. The GENERIC lines show how the properties are stored.

// GENERIC: "tir.constant"() <{value = dense<1.500000e+00> : tensor<f32>}> : () -> tensor<2x3xf32>
// GENERIC: "tir.iota"() <{axis = 1 : i64}> : () -> tensor<2x3xi32>
// GENERIC: "tir.where"(%13, %2, %x) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// GENERIC: "tir.reduce_sum"(%x) <{axes = array<i64: 1>}> : (tensor<4x3xf32>) -> tensor<4xf32>
// GENERIC: "tir.permute"(%x) <{perm = array<i64: 1, 0>}> : (tensor<4x3xf32>) -> tensor<3x4xf32>
// GENERIC: "tir.pad"(%x) <{pads = array<i64: 1, 2, 0, 0>}> : (tensor<4x3xf32>) -> tensor<7x3xf32>
// GENERIC: "tir.shrink"(%5) <{bounds = array<i64: 1, 3, 0, 3>}> : (tensor<7x3xf32>) -> tensor<2x3xf32>
// GENERIC: "tir.softmax"(%x) <{axes = array<i64: 1>}> : (tensor<4x3xf32>) -> tensor<4x3xf32>

// CHECK-LABEL: func.func @sources
func.func @sources(%key: tensor<i32>) -> (tensor<2x3xf32>, tensor<2xi32>, tensor<2x3xi32>, tensor<4xf32>, tensor<2xi1>, tensor<4x4xi32>) {
  // CHECK-NEXT: %c = tir.constant dense<1.500000e+00> : tensor<2x3xf32>
  %c = tir.constant dense<1.5> : tensor<2x3xf32>
  // CHECK-NEXT: %d = tir.constant dense<[3, -4]> : tensor<2xi32>
  %d = tir.constant dense<[3, -4]> : tensor<2xi32>
  // CHECK-NEXT: %i = tir.iota 1 : tensor<2x3xi32>
  %i = tir.iota 1 : tensor<2x3xi32>
  // CHECK-NEXT: %f = tir.iota 0 : tensor<4xf32>
  %f = tir.iota 0 : tensor<4xf32>
  // CHECK-NEXT: %b = tir.constant dense<[true, false]> : tensor<2xi1>
  %b = tir.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-NEXT: %r = tir.random_bits %key : tensor<i32> -> tensor<4x4xi32>
  %r = tir.random_bits %key : tensor<i32> -> tensor<4x4xi32>
  func.return %c, %d, %i, %f, %b, %r : tensor<2x3xf32>, tensor<2xi32>, tensor<2x3xi32>, tensor<4xf32>, tensor<2xi1>, tensor<4x4xi32>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<4xf32>, %n: tensor<4xi32>) -> tensor<4xf32> {
  // CHECK-NEXT: %0 = tir.neg %x : tensor<4xf32>
  // CHECK-NEXT: %1 = tir.exp2 %0 : tensor<4xf32>
  // CHECK-NEXT: %2 = tir.log2 %1 : tensor<4xf32>
  // CHECK-NEXT: %3 = tir.sin %2 : tensor<4xf32>
  // CHECK-NEXT: %4 = tir.sqrt %3 : tensor<4xf32>
  // CHECK-NEXT: %5 = tir.recip %4 : tensor<4xf32>
  // CHECK-NEXT: %6 = tir.neg %n : tensor<4xi32>
  // CHECK-NEXT: %7 = tir.cast %6 : tensor<4xi32> to tensor<4xf32>
  // CHECK-NEXT: %8 = tir.bitcast %7 : tensor<4xf32> to tensor<4xi32>
  // CHECK-NEXT: %9 = tir.cast %8 : tensor<4xi32> to tensor<4xi1>
  // CHECK-NEXT: %10 = tir.exp %5 : tensor<4xf32>
  // CHECK-NEXT: %11 = tir.log %10 : tensor<4xf32>
  // CHECK-NEXT: %12 = tir.relu %11 {note = "kept"} : tensor<4xf32>
  %0 = tir.neg %x : tensor<4xf32>
  %1 = tir.exp2 %0 : tensor<4xf32>
  %2 = tir.log2 %1 : tensor<4xf32>
  %3 = tir.sin %2 : tensor<4xf32>
  %4 = tir.sqrt %3 : tensor<4xf32>
  %5 = tir.recip %4 : tensor<4xf32>
  %6 = tir.neg %n : tensor<4xi32>
  %7 = tir.cast %6 : tensor<4xi32> to tensor<4xf32>
  %8 = tir.bitcast %7 : tensor<4xf32> to tensor<4xi32>
  %9 = tir.cast %8 : tensor<4xi32> to tensor<4xi1>
  %10 = tir.exp %5 : tensor<4xf32>
  %11 = tir.log %10 : tensor<4xf32>
  %12 = tir.relu %11 {note = "kept"} : tensor<4xf32>
  func.return %12 : tensor<4xf32>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%x: tensor<4xf32>, %y: tensor<4xf32>, %a: tensor<4xi8>, %b: tensor<4xi8>, %p: tensor<4xi1>, %q: tensor<4xi1>) -> tensor<4xf32> {
  // CHECK-NEXT: %0 = tir.add %x, %y : tensor<4xf32>
  // CHECK-NEXT: %1 = tir.mul %0, %y : tensor<4xf32>
  // CHECK-NEXT: %2 = tir.max %1, %x : tensor<4xf32>
  // CHECK-NEXT: %3 = tir.idiv %a, %b : tensor<4xi8>
  // CHECK-NEXT: %4 = tir.mod %3, %b : tensor<4xi8>
  // CHECK-NEXT: %5 = tir.and %4, %b : tensor<4xi8>
  // CHECK-NEXT: %6 = tir.or %5, %a : tensor<4xi8>
  // CHECK-NEXT: %7 = tir.xor %6, %a : tensor<4xi8>
  // CHECK-NEXT: %8 = tir.shl %7, %a : tensor<4xi8>
  // CHECK-NEXT: %9 = tir.shr %8, %a : tensor<4xi8>
  // CHECK-NEXT: %10 = tir.and %p, %q : tensor<4xi1>
  // CHECK-NEXT: %11 = tir.cmplt %x, %y : tensor<4xf32>
  // CHECK-NEXT: %12 = tir.cmpne %9, %a : tensor<4xi8>
  // CHECK-NEXT: %13 = tir.cmpne %11, %10 : tensor<4xi1>
  // CHECK-NEXT: %14 = tir.where %13, %2, %x : tensor<4xf32>
  // CHECK-NEXT: %15 = tir.sub %14, %y : tensor<4xf32>
  // CHECK-NEXT: %16 = tir.div %15, %y : tensor<4xf32>
  %0 = tir.add %x, %y : tensor<4xf32>
  %1 = tir.mul %0, %y : tensor<4xf32>
  %2 = tir.max %1, %x : tensor<4xf32>
  %3 = tir.idiv %a, %b : tensor<4xi8>
  %4 = tir.mod %3, %b : tensor<4xi8>
  %5 = tir.and %4, %b : tensor<4xi8>
  %6 = tir.or %5, %a : tensor<4xi8>
  %7 = tir.xor %6, %a : tensor<4xi8>
  %8 = tir.shl %7, %a : tensor<4xi8>
  %9 = tir.shr %8, %a : tensor<4xi8>
  %10 = tir.and %p, %q : tensor<4xi1>
  %11 = tir.cmplt %x, %y : tensor<4xf32>
  %12 = tir.cmpne %9, %a : tensor<4xi8>
  %13 = tir.cmpne %11, %10 : tensor<4xi1>
  %14 = tir.where %13, %2, %x : tensor<4xf32>
  %15 = tir.sub %14, %y : tensor<4xf32>
  %16 = tir.div %15, %y : tensor<4xf32>
  func.return %16 : tensor<4xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<4x3xf32>, %s: tensor<f16>, %u: tensor<4x1xui8>) -> tensor<3x4xf32> {
  // CHECK-NEXT: %0 = tir.reduce_sum %x [1] : tensor<4x3xf32> -> tensor<4xf32>
  // CHECK-NEXT: %1 = tir.reduce_max %x [0, 1] : tensor<4x3xf32> -> tensor<1x1xf32>
  // CHECK-NEXT: %2 = tir.reshape %x : tensor<4x3xf32> -> tensor<2x6xf32>
  // CHECK-NEXT: %3 = tir.permute %x [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  // CHECK-NEXT: %4 = tir.expand %u : tensor<4x1xui8> -> tensor<4x5xui8>
  // CHECK-NEXT: %5 = tir.pad %x [[1, 2], [0, 0]] : tensor<4x3xf32> -> tensor<7x3xf32>
  // CHECK-NEXT: %6 = tir.shrink %5 [[1, 3], [0, 3]] : tensor<7x3xf32> -> tensor<2x3xf32>
  // CHECK-NEXT: %7 = tir.flip %x [0] : tensor<4x3xf32>
  // CHECK-NEXT: %8 = tir.flip %x [] : tensor<4x3xf32>
  // CHECK-NEXT: %9 = tir.reshape %s : tensor<f16> -> tensor<1x1xf16>
  // CHECK-NEXT: %10 = tir.pad %s [] : tensor<f16> -> tensor<f16>
  // CHECK-NEXT: %11 = tir.softmax %x [1] : tensor<4x3xf32>
  // CHECK-NEXT: %12 = tir.reduce_sum %x [] : tensor<4x3xf32> -> tensor<4x3xf32>
  %0 = tir.reduce_sum %x [1] : tensor<4x3xf32> -> tensor<4xf32>
  %1 = tir.reduce_max %x [0, 1] : tensor<4x3xf32> -> tensor<1x1xf32>
  %2 = tir.reshape %x : tensor<4x3xf32> -> tensor<2x6xf32>
  %3 = tir.permute %x [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %4 = tir.expand %u : tensor<4x1xui8> -> tensor<4x5xui8>
  %5 = tir.pad %x [[1, 2], [0, 0]] : tensor<4x3xf32> -> tensor<7x3xf32>
  %6 = tir.shrink %5 [[1, 3], [0, 3]] : tensor<7x3xf32> -> tensor<2x3xf32>
  %7 = tir.flip %x [0] : tensor<4x3xf32>
  %8 = tir.flip %x [] : tensor<4x3xf32>
  %9 = tir.reshape %s : tensor<f16> -> tensor<1x1xf16>
  %10 = tir.pad %s [] : tensor<f16> -> tensor<f16>
  %11 = tir.softmax %x [1] : tensor<4x3xf32>
  %12 = tir.reduce_sum %x [] : tensor<4x3xf32> -> tensor<4x3xf32>
  func.return %3 : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %p: tensor<5x2x3xi32>, %q: tensor<5x3x4xi32>) -> tensor<2x4xf32> {
  // CHECK-NEXT: %0 = tir.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  // CHECK-NEXT: %1 = tir.matmul %p, %q : tensor<5x2x3xi32>, tensor<5x3x4xi32> -> tensor<5x2x4xi32>
  %0 = tir.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = tir.matmul %p, %q : tensor<5x2x3xi32>, tensor<5x3x4xi32> -> tensor<5x2x4xi32>
  func.return %0 : tensor<2x4xf32>
}

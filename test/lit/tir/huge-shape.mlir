// RUN: tinyir-opt %s --split-input-file -p tensor-decompose,split-reduce,schedule-kernels,fold-views,shapetracker-to-loop | filecheck %s
// Index arithmetic is i32, except in a kernel where an index may pass 2^31 - 1 (a buffer, a loop or a
// view position that large): that kernel computes its indices in i64 (each loop stays i32; one past
// 2^31 - 1 is split in two). Shapes that are only broadcast or split into ranges keep i32 math.

// a 2^31-element output: its loop is split in two i32 ranges, the index is i64
// CHECK-LABEL: func.func @materialized
// CHECK:         %[[O:.*]] = loop.range 2 global : i32
// CHECK-NEXT:    %[[I:.*]] = loop.range 1073741824 global : i32
// CHECK-NEXT:    %[[OW:.*]] = uop.cast %[[O]] : i32 to i64
// CHECK-NEXT:    %[[IW:.*]] = uop.cast %[[I]] : i32 to i64
// CHECK-NEXT:    %[[K:.*]] = uop.const 1073741824 : i64
// CHECK-NEXT:    %[[M:.*]] = uop.mul %[[OW]], %[[K]] : i64
// CHECK-NEXT:    %[[X:.*]] = uop.add %[[M]], %[[IW]] : i64
// CHECK:         uop.store %out[%[[X]] : i64], %{{.*}} : f32
func.func @materialized(%a: tensor<1xf32>) -> tensor<2147483648xf32> {
  %e = tir.expand %a : tensor<1xf32> -> tensor<2147483648xf32>
  %c = tir.constant dense<1.0> : tensor<2147483648xf32>
  %s = tir.add %e, %c : tensor<2147483648xf32>
  func.return %s : tensor<2147483648xf32>
}

// -----

// a small view of a 2^32-element buffer with a stride of 2^30: small loops, i64 index math
// CHECK-LABEL: func.func @huge_stride
// CHECK:         %[[I0:.*]] = loop.range 8 global : i32
// CHECK-NEXT:    %[[I1:.*]] = loop.range 4 global : i32
// CHECK-NEXT:    %[[W0:.*]] = uop.cast %[[I0]] : i32 to i64
// CHECK-NEXT:    %[[W1:.*]] = uop.cast %[[I1]] : i32 to i64
// CHECK-NEXT:    %[[S:.*]] = uop.const 1073741824 : i64
// CHECK-NEXT:    %[[M:.*]] = uop.mul %[[W1]], %[[S]] : i64
// CHECK-NEXT:    %[[X:.*]] = uop.add %[[W0]], %[[M]] : i64
// CHECK-NEXT:    uop.load %{{.*}}[%[[X]] : i64] : i8
func.func @huge_stride(%a: tensor<4x1073741824xi8>) -> tensor<8x4xi8> {
  %s = tir.shrink %a [[0, 4], [0, 8]] : tensor<4x1073741824xi8> -> tensor<4x8xi8>
  %p = tir.permute %s [1, 0] : tensor<4x8xi8> -> tensor<8x4xi8>
  %c = tir.constant dense<1> : tensor<8x4xi8>
  %r = tir.add %p, %c : tensor<8x4xi8>
  func.return %r : tensor<8x4xi8>
}

// -----

// a loop of 2^31 + 19 = 3 * 715827889 (odd): split by its least factor that lets the inner loop fit
// CHECK-LABEL: func.func @odd_output
// CHECK:         loop.range 3 global : i32
// CHECK-NEXT:    loop.range 715827889 global : i32
// CHECK:         uop.store %out[%{{.*}} : i64]
func.func @odd_output(%a: tensor<1xi8>) -> tensor<2147483667xi8> {
  %e = tir.expand %a : tensor<1xi8> -> tensor<2147483667xi8>
  %c = tir.constant dense<1> : tensor<2147483667xi8>
  %s = tir.add %e, %c : tensor<2147483667xi8>
  func.return %s : tensor<2147483667xi8>
}

// -----

// a 2^31-element splat summed: split in two kernels whose indices are small (i32)
// CHECK-LABEL: func.func @splat_sum
// CHECK-NOT:     i64
// CHECK:         func.return
func.func @splat_sum() -> tensor<f32> {
  %c = tir.constant dense<0.0> : tensor<2147483648xf32>
  %s = tir.reduce_sum %c [0] : tensor<2147483648xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// -----

// 2^31 points of a broadcast, reduced per row: i32
// CHECK-LABEL: func.func @broadcast
// CHECK-NOT:     i64
// CHECK:         func.return
func.func @broadcast(%a: tensor<65536x1xf32>) -> tensor<65536x1xf32> {
  %e = tir.expand %a : tensor<65536x1xf32> -> tensor<65536x32768xf32>
  %s = tir.reduce_sum %e [1] : tensor<65536x32768xf32> -> tensor<65536x1xf32>
  func.return %s : tensor<65536x1xf32>
}

// -----

// a 4096^3 matmul iterates 2^36 points: i32
// CHECK-LABEL: func.func @matmul
// CHECK-NOT:     i64
// CHECK:         func.return
func.func @matmul(%a: tensor<4096x4096xf32>, %b: tensor<4096x4096xf32>) -> tensor<4096x4096xf32> {
  %c = tir.matmul %a, %b : tensor<4096x4096xf32>, tensor<4096x4096xf32> -> tensor<4096x4096xf32>
  func.return %c : tensor<4096x4096xf32>
}

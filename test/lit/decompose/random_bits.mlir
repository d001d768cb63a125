// RUN: tinyir-opt %s -p tensor-decompose | filecheck %s
// random_bits: the lowbias32 hash of (flat index + (key + 1) * 0x9E3779B9), with the logical
// shifts written as arithmetic shr + and-mask; the same function as the numpy reference.

// CHECK-LABEL: func.func @random_2d
// CHECK-NEXT:    %[[K1:.*]] = tir.reshape %key : tensor<i32> -> tensor<1x1xi32>
// CHECK-NEXT:    %[[K:.*]] = tir.expand %[[K1]] : tensor<1x1xi32> -> tensor<3x4xi32>
// CHECK-NEXT:    %[[ONE:.*]] = tir.constant dense<1> : tensor<3x4xi32>
// CHECK-NEXT:    %[[KP:.*]] = tir.add %[[K]], %[[ONE]] : tensor<3x4xi32>
// CHECK-NEXT:    %[[GOLD:.*]] = tir.constant dense<-1640531527> : tensor<3x4xi32>
// CHECK-NEXT:    %[[SEED:.*]] = tir.mul %[[KP]], %[[GOLD]] : tensor<3x4xi32>
// CHECK-NEXT:    %[[FLAT:.*]] = tir.iota 0 : tensor<12xi32>
// CHECK-NEXT:    %[[IDX:.*]] = tir.reshape %[[FLAT]] : tensor<12xi32> -> tensor<3x4xi32>
// CHECK-NEXT:    %[[H0:.*]] = tir.add %[[SEED]], %[[IDX]] : tensor<3x4xi32>
// CHECK-NEXT:    %[[S16:.*]] = tir.constant dense<16> : tensor<3x4xi32>
// CHECK-NEXT:    %[[SH:.*]] = tir.shr %[[H0]], %[[S16]] : tensor<3x4xi32>
// CHECK-NEXT:    %[[MASK:.*]] = tir.constant dense<65535> : tensor<3x4xi32>
// CHECK-NEXT:    %[[LOW:.*]] = tir.and %[[SH]], %[[MASK]] : tensor<3x4xi32>
// CHECK-NEXT:    %[[H1:.*]] = tir.xor %[[H0]], %[[LOW]] : tensor<3x4xi32>
// CHECK-NEXT:    %[[C1:.*]] = tir.constant dense<2146121005> : tensor<3x4xi32>
// CHECK-NEXT:    %[[H2:.*]] = tir.mul %[[H1]], %[[C1]] : tensor<3x4xi32>
// CHECK-NEXT:    tir.constant dense<15> : tensor<3x4xi32>
// CHECK-NEXT:    tir.shr %[[H2]]
// CHECK-NEXT:    tir.constant dense<131071> : tensor<3x4xi32>
// CHECK-NEXT:    tir.and
// CHECK-NEXT:    %[[H3:.*]] = tir.xor %[[H2]]
// CHECK-NEXT:    tir.constant dense<-2073254261> : tensor<3x4xi32>
// CHECK-NEXT:    %[[H4:.*]] = tir.mul %[[H3]]
// CHECK-NEXT:    tir.constant dense<16> : tensor<3x4xi32>
// CHECK-NEXT:    tir.shr %[[H4]]
// CHECK-NEXT:    tir.constant dense<65535> : tensor<3x4xi32>
// CHECK-NEXT:    tir.and
// CHECK-NEXT:    %[[R:.*]] = tir.xor %[[H4]]
// CHECK-NEXT:    func.return %[[R]] : tensor<3x4xi32>
func.func @random_2d(%key: tensor<i32>) -> tensor<3x4xi32> {
  %0 = tir.random_bits %key : tensor<i32> -> tensor<3x4xi32>
  func.return %0 : tensor<3x4xi32>
}

// A 1-d result needs no reshape of the flat index.
// CHECK-LABEL: func.func @random_1d
// CHECK:         tir.iota 0 : tensor<8xi32>
// CHECK-NOT:     tir.reshape {{.*}} tensor<8xi32> ->
// CHECK:         func.return
func.func @random_1d(%key: tensor<i32>) -> tensor<8xi32> {
  %0 = tir.random_bits %key : tensor<i32> -> tensor<8xi32>
  func.return %0 : tensor<8xi32>
}

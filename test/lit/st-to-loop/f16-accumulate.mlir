// RUN: tinyir-opt %s -p shapetracker-to-loop | filecheck %s
// f16 sums accumulate in f32 and are cast back once, after the reduce; a product feeding the sum
// is computed in f32 from its cast operands (exact for f16), so a matmul matches PyTorch's.

// The mul of a matmul: both operands cast, the f16 mul is gone, the reduce and the epilogue see f32/f16.
// CHECK-LABEL: func.func @dot
// CHECK:      %r0 = loop.range 64 reduce : i32
// CHECK:      %u = uop.load %x[%r0] : f16
// CHECK:      %v = uop.load %y[%r0] : f16
// CHECK-NEXT: %[[A:.*]] = uop.cast %u : f16 to f32
// CHECK-NEXT: %[[B:.*]] = uop.cast %v : f16 to f32
// CHECK-NEXT: %[[P:.*]] = uop.mul %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = loop.reduce add %[[P]] over %r0 : f32
// CHECK-NEXT: %[[C:.*]] = uop.cast %[[S]] : f32 to f16
// CHECK-NEXT: %e = uop.add %[[C]], %[[C]] : f16
// CHECK-NEXT: %{{.*}} = uop.const 0 : i32
// CHECK-NEXT: uop.store %o[%{{.*}}], %e : f16
func.func @dot(%a: !st.buffer<64xf16>, %b: !st.buffer<64xf16>) -> !st.buffer<1xf16> {
  %t = st.alloc : !st.buffer<1xf16>
  st.kernel "k0" (%t, %a, %b) : !st.buffer<1xf16>, !st.buffer<64xf16>, !st.buffer<64xf16> {
  ^bb0(%o: !st.buffer<1xf16>, %x: !st.buffer<64xf16>, %y: !st.buffer<64xf16>):
    %u = st.load %x [#st.view<[64], [1], 0>] : tensor<64xf16>
    %v = st.load %y [#st.view<[64], [1], 0>] : tensor<64xf16>
    %p = tir.mul %u, %v : tensor<64xf16>
    %s = tir.reduce_sum %p [0] : tensor<64xf16> -> tensor<1xf16>
    %e = tir.add %s, %s : tensor<1xf16>
    st.store %o [#st.view<[1], [0], 0>], %e : tensor<1xf16>
  }
  func.return %t : !st.buffer<1xf16>
}

// Any other f16 value is cast to f32 before the sum.
// CHECK-LABEL: func.func @row_sum
// CHECK:      %v = uop.load %x[%{{.*}}] : f16
// CHECK-NEXT: %[[W:.*]] = uop.cast %v : f16 to f32
// CHECK-NEXT: %[[S:.*]] = loop.reduce add %[[W]] over %r1 : f32
// CHECK-NEXT: %[[C:.*]] = uop.cast %[[S]] : f32 to f16
// CHECK-NEXT: uop.store %o[%i0], %[[C]] : f16
func.func @row_sum(%a: !st.buffer<4x8xf16>) -> !st.buffer<4x1xf16> {
  %t = st.alloc : !st.buffer<4x1xf16>
  st.kernel "k1" (%t, %a) : !st.buffer<4x1xf16>, !st.buffer<4x8xf16> {
  ^bb0(%o: !st.buffer<4x1xf16>, %x: !st.buffer<4x8xf16>):
    %v = st.load %x [#st.view<[4, 8], [8, 1], 0>] : tensor<4x8xf16>
    %s = tir.reduce_sum %v [1] : tensor<4x8xf16> -> tensor<4x1xf16>
    st.store %o [#st.view<[4, 1], [1, 0], 0>], %s : tensor<4x1xf16>
  }
  func.return %t : !st.buffer<4x1xf16>
}

// Left alone: an f16 product that has another use stays (the sum gets its own f32 product); max
// over f16 stays f16 (exact); f32 sums are not cast.
// CHECK-LABEL: func.func @left_alone
// CHECK:      %p = uop.mul %u, %u : f16
// CHECK-NEXT: %q = uop.add %p, %p : f16
// CHECK-NEXT: %[[A:.*]] = uop.cast %u : f16 to f32
// CHECK-NEXT: %[[B:.*]] = uop.cast %u : f16 to f32
// CHECK-NEXT: %[[P:.*]] = uop.mul %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = loop.reduce add %[[P]] over %r0 : f32
// CHECK-NEXT: %{{.*}} = uop.cast %[[S]] : f32 to f16
// CHECK:      %m = loop.reduce max %p over %r0 : f16
// CHECK-NEXT: %{{.*}} = uop.const 0 : i32
// CHECK-NEXT: uop.store %o[%{{.*}}], %m : f16
// CHECK:      %s = loop.reduce add %u over %r0 : f32
// CHECK-NEXT: %{{.*}} = uop.const 0 : i32
// CHECK-NEXT: uop.store %o[%{{.*}}], %s : f32
func.func @left_alone(%a: !st.buffer<16xf16>, %b: !st.buffer<16xf32>) -> (!st.buffer<1xf16>, !st.buffer<1xf16>, !st.buffer<1xf32>) {
  %t = st.alloc : !st.buffer<1xf16>
  %t2 = st.alloc : !st.buffer<1xf16>
  %t3 = st.alloc : !st.buffer<1xf32>
  st.kernel "k2" (%t, %a) : !st.buffer<1xf16>, !st.buffer<16xf16> {
  ^bb0(%o: !st.buffer<1xf16>, %x: !st.buffer<16xf16>):
    %u = st.load %x [#st.view<[16], [1], 0>] : tensor<16xf16>
    %p = tir.mul %u, %u : tensor<16xf16>
    %q = tir.add %p, %p : tensor<16xf16>
    %s = tir.reduce_sum %p [0] : tensor<16xf16> -> tensor<1xf16>
    st.store %o [#st.view<[1], [0], 0>], %s : tensor<1xf16>
  }
  st.kernel "k3" (%t2, %a) : !st.buffer<1xf16>, !st.buffer<16xf16> {
  ^bb0(%o: !st.buffer<1xf16>, %x: !st.buffer<16xf16>):
    %u = st.load %x [#st.view<[16], [1], 0>] : tensor<16xf16>
    %p = tir.mul %u, %u : tensor<16xf16>
    %m = tir.reduce_max %p [0] : tensor<16xf16> -> tensor<1xf16>
    st.store %o [#st.view<[1], [0], 0>], %m : tensor<1xf16>
  }
  st.kernel "k4" (%t3, %b) : !st.buffer<1xf32>, !st.buffer<16xf32> {
  ^bb0(%o: !st.buffer<1xf32>, %x: !st.buffer<16xf32>):
    %u = st.load %x [#st.view<[16], [1], 0>] : tensor<16xf32>
    %s = tir.reduce_sum %u [0] : tensor<16xf32> -> tensor<1xf32>
    st.store %o [#st.view<[1], [0], 0>], %s : tensor<1xf32>
  }
  func.return %t, %t2, %t3 : !st.buffer<1xf16>, !st.buffer<1xf16>, !st.buffer<1xf32>
}

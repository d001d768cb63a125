// RUN: tinyir-opt %s -p split-reduce | filecheck %s
// RUN: tinyir-opt %s -p split-reduce,schedule-kernels | filecheck %s --check-prefix=KERNELS
// A reduce of >= 2^15 elements per output: the reduced dim n becomes (s, n/s) with s the largest
// divisor <= 256, the n/s are reduced first (s partials per output), then the s partials.

// 2^20 elements to one: 256 partials of 4096 contiguous elements, then their sum.
// CHECK-LABEL: func.func @full_sum
// CHECK-NEXT:  %[[R:.*]] = tir.reshape %a : tensor<1048576xf32> -> tensor<256x4096xf32>
// CHECK-NEXT:  %[[P:.*]] = tir.reduce_sum %[[R]] [1] : tensor<256x4096xf32> -> tensor<256x1xf32>
// CHECK-NEXT:  %[[T:.*]] = tir.reduce_sum %[[P]] [0] : tensor<256x1xf32> -> tensor<1x1xf32>
// CHECK-NEXT:  %[[O:.*]] = tir.reshape %[[T]] : tensor<1x1xf32> -> tensor<f32>
// CHECK-NEXT:  func.return %[[O]] : tensor<f32>
// The scheduler makes two kernels of it: 256 partial sums, then one sum of them.
// KERNELS-LABEL: func.func @full_sum
// KERNELS:       st.alloc : !st.buffer<256x1xf32>
// KERNELS:       st.kernel "k0"
// KERNELS:       tir.reduce_sum %{{.*}} [1] : tensor<256x4096xf32> -> tensor<256x1xf32>
// KERNELS:       st.kernel "k1"
// KERNELS:       tir.reduce_sum %{{.*}} [0] : tensor<256x1xf32> -> tensor<1x1xf32>
func.func @full_sum(%a: tensor<1048576xf32>) -> tensor<f32> {
  %s = tir.reduce_sum %a [0] : tensor<1048576xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// Several outputs and several reduced axes (keepdims): the first reduced dim that has a divisor is
// split; the inner reduce covers its inner half and the other reduced axes.
// CHECK-LABEL: func.func @keepdims
// CHECK-NEXT:  %[[R:.*]] = tir.reshape %a : tensor<2x512x128xi32> -> tensor<2x256x2x128xi32>
// CHECK-NEXT:  %[[P:.*]] = tir.reduce_max %[[R]] [2, 3] : tensor<2x256x2x128xi32> -> tensor<2x256x1x1xi32>
// CHECK-NEXT:  %[[T:.*]] = tir.reduce_max %[[P]] [1] : tensor<2x256x1x1xi32> -> tensor<2x1x1x1xi32>
// CHECK-NEXT:  %[[O:.*]] = tir.reshape %[[T]] : tensor<2x1x1x1xi32> -> tensor<2x1x1xi32>
// CHECK-NEXT:  func.return %[[O]]
func.func @keepdims(%a: tensor<2x512x128xi32>) -> tensor<2x1x1xi32> {
  %m = tir.reduce_max %a [1, 2] : tensor<2x512x128xi32> -> tensor<2x1x1xi32>
  func.return %m : tensor<2x1x1xi32>
}

// No divisor of 40000 in [8, 256] is 256, 250 is: 250 partials of 160.
// CHECK-LABEL: func.func @divisor
// CHECK-NEXT:  tir.reshape %a : tensor<40000xf32> -> tensor<250x160xf32>
func.func @divisor(%a: tensor<40000xf32>) -> tensor<f32> {
  %s = tir.reduce_sum %a [0] : tensor<40000xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// An f16 sum is split in f32 (the partials are stored between the kernels), the product feeding it
// is taken in f32, and the result is cast back to f16 once.
// CHECK-LABEL: func.func @f16_dot
// CHECK-NEXT:  %[[A:.*]] = tir.cast %a : tensor<65536xf16> to tensor<65536xf32>
// CHECK-NEXT:  %[[B:.*]] = tir.cast %b : tensor<65536xf16> to tensor<65536xf32>
// CHECK-NEXT:  %[[M:.*]] = tir.mul %[[A]], %[[B]] : tensor<65536xf32>
// CHECK-NEXT:  %[[R:.*]] = tir.reshape %[[M]] : tensor<65536xf32> -> tensor<256x256xf32>
// CHECK-NEXT:  %[[P:.*]] = tir.reduce_sum %[[R]] [1] : tensor<256x256xf32> -> tensor<256x1xf32>
// CHECK-NEXT:  %[[T:.*]] = tir.reduce_sum %[[P]] [0] : tensor<256x1xf32> -> tensor<1x1xf32>
// CHECK-NEXT:  %[[O:.*]] = tir.reshape %[[T]] : tensor<1x1xf32> -> tensor<f32>
// CHECK-NEXT:  %[[C:.*]] = tir.cast %[[O]] : tensor<f32> to tensor<f16>
// CHECK-NEXT:  func.return %[[C]] : tensor<f16>
func.func @f16_dot(%a: tensor<65536xf16>, %b: tensor<65536xf16>) -> tensor<f16> {
  %p = tir.mul %a, %b : tensor<65536xf16>
  %s = tir.reduce_sum %p [0] : tensor<65536xf16> -> tensor<f16>
  func.return %s : tensor<f16>
}

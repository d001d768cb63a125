// RUN: tinyir-opt %s --split-input-file -p shapetracker-to-loop | filecheck %s
// A row kernel (softmax): one global range per row, then each reduce and the outputs loop over the
// row on their own ranges (reduce, reduce, serial). The loads each of them needs are cloned; a
// reduce result expanded over the row is the reduce's value itself.

func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<4x8xf32> {
  %t = st.alloc : !st.buffer<4x8xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4x8xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<4x8xf32>, %x: !st.buffer<4x8xf32>):
    %v = st.load %x [#st.view<[4, 8], [8, 1], 0>] : tensor<4x8xf32>
    %m = tir.reduce_max %v [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %me = tir.expand %m : tensor<4x1xf32> -> tensor<4x8xf32>
    %nm = tir.neg %me : tensor<4x8xf32>
    %d = tir.add %v, %nm : tensor<4x8xf32>
    %e = tir.exp2 %d : tensor<4x8xf32>
    %s = tir.reduce_sum %e [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %se = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
    %r = tir.recip %se : tensor<4x8xf32>
    %y = tir.mul %e, %r : tensor<4x8xf32>
    st.store %o [#st.view<[4, 8], [8, 1], 0>], %y : tensor<4x8xf32>
  }
  func.return %t : !st.buffer<4x8xf32>
}

// CHECK:      loop.kernel "k0"
// CHECK:        %[[I:.*]] = loop.range 4 global : i32
// CHECK-NEXT:   %[[R:.*]] = loop.range 8 reduce : i32
// CHECK-NEXT:   %[[R2:.*]] = loop.range 8 reduce : i32
// CHECK-NEXT:   %[[J:.*]] = loop.range 8 serial : i32
// CHECK:        uop.add %{{.*}}, %[[J]] : i32
// CHECK:        uop.add %{{.*}}, %[[R]] : i32
// CHECK-NEXT:   %[[V:.*]] = uop.load
// CHECK-NEXT:   %m = loop.reduce max %[[V]] over %[[R]] : f32
// CHECK-NOT:    tir.expand
// CHECK:        %[[NM:.*]] = uop.neg %m : f32
// CHECK:        uop.add %{{.*}}, %[[R2]] : i32
// CHECK:        uop.neg %m : f32
// CHECK:        %s = loop.reduce add %{{.*}} over %[[R2]] : f32
// CHECK-NEXT:   %r = uop.recip %s : f32
// CHECK:        uop.store %o[%{{.*}}], %{{.*}} : f32

// -----

// One value per row stored (a variance's shape): no serial range; the per-row constant is read
// once per row (out indices).
func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<4xf32> {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>):
    %v = st.load %x [#st.view<[4, 8], [8, 1], 0>] : tensor<4x8xf32>
    %s = tir.reduce_sum %v [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %n = st.const 0.125 [#st.view<[4, 1], [0, 0], 0>] : tensor<4x1xf32>
    %mean = tir.mul %s, %n : tensor<4x1xf32>
    %me = tir.expand %mean : tensor<4x1xf32> -> tensor<4x8xf32>
    %nm = tir.neg %me : tensor<4x8xf32>
    %d = tir.add %v, %nm : tensor<4x8xf32>
    %sq = tir.mul %d, %d : tensor<4x8xf32>
    %q = tir.reduce_sum %sq [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %qr = tir.reshape %q : tensor<4x1xf32> -> tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %qr : tensor<4xf32>
  }
  func.return %t : !st.buffer<4xf32>
}

// CHECK:      loop.kernel "k0"
// CHECK:        %[[I:.*]] = loop.range 4 global : i32
// CHECK-NEXT:   %[[R:.*]] = loop.range 8 reduce : i32
// CHECK-NEXT:   %[[R2:.*]] = loop.range 8 reduce : i32
// CHECK-NOT:    serial
// CHECK:        %s = loop.reduce add %{{.*}} over %[[R]] : f32
// CHECK:        %mean = uop.mul %s, %{{.*}} : f32
// CHECK:        %q = loop.reduce add %{{.*}} over %[[R2]] : f32
// CHECK-NEXT:   uop.store %o[%[[I]]], %q : f32

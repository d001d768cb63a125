// RUN: tinyir-opt %s -p 'kernel-optimize{actions="local:0:4,group:1:16,unroll:1:2"},loop-to-uop' | filecheck %s
// A kernel with work-group ranges gets wgid/lidx specials (last = 0). A grouped reduce: each thread
// sums its part, stores its partial (to local memory declared up front) at its linear local id, a barrier, then every thread combines
// its group's partials from local memory; only the group's thread 0 stores to global memory.
// The unrolled copies (16 elements apart) go into the accumulator one after the other.

// CHECK:      %i0 = uop.special "wgid0" 2 : i32
// CHECK-NEXT: %i0_l = uop.special "lidx1" 4 : i32
// CHECK-NEXT: %r1_g = uop.special "lidx0" 16 : i32
// CHECK-NEXT: %[[LOCAL:.*]] = uop.define_local : !st.buffer<64xf32>
// CHECK:      %[[ACC:.*]] = uop.define_acc 0.0 : f32
// CHECK-NEXT: %r1 = uop.range 0, 32 : i32
// CHECK:      %[[A:.*]] = uop.load %1[%{{.*}}] : f32
// CHECK-NEXT: %[[B:.*]] = uop.load %1[%{{.*}}] : f32
// CHECK-NEXT: %[[S1:.*]] = uop.add %[[ACC]], %[[A]] : f32
// CHECK-NEXT: %[[S:.*]] = uop.add %[[S1]], %[[B]] : f32
// CHECK-NEXT: uop.assign %[[ACC]], %[[S]] : f32
// CHECK-NEXT: uop.endrange %r1
// CHECK:      uop.store %[[LOCAL]][%[[MINE:.*]]], %[[ACC]] : f32
// CHECK-NEXT: uop.barrier
// CHECK-NEXT: %[[TOTAL:.*]] = uop.define_acc 0.0 : f32
// CHECK-NEXT: %[[K:.*]] = uop.range 0, 16 : i32
// CHECK:      %[[P:.*]] = uop.load %[[LOCAL]][%{{.*}}] : f32
// CHECK-NEXT: %[[T:.*]] = uop.add %[[TOTAL]], %[[P]] : f32
// CHECK-NEXT: uop.assign %[[TOTAL]], %[[T]] : f32
// CHECK-NEXT: uop.endrange %[[K]]
// CHECK:      %[[FIRST:.*]] = uop.cmplt %r1_g, %{{.*}} : i32
// CHECK-NEXT: uop.store %out[%{{.*}}], %[[TOTAL]], %[[FIRST]] : f32
func.func @main(%a: !st.buffer<8x1024xf32>) -> !st.buffer<8xf32> {
  %0 = st.alloc : !st.buffer<8xf32>
  loop.kernel "k0"(%0, %a) : !st.buffer<8xf32>, !st.buffer<8x1024xf32> {
  ^bb0(%out: !st.buffer<8xf32>, %1: !st.buffer<8x1024xf32>):
    %i0 = loop.range 8 global : i32
    %r1 = loop.range 1024 reduce : i32
    %2 = uop.const 1024 : i32
    %3 = uop.mul %i0, %2 : i32
    %4 = uop.add %3, %r1 : i32
    %a_1 = uop.load %1[%4] : f32
    %c = loop.reduce add %a_1 over %r1 : f32
    uop.store %out[%i0], %c : f32
  }
  func.return %0 : !st.buffer<8xf32>
}

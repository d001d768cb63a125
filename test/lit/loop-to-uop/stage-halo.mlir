// RUN: tinyir-opt %s -p 'kernel-optimize{actions="local:1:8,local:0:4,stage:2:2"},loop-to-uop' | filecheck %s
// HALO (tinyir/passes/stage.py): a padded 1-d window out[o, x] = sum over k, w of in[k, x + w - 1] *
// wt[o, k, w], gated by 1 <= x + w < 17. The chunk holds 2 channels and the whole window; the input's
// index and gate read x's thread range and w only as x + w, so its tile is 2 channels x (8 + 3 - 1)
// columns (20 elements, not 2 x 8 x 3 = 48), copied with w = 0 and read at x + w. The weights' tile is
// 4 x 2 x 3. In @gated_alone the gate also bounds x by itself (x < 15): the sum rule does not hold,
// and the tile keeps its 48 elements.

// CHECK-LABEL: func.func @halo
// CHECK:      %[[TIN:.*]] = uop.define_local : !st.buffer<20xf32>
// CHECK-NEXT: %{{.*}} = uop.define_local : !st.buffer<24xf32>
// CHECK:      uop.barrier
// CHECK:      %[[W:.*]] = uop.range 0, 3 : i32
// CHECK:      %[[AT:.*]] = uop.add %{{.*}}, %[[W]] : i32
// CHECK:      %x = uop.load %[[TIN]][%{{.*}}] : f32
// CHECK-LABEL: func.func @gated_alone
// CHECK:      uop.define_local : !st.buffer<48xf32>
// CHECK-NEXT: uop.define_local : !st.buffer<24xf32>
func.func @halo(%a: !st.buffer<4x16xf32>, %b: !st.buffer<4x4x3xf32>) -> !st.buffer<4x16xf32> {
  %0 = st.alloc : !st.buffer<4x16xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<4x16xf32>, !st.buffer<4x16xf32>, !st.buffer<4x4x3xf32> {
  ^bb0(%out: !st.buffer<4x16xf32>, %1: !st.buffer<4x16xf32>, %2: !st.buffer<4x4x3xf32>):
    %i0 = loop.range 4 global : i32
    %i1 = loop.range 16 global : i32
    %r2 = loop.range 4 reduce : i32
    %r3 = loop.range 3 reduce : i32
    %c16 = uop.const 16 : i32
    %c17 = uop.const 17 : i32
    %c0 = uop.const 0 : i32
    %cm1 = uop.const -1 : i32
    %3 = uop.mul %r2, %c16 : i32
    %4 = uop.add %3, %i1 : i32
    %5 = uop.add %4, %r3 : i32
    %6 = uop.add %5, %cm1 : i32
    %s = uop.add %i1, %r3 : i32
    %g0 = uop.cmplt %c0, %s : i32
    %g1 = uop.cmplt %s, %c17 : i32
    %g = uop.and %g0, %g1 : i1
    %x = uop.load %1[%6], %g : f32
    %c12 = uop.const 12 : i32
    %c3 = uop.const 3 : i32
    %7 = uop.mul %i0, %c12 : i32
    %8 = uop.mul %r2, %c3 : i32
    %9 = uop.add %7, %8 : i32
    %10 = uop.add %9, %r3 : i32
    %y = uop.load %2[%10] : f32
    %p = uop.mul %x, %y : f32
    %sum = loop.reduce add %p over %r2, %r3 : f32
    %11 = uop.mul %i0, %c16 : i32
    %12 = uop.add %11, %i1 : i32
    uop.store %out[%12], %sum : f32
  }
  func.return %0 : !st.buffer<4x16xf32>
}
func.func @gated_alone(%a: !st.buffer<4x16xf32>, %b: !st.buffer<4x4x3xf32>) -> !st.buffer<4x16xf32> {
  %0 = st.alloc : !st.buffer<4x16xf32>
  loop.kernel "k1"(%0, %a, %b) : !st.buffer<4x16xf32>, !st.buffer<4x16xf32>, !st.buffer<4x4x3xf32> {
  ^bb0(%out: !st.buffer<4x16xf32>, %1: !st.buffer<4x16xf32>, %2: !st.buffer<4x4x3xf32>):
    %i0 = loop.range 4 global : i32
    %i1 = loop.range 16 global : i32
    %r2 = loop.range 4 reduce : i32
    %r3 = loop.range 3 reduce : i32
    %c16 = uop.const 16 : i32
    %c17 = uop.const 17 : i32
    %c15 = uop.const 15 : i32
    %c0 = uop.const 0 : i32
    %cm1 = uop.const -1 : i32
    %3 = uop.mul %r2, %c16 : i32
    %4 = uop.add %3, %i1 : i32
    %5 = uop.add %4, %r3 : i32
    %6 = uop.add %5, %cm1 : i32
    %s = uop.add %i1, %r3 : i32
    %g0 = uop.cmplt %c0, %s : i32
    %g1 = uop.cmplt %s, %c17 : i32
    %g2 = uop.cmplt %i1, %c15 : i32
    %g3 = uop.and %g0, %g1 : i1
    %g = uop.and %g3, %g2 : i1
    %x = uop.load %1[%6], %g : f32
    %c12 = uop.const 12 : i32
    %c3 = uop.const 3 : i32
    %7 = uop.mul %i0, %c12 : i32
    %8 = uop.mul %r2, %c3 : i32
    %9 = uop.add %7, %8 : i32
    %10 = uop.add %9, %r3 : i32
    %y = uop.load %2[%10] : f32
    %p = uop.mul %x, %y : f32
    %sum = loop.reduce add %p over %r2, %r3 : f32
    %11 = uop.mul %i0, %c16 : i32
    %12 = uop.add %11, %i1 : i32
    uop.store %out[%12], %sum : f32
  }
  func.return %0 : !st.buffer<4x16xf32>
}

// RUN: tinyir-opt %s -p 'kernel-optimize{actions="upcast:1:2,upcast:0:2"},loop-to-uop' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{actions="upcast:0:0,upcast:1:0,unroll:2:0"},loop-to-uop' | filecheck %s --check-prefix=FULL
// Upcast ranges become copies: a 2x2 register tile is four accumulators in one loop nest, four
// loads of each input per iteration (two of them shared), four stores. Expanding every range
// leaves no loop at all: the copies are summed in order.

// CHECK:      uop.special "gidx1" 2 : i32
// CHECK-NEXT: uop.special "gidx0" 2 : i32
// CHECK-COUNT-4: uop.define_acc 0.0 : f32
// CHECK-NEXT: %r2 = uop.range 0, 4 : i32
// CHECK-COUNT-4: uop.load
// CHECK-COUNT-4: uop.mul %{{.*}}, %{{.*}} : f32
// CHECK-COUNT-4: uop.assign
// CHECK-NEXT: uop.endrange %r2
// CHECK-COUNT-4: uop.store %out
// CHECK-NOT:  uop.store

// FULL-NOT:   uop.range
// FULL-NOT:   uop.define_acc
// FULL-COUNT-16: uop.store %out
func.func @main(%a: !st.buffer<4x4xf32>, %b: !st.buffer<4x4xf32>) -> !st.buffer<4x4xf32> {
  %0 = st.alloc : !st.buffer<4x4xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<4x4xf32>, !st.buffer<4x4xf32>, !st.buffer<4x4xf32> {
  ^bb0(%out: !st.buffer<4x4xf32>, %1: !st.buffer<4x4xf32>, %2: !st.buffer<4x4xf32>):
    %i0 = loop.range 4 global : i32
    %i1 = loop.range 4 global : i32
    %r2 = loop.range 4 reduce : i32
    %c4 = uop.const 4 : i32
    %3 = uop.mul %i0, %c4 : i32
    %4 = uop.add %3, %r2 : i32
    %x = uop.load %1[%4] : f32
    %5 = uop.mul %r2, %c4 : i32
    %6 = uop.add %5, %i1 : i32
    %y = uop.load %2[%6] : f32
    %xy = uop.mul %x, %y : f32
    %s = loop.reduce add %xy over %r2 : f32
    %7 = uop.mul %i0, %c4 : i32
    %8 = uop.add %7, %i1 : i32
    uop.store %out[%8], %s : f32
  }
  func.return %0 : !st.buffer<4x4xf32>
}

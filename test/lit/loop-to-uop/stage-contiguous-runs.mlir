// RUN: tinyir-opt %s -p 'kernel-optimize{actions="local:1:8,stage:2:32"},loop-to-uop,uop-simplify,uop-vectorize{width=4}' | filecheck %s
// CONTIGUOUS-RUNS (tinyir/passes/contiguous_copy.py): the weights' tile of a chunk, wt[o, 0..31, 0..2],
// ends in the 3-wide window, so its innermost dimension gives no run of 4; but the chunk's channels and
// window are 96 contiguous elements of global memory (strides 3 and 1), so the 8 threads copy runs of
// 4 of that stretch: one index per run, +1, +2, +3, which uop-vectorize merges into one vload each
// (3 rounds of 8 threads). (The input is not staged: each thread reads its own column's elements.)

// CHECK:      %[[TW:.*]] = uop.define_local : !st.buffer<96xf32>
// CHECK:      uop.vload %2[%{{.*}}] : 4 x f32
// CHECK:      uop.vload %2[%{{.*}}] : 4 x f32
// CHECK:      uop.vload %2[%{{.*}}] : 4 x f32
// CHECK-NOT:  uop.vload
// CHECK:      uop.barrier
func.func @main(%a: !st.buffer<32x8xf32>, %b: !st.buffer<4x32x3xf32>) -> !st.buffer<4x8xf32> {
  %0 = st.alloc : !st.buffer<4x8xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<4x8xf32>, !st.buffer<32x8xf32>, !st.buffer<4x32x3xf32> {
  ^bb0(%out: !st.buffer<4x8xf32>, %1: !st.buffer<32x8xf32>, %2: !st.buffer<4x32x3xf32>):
    %i0 = loop.range 4 global : i32
    %i1 = loop.range 8 global : i32
    %r2 = loop.range 32 reduce : i32
    %r3 = loop.range 3 reduce : i32
    %c8 = uop.const 8 : i32
    %c9 = uop.const 9 : i32
    %c0 = uop.const 0 : i32
    %cm1 = uop.const -1 : i32
    %3 = uop.mul %r2, %c8 : i32
    %4 = uop.add %3, %i1 : i32
    %5 = uop.add %4, %r3 : i32
    %6 = uop.add %5, %cm1 : i32
    %s = uop.add %i1, %r3 : i32
    %g0 = uop.cmplt %c0, %s : i32
    %g1 = uop.cmplt %s, %c9 : i32
    %g = uop.and %g0, %g1 : i1
    %x = uop.load %1[%6], %g : f32
    %c96 = uop.const 96 : i32
    %c3 = uop.const 3 : i32
    %7 = uop.mul %i0, %c96 : i32
    %8 = uop.mul %r2, %c3 : i32
    %9 = uop.add %7, %8 : i32
    %10 = uop.add %9, %r3 : i32
    %y = uop.load %2[%10] : f32
    %p = uop.mul %x, %y : f32
    %sum = loop.reduce add %p over %r2, %r3 : f32
    %11 = uop.mul %i0, %c8 : i32
    %12 = uop.add %11, %i1 : i32
    uop.store %out[%12], %sum : f32
  }
  func.return %0 : !st.buffer<4x8xf32>
}

// RUN: tinyir-opt %s -p 'kernel-optimize{actions="local:0:4,local:1:8,stage:2:4"},loop-to-uop' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{actions="local:0:4,local:1:8,stage:2:4"},loop-to-uop,uop-simplify,uop-to-opencl' -t opencl | filecheck %s --check-prefix=OPENCL
// A staged chunk (tinyir/passes/stage.py): the reduce loop runs over chunks of 4; per chunk the 32
// threads copy the two tiles their loads share (A: 4 rows x 4, each read by the 8 threads of a row;
// B: 4 x 8 columns), thread t taking element t in global order (the last 16 threads of the 32 copy
// nothing of A's 16) and storing it at its tile position; a barrier; the chunk's loop reads the
// tiles; a barrier before the next chunk's copy.

// CHECK:      %[[TA:.*]] = uop.define_local : !st.buffer<16xf32>
// CHECK-NEXT: %[[TB:.*]] = uop.define_local : !st.buffer<32xf32>
// CHECK:      %s = uop.define_acc 0.0 : f32
// CHECK-NEXT: %r2 = uop.range 0, 8 : i32
// CHECK:      %[[TID:.*]] = uop.add %i1_l, %{{.*}} : i32
// CHECK:      %[[IN:.*]] = uop.cmplt %[[TID]], %{{.*}} : i32
// CHECK:      %[[A:.*]] = uop.load %1[%{{.*}}], %[[IN]] : f32
// CHECK:      uop.store %[[TA]][%{{.*}}], %[[A]], %[[IN]] : f32
// CHECK:      %[[B:.*]] = uop.load %2[%{{.*}}] : f32
// CHECK:      uop.store %[[TB]][%{{.*}}], %[[B]] : f32
// CHECK-NEXT: uop.barrier
// CHECK-NEXT: %r2_s = uop.range 0, 4 : i32
// CHECK:      %x = uop.load %[[TA]][%{{.*}}] : f32
// CHECK:      %y = uop.load %[[TB]][%{{.*}}] : f32
// CHECK:      uop.assign %s, %{{.*}} : f32
// CHECK-NEXT: uop.endrange %r2_s
// CHECK-NEXT: uop.barrier
// CHECK-NEXT: uop.endrange %r2
// CHECK:      uop.store %out[%{{.*}}], %s : f32

// OPENCL:     __local float
// OPENCL:     for (int
// OPENCL:     barrier(CLK_LOCAL_MEM_FENCE);
// OPENCL:     for (int
// OPENCL:     }
// OPENCL-NEXT: barrier(CLK_LOCAL_MEM_FENCE);
// OPENCL-NEXT: }
func.func @main(%a: !st.buffer<16x32xf32>, %b: !st.buffer<32x8xf32>) -> !st.buffer<16x8xf32> {
  %0 = st.alloc : !st.buffer<16x8xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<16x8xf32>, !st.buffer<16x32xf32>, !st.buffer<32x8xf32> {
  ^bb0(%out: !st.buffer<16x8xf32>, %1: !st.buffer<16x32xf32>, %2: !st.buffer<32x8xf32>):
    %i0 = loop.range 16 global : i32
    %i1 = loop.range 8 global : i32
    %r2 = loop.range 32 reduce : i32
    %c32 = uop.const 32 : i32
    %3 = uop.mul %i0, %c32 : i32
    %4 = uop.add %3, %r2 : i32
    %x = uop.load %1[%4] : f32
    %c8 = uop.const 8 : i32
    %5 = uop.mul %r2, %c8 : i32
    %6 = uop.add %5, %i1 : i32
    %y = uop.load %2[%6] : f32
    %7 = uop.mul %x, %y : f32
    %s = loop.reduce add %7 over %r2 : f32
    %8 = uop.mul %i0, %c8 : i32
    %9 = uop.add %8, %i1 : i32
    uop.store %out[%9], %s : f32
  }
  func.return %0 : !st.buffer<16x8xf32>
}

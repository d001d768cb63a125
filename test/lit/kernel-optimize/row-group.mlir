// RUN: tinyir-opt %s -p 'kernel-optimize{actions="group:1:4"}' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{actions="group:2:4"}' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{target=cuda}' | filecheck %s --check-prefix=CUDA
// RUN: tinyir-opt %s -p 'kernel-optimize{target=cpu}' | filecheck %s --check-prefix=CPU
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="upcast:0:2"}' 2>&1 | filecheck %s --check-prefix=UPCAST
// RUN: tinyir-opt %s -p 'kernel-optimize{actions="unroll:1:2"}' | filecheck %s --check-prefix=UNROLL
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="stage:1:2"}' 2>&1 | filecheck %s --check-prefix=STAGE
// A row kernel (softmax: the max's range, the sum's range, the outputs' serial range, all over one
// row): group on either reduce axis splits the row in every segment, all sharing one group range;
// unroll splits it in every segment into copies (unroll in the reduces, upcast in the outputs).
// The cpu keeps a row per thread; cuda unrolls the row by 4 and groups it by the most threads (up
// to 256) dividing the rest.

// CHECK:       %i0 = loop.range 2 global : i32
// CHECK-NEXT:  %g = loop.range 4 group : i32
// CHECK-NEXT:  %[[R:.*]] = loop.range 16 reduce : i32
// CHECK:       %[[R2:.*]] = loop.range 16 reduce : i32
// CHECK:       %[[J:.*]] = loop.range 16 serial : i32
// CHECK-NEXT:  %[[C:.*]] = uop.const 4 : i32
// CHECK-NEXT:  %[[JM:.*]] = uop.mul %[[J]], %[[C]] : i32
// CHECK-NEXT:  %{{.*}} = uop.add %[[JM]], %g : i32
// CHECK-NOT:   loop.range
// CHECK:       %m = loop.reduce max %{{.*}} over %g, %[[R]] : f32
// CHECK:       %s = loop.reduce add %{{.*}} over %g, %[[R2]] : f32

// CUDA: attributes {actions = "unroll:1:4,group:1:16"}
// CUDA: %g = loop.range 16 group : i32
// CPU-NOT: actions
// CPU-NOT: group

// UPCAST: error: 'loop.kernel' op kernel-optimize: kernel "k0": upcast:0:2: upcast is not supported on a row kernel (only group or unroll on its row and local on its rows)
// UNROLL: %{{.*}} = loop.range 32 reduce : i32
// UNROLL-NEXT: %[[U1:.*]] = loop.range 2 unroll : i32
// UNROLL: %{{.*}} = loop.range 32 reduce : i32
// UNROLL-NEXT: %[[U2:.*]] = loop.range 2 unroll : i32
// UNROLL: %{{.*}} = loop.range 32 serial : i32
// UNROLL-NEXT: %{{.*}} = loop.range 2 upcast : i32
// UNROLL: loop.reduce max %{{.*}} over %{{.*}}, %[[U1]] : f32
// UNROLL: loop.reduce add %{{.*}} over %{{.*}}, %[[U2]] : f32
// STAGE: error: 'loop.kernel' op kernel-optimize: kernel "k0": stage:1:2: stage is not supported on a row kernel (only group or unroll on its row and local on its rows)

func.func @main(%x: !st.buffer<2x64xf32>) -> !st.buffer<2x64xf32> {
  %0 = st.alloc : !st.buffer<2x64xf32>
  loop.kernel "k0"(%0, %x) : !st.buffer<2x64xf32>, !st.buffer<2x64xf32> {
  ^bb0(%out: !st.buffer<2x64xf32>, %1: !st.buffer<2x64xf32>):
    %i0 = loop.range 2 global : i32
    %r1 = loop.range 64 reduce : i32
    %r1_1 = loop.range 64 reduce : i32
    %j1 = loop.range 64 serial : i32
    %2 = uop.const 64 : i32
    %3 = uop.mul %i0, %2 : i32
    %4 = uop.add %3, %j1 : i32
    %x_1 = uop.load %1[%4] : f32
    %5 = uop.const 64 : i32
    %6 = uop.mul %i0, %5 : i32
    %7 = uop.add %6, %r1 : i32
    %x_2 = uop.load %1[%7] : f32
    %m = loop.reduce max %x_2 over %r1 : f32
    %nm = uop.neg %m : f32
    %d = uop.add %x_1, %nm : f32
    %e = uop.exp2 %d : f32
    %8 = uop.const 64 : i32
    %9 = uop.mul %i0, %8 : i32
    %10 = uop.add %9, %r1_1 : i32
    %x_3 = uop.load %1[%10] : f32
    %nm_1 = uop.neg %m : f32
    %d_1 = uop.add %x_3, %nm_1 : f32
    %e_1 = uop.exp2 %d_1 : f32
    %s = loop.reduce add %e_1 over %r1_1 : f32
    %y = uop.mul %e, %s : f32
    %11 = uop.const 64 : i32
    %12 = uop.mul %i0, %11 : i32
    %13 = uop.add %12, %j1 : i32
    uop.store %out[%13], %y : f32
  }
  func.return %0 : !st.buffer<2x64xf32>
}

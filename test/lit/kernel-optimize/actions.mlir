// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="upcast:1:4"}' | filecheck %s --check-prefix=UPCAST
// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="unroll:2:4"}' | filecheck %s --check-prefix=UNROLL
// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="local:1:16"}' | filecheck %s --check-prefix=LOCAL
// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="group:2:8"}' | filecheck %s --check-prefix=GROUP
// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="local:1:16,upcast:1:3"}' | filecheck %s --check-prefix=BOTH
// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="upcast:0:0"}' | filecheck %s --check-prefix=WHOLE
// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{actions="local:1:16,stage:2:8"}' | filecheck %s --check-prefix=STAGE
// Each action splits one axis (axes: global and reduce ranges in body order) into the axis and a new
// range of its kind, the old index being outer * n + inner; a reduce ending the axis ends the parts.

// the chosen actions are kept on the kernel
// UPCAST:      loop.kernel "k0"{{.*}} attributes {actions = "upcast:1:4"}
// UPCAST:      %i1 = loop.range 12 global : i32
// UPCAST-NEXT: %i1_u = loop.range 4 upcast : i32
// UPCAST-NEXT: %[[C4:.*]] = uop.const 4 : i32
// UPCAST-NEXT: %[[M:.*]] = uop.mul %i1, %[[C4]] : i32
// UPCAST-NEXT: %[[I:.*]] = uop.add %[[M]], %i1_u : i32
// UPCAST:      uop.add %[[I]], %{{.*}} : i32
// UPCAST:      loop.reduce add %{{.*}} over %r2 : f32

// UNROLL:      %r2 = loop.range 8 reduce : i32
// UNROLL-NEXT: %r2_u = loop.range 4 unroll : i32
// UNROLL:      loop.reduce add %{{.*}} over %r2, %r2_u : f32

// LOCAL:       %i1 = loop.range 3 global : i32
// LOCAL-NEXT:  %i1_l = loop.range 16 local : i32

// GROUP:       %r2 = loop.range 4 reduce : i32
// GROUP-NEXT:  %r2_g = loop.range 8 group : i32
// GROUP:       loop.reduce add %{{.*}} over %r2, %r2_g : f32

// BOTH:        %i1 = loop.range 1 global : i32
// BOTH-NEXT:   %i1_u = loop.range 3 upcast : i32
// BOTH:        %i1_l = loop.range 16 local : i32

// WHOLE:       %i0 = loop.range 1 global : i32
// WHOLE-NEXT:  %i0_u = loop.range 64 upcast : i32

// STAGE:       %r2 = loop.range 4 reduce : i32
// STAGE-NEXT:  %r2_s = loop.range 8 stage : i32
// STAGE:       loop.reduce add %{{.*}} over %r2, %r2_s : f32

func.func @main(%a: !st.buffer<64x32xf32>, %b: !st.buffer<32x48xf32>) -> !st.buffer<64x48xf32> {
  %0 = st.alloc : !st.buffer<64x48xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<64x48xf32>, !st.buffer<64x32xf32>, !st.buffer<32x48xf32> {
  ^bb0(%out: !st.buffer<64x48xf32>, %1: !st.buffer<64x32xf32>, %2: !st.buffer<32x48xf32>):
    %i0 = loop.range 64 global : i32
    %i1 = loop.range 48 global : i32
    %r2 = loop.range 32 reduce : i32
    %3 = uop.const 32 : i32
    %4 = uop.mul %i0, %3 : i32
    %5 = uop.add %4, %r2 : i32
    %c = uop.load %1[%5] : f32
    %6 = uop.const 48 : i32
    %7 = uop.mul %r2, %6 : i32
    %8 = uop.add %i1, %7 : i32
    %c_1 = uop.load %2[%8] : f32
    %c_2 = uop.mul %c, %c_1 : f32
    %c_3 = loop.reduce add %c_2 over %r2 : f32
    %9 = uop.const 48 : i32
    %10 = uop.mul %i0, %9 : i32
    %11 = uop.add %10, %i1 : i32
    uop.store %out[%11], %c_3 : f32
  }
  func.return %0 : !st.buffer<64x48xf32>
}

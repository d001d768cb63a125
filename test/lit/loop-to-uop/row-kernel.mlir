// RUN: tinyir-opt %s --split-input-file -p loop-to-uop | filecheck %s
// A row kernel: each reduce's loop over the row in turn, then the serial loop around the outputs'
// store (and the ops only it needs); with a group range shared by every segment (one work-group per
// row) each reduce exchanges its partials through its own local memory (in halving steps), and every
// thread stores its own outputs: the store is not gated to the first thread.

// CHECK:       %i0 = uop.special "gidx0" 2 : i32
// CHECK:       %m = uop.define_acc -inf : f32
// CHECK-NEXT:  %r1 = uop.range 0, 8 : i32
// CHECK:       uop.endrange %r1
// CHECK:       %s = uop.define_acc 0.0 : f32
// CHECK-NEXT:  %[[R2:.*]] = uop.range 0, 8 : i32
// CHECK:       uop.endrange %[[R2]]
// CHECK:       %j1 = uop.range 0, 8 : i32
// CHECK-NEXT:  %{{.*}} = uop.add
// CHECK-NEXT:  %{{.*}} = uop.load
// CHECK:       %y = uop.mul %{{.*}}, %s : f32
// CHECK:       uop.store %out[%{{.*}}], %y : f32
// CHECK-NEXT:  uop.endrange %j1
// CHECK-NEXT: }

func.func @main(%x: !st.buffer<2x8xf32>) -> !st.buffer<2x8xf32> {
  %0 = st.alloc : !st.buffer<2x8xf32>
  loop.kernel "k0"(%0, %x) : !st.buffer<2x8xf32>, !st.buffer<2x8xf32> {
  ^bb0(%out: !st.buffer<2x8xf32>, %1: !st.buffer<2x8xf32>):
    %i0 = loop.range 2 global : i32
    %r1 = loop.range 8 reduce : i32
    %r1_1 = loop.range 8 reduce : i32
    %j1 = loop.range 8 serial : i32
    %2 = uop.const 8 : i32
    %3 = uop.mul %i0, %2 : i32
    %4 = uop.add %3, %j1 : i32
    %x_1 = uop.load %1[%4] : f32
    %5 = uop.const 8 : i32
    %6 = uop.mul %i0, %5 : i32
    %7 = uop.add %6, %r1 : i32
    %x_2 = uop.load %1[%7] : f32
    %m = loop.reduce max %x_2 over %r1 : f32
    %nm = uop.neg %m : f32
    %d = uop.add %x_1, %nm : f32
    %e = uop.exp2 %d : f32
    %8 = uop.const 8 : i32
    %9 = uop.mul %i0, %8 : i32
    %10 = uop.add %9, %r1_1 : i32
    %x_3 = uop.load %1[%10] : f32
    %nm_1 = uop.neg %m : f32
    %d_1 = uop.add %x_3, %nm_1 : f32
    %e_1 = uop.exp2 %d_1 : f32
    %s = loop.reduce add %e_1 over %r1_1 : f32
    %y = uop.mul %e, %s : f32
    %11 = uop.const 8 : i32
    %12 = uop.mul %i0, %11 : i32
    %13 = uop.add %12, %j1 : i32
    uop.store %out[%13], %y : f32
  }
  func.return %0 : !st.buffer<2x8xf32>
}

// -----

// CHECK:       %i0 = uop.special "wgid0" 2 : i32
// CHECK-NEXT:  %g = uop.special "lidx0" 4 : i32
// CHECK-NEXT:  %[[L1:.*]] = uop.define_local : !st.buffer<4xf32>
// CHECK-NEXT:  %[[L2:.*]] = uop.define_local : !st.buffer<4xf32>
// CHECK:       uop.store %[[L1]][%[[MINE:.*]]], %{{.*}} : f32
// CHECK-NEXT:  uop.barrier
// The partials of a power-of-two group combine in halving steps, each gated to g < half.
// CHECK-NEXT:  %[[H2:.*]] = uop.const 2 : i32
// CHECK-NEXT:  %[[LT2:.*]] = uop.cmplt %g, %[[H2]] : i32
// CHECK:       %[[OWN:.*]] = uop.load %[[L1]][%[[MINE]]] : f32
// CHECK-NEXT:  %[[OTHER:.*]] = uop.load %[[L1]][%{{.*}}], %[[LT2]] : f32
// CHECK-NEXT:  %[[BOTH:.*]] = uop.max %[[OWN]], %[[OTHER]] : f32
// CHECK-NEXT:  uop.store %[[L1]][%[[MINE]]], %[[BOTH]], %[[LT2]] : f32
// CHECK-NEXT:  uop.barrier
// CHECK-NEXT:  %[[H1:.*]] = uop.const 1 : i32
// CHECK-NEXT:  uop.cmplt %g, %[[H1]] : i32
// CHECK:       uop.barrier
// CHECK-NEXT:  %[[ZERO:.*]] = uop.const 0 : i32
// CHECK-NEXT:  %m = uop.load %[[L1]][%[[ZERO]]] : f32
// CHECK:       uop.store %[[L2]][%{{.*}}], %{{.*}} : f32
// CHECK-NEXT:  uop.barrier
// CHECK:       %s = uop.load %[[L2]][%{{.*}}] : f32
// CHECK:       %j1 = uop.range 0, 2 : i32
// CHECK-NOT:   uop.cmplt
// CHECK:       uop.store %out[%{{.*}}], %y : f32
// CHECK-NEXT:  uop.endrange %j1

func.func @main(%x: !st.buffer<2x8xf32>) -> !st.buffer<2x8xf32> {
  %0 = st.alloc : !st.buffer<2x8xf32>
  loop.kernel "k0"(%0, %x) : !st.buffer<2x8xf32>, !st.buffer<2x8xf32> attributes {actions = "group:1:4"} {
  ^bb0(%out: !st.buffer<2x8xf32>, %1: !st.buffer<2x8xf32>):
    %i0 = loop.range 2 global : i32
    %g = loop.range 4 group : i32
    %r1 = loop.range 2 reduce : i32
    %2 = uop.const 4 : i32
    %3 = uop.mul %r1, %2 : i32
    %r1_1 = uop.add %3, %g : i32
    %r1_2 = loop.range 2 reduce : i32
    %4 = uop.const 4 : i32
    %5 = uop.mul %r1_2, %4 : i32
    %r1_3 = uop.add %5, %g : i32
    %j1 = loop.range 2 serial : i32
    %6 = uop.const 4 : i32
    %7 = uop.mul %j1, %6 : i32
    %j1_1 = uop.add %7, %g : i32
    %8 = uop.const 8 : i32
    %9 = uop.mul %i0, %8 : i32
    %10 = uop.add %9, %j1_1 : i32
    %x_1 = uop.load %1[%10] : f32
    %11 = uop.const 8 : i32
    %12 = uop.mul %i0, %11 : i32
    %13 = uop.add %12, %r1_1 : i32
    %x_2 = uop.load %1[%13] : f32
    %m = loop.reduce max %x_2 over %g, %r1 : f32
    %nm = uop.neg %m : f32
    %d = uop.add %x_1, %nm : f32
    %e = uop.exp2 %d : f32
    %14 = uop.const 8 : i32
    %15 = uop.mul %i0, %14 : i32
    %16 = uop.add %15, %r1_3 : i32
    %x_3 = uop.load %1[%16] : f32
    %nm_1 = uop.neg %m : f32
    %d_1 = uop.add %x_3, %nm_1 : f32
    %e_1 = uop.exp2 %d_1 : f32
    %s = loop.reduce add %e_1 over %g, %r1_2 : f32
    %y = uop.mul %e, %s : f32
    %17 = uop.const 8 : i32
    %18 = uop.mul %i0, %17 : i32
    %19 = uop.add %18, %j1_1 : i32
    uop.store %out[%19], %y : f32
  }
  func.return %0 : !st.buffer<2x8xf32>
}

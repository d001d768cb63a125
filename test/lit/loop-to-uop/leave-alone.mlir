// RUN: tinyir-opt %s -p loop-to-uop | filecheck %s
// An elementwise loop.kernel only trades its ranges for specials; ops keep their order. Kernels
// of other levels and host ops are left alone.

// CHECK-LABEL: func.func @elementwise
// CHECK:      uop.kernel "k0"(%a) : !st.buffer<4xf32> {
// CHECK-NEXT: ^bb0(%o: !st.buffer<4xf32>):
// CHECK-NEXT:   %i = uop.special "gidx0" 4 : i32
// CHECK-NEXT:   %f = uop.cast %i : i32 to f32
// CHECK-NEXT:   uop.store %o[%i], %f : f32
// CHECK-NEXT: }
// CHECK-NEXT: uop.kernel "already"(%a) : !st.buffer<4xf32> {
// CHECK-NEXT: ^bb0(%o2: !st.buffer<4xf32>):
// CHECK-NEXT:   %g = uop.special "gidx0" 4 : i32
// CHECK-NEXT:   %z = uop.const 0.0 : f32
// CHECK-NEXT:   uop.store %o2[%g], %z : f32
// CHECK-NEXT: }
func.func @elementwise(%a: !st.buffer<4xf32>) {
  loop.kernel "k0" (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %f = uop.cast %i : i32 to f32
    uop.store %o[%i], %f : f32
  }
  uop.kernel "already" (%a) : !st.buffer<4xf32> {
  ^bb0(%o2: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %z = uop.const 0.0 : f32
    uop.store %o2[%g], %z : f32
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-to-llvm | filecheck %s
// F16-SAT: f16 -> int casts saturate from f32 (the f16 value extended exactly): on a host with
// AVX512-FP16, LLVM's own f16 form of the saturating conversion gave -32768, not 0, for NaN -> i16.
// f32 -> int casts call the saturating conversion directly.

// CHECK-LABEL: func.func @casts
// CHECK:         %[[H:.*]] = llir.load %{{.*}} : !llir.ptr<f16> -> f16
// CHECK-NEXT:    %[[W:.*]] = llir.fpext %[[H]] : f16 to f32
// CHECK-NEXT:    %{{.*}} = llir.call "llvm.fptosi.sat.i16.f32"(%[[W]]) : (f32) -> i16
// CHECK:         %[[F:.*]] = llir.load %{{.*}} : !llir.ptr<f32> -> f32
// CHECK-NEXT:    %{{.*}} = llir.call "llvm.fptoui.sat.i8.f32"(%[[F]]) : (f32) -> i8
// CHECK-NOT:     .f16"
func.func @casts(%o: !st.buffer<8xi16>, %p: !st.buffer<8xui8>, %h: !st.buffer<8xf16>, %f: !st.buffer<8xf32>) {
  uop.kernel "c0" (%o, %p, %h, %f) : !st.buffer<8xi16>, !st.buffer<8xui8>, !st.buffer<8xf16>, !st.buffer<8xf32> {
  ^bb0(%a: !st.buffer<8xi16>, %b: !st.buffer<8xui8>, %c: !st.buffer<8xf16>, %d: !st.buffer<8xf32>):
    %i = uop.special "gidx0" 8 : i32
    %x = uop.load %c[%i] : f16
    %xi = uop.cast %x : f16 to i16
    uop.store %a[%i], %xi : i16
    %y = uop.load %d[%i] : f32
    %yi = uop.cast %y : f32 to ui8
    uop.store %b[%i], %yi : ui8
  }
  func.return
}

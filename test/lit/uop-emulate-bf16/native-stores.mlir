// RUN: tinyir-opt %s -p 'uop-emulate-bf16{native_stores=true}' | filecheck %s
// RUN: tinyir-opt %s -p 'uop-emulate-bf16' | filecheck %s --check-prefix=EMULATED
// RUN: tinyir-opt %s -p 'uop-emulate-bf16{native_stores=true},uop-to-ptx' -t ptx | filecheck %s --check-prefix=PTX
// NATIVE-BF16-STORES: with native_stores (the cuda chain) an f32 -> bf16 cast whose only reader is a store
// stays for the lowering to round (cvt.rn.bf16x2.f32, the bf16 in the low half, st.u16); a cast that
// something else reads is emulated as always. Without the option every cast is rounded by integer ops.

// CHECK-LABEL: uop.kernel "k"
// CHECK:       %[[V:.*]] = uop.load %x[%g] : f32
// CHECK-NEXT:  %[[C:.*]] = uop.cast %[[V]] : f32 to bf16
// CHECK-NEXT:  uop.store %o[%g], %[[C]] : bf16
// CHECK:       uop.const 32767 : ui32
// CHECK-NOT:   uop.cast {{.*}} : f32 to bf16

// EMULATED-NOT: uop.cast {{.*}} : f32 to bf16

// PTX:         cvt.rn.bf16x2.f32 %r[[B:[0-9]+]], %f{{[0-9]+}}, %f{{[0-9]+}};
// PTX:         st.global.u16 [%rd{{[0-9]+}}], %r[[B]];
func.func @main(%a: !st.buffer<4xf32>) -> (!st.buffer<4xbf16>, !st.buffer<4xbf16>) {
  %0 = st.alloc : !st.buffer<4xbf16>
  %1 = st.alloc : !st.buffer<4xbf16>
  uop.kernel "k"(%0, %1, %a) : !st.buffer<4xbf16>, !st.buffer<4xbf16>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xbf16>, %p: !st.buffer<4xbf16>, %x: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %v = uop.load %x[%g] : f32
    %c = uop.cast %v : f32 to bf16
    uop.store %o[%g], %c : bf16
    %w = uop.cast %v : f32 to bf16
    %s = uop.add %w, %w : bf16
    uop.store %p[%g], %s : bf16
  }
  func.return %0, %1 : !st.buffer<4xbf16>, !st.buffer<4xbf16>
}

// RUN: tinyir-opt %s --split-input-file -p 'uop-emulate-bf16' | filecheck %s
// What uop-emulate-bf16 does: bf16 values become f32 (rounded to bf16 after each inexact op); bf16
// stays only in loads and stores (their 16 bits); casts from wider types round once (to odd first).

// a bf16 load is widened (bits << 16), the add computed in f32 and rounded, the store takes the bits
// CHECK-LABEL: uop.kernel "add"
// CHECK:       %[[L:.*]] = uop.load %x[%g] : bf16
// CHECK-NEXT:  %[[B:.*]] = uop.bitcast %[[L]] : bf16 to ui16
// CHECK-NEXT:  %[[W:.*]] = uop.cast %[[B]] : ui16 to ui32
// CHECK-NEXT:  %[[S:.*]] = uop.const 16 : ui32
// CHECK-NEXT:  %[[H:.*]] = uop.shl %[[W]], %[[S]] : ui32
// CHECK-NEXT:  %[[F:.*]] = uop.bitcast %[[H]] : ui32 to f32
// CHECK:       %[[C:.*]] = uop.const 1.5 : f32
// CHECK-NEXT:  %[[A:.*]] = uop.add %[[F]], %[[C]] : f32
// the rounding: NaN kept quiet, else + 0x7FFF + bit 16, then the low half cleared
// CHECK-NEXT:  uop.cmpne %[[A]], %[[A]] : f32
// CHECK:       uop.const 32767 : ui32
// CHECK:       uop.const 4294901760 : ui32
// CHECK:       %[[R:.*]] = uop.bitcast %{{.*}} : ui32 to f32
// the store: the high half of the (exact) value, as a bf16
// CHECK-NEXT:  %[[R2:.*]] = uop.bitcast %[[R]] : f32 to ui32
// CHECK-NEXT:  %[[S16:.*]] = uop.const 16 : ui32
// CHECK-NEXT:  %[[HI:.*]] = uop.shr %[[R2]], %[[S16]] : ui32
// CHECK-NEXT:  %[[U:.*]] = uop.cast %[[HI]] : ui32 to ui16
// CHECK-NEXT:  %[[V:.*]] = uop.bitcast %[[U]] : ui16 to bf16
// CHECK-NEXT:  uop.store %o[%g], %[[V]] : bf16
// CHECK-NOT:   uop.add {{.*}} : bf16
func.func @main(%a: !st.buffer<4xbf16>) -> !st.buffer<4xbf16> {
  %0 = st.alloc : !st.buffer<4xbf16>
  uop.kernel "add"(%0, %a) : !st.buffer<4xbf16>, !st.buffer<4xbf16> {
  ^bb0(%o: !st.buffer<4xbf16>, %x: !st.buffer<4xbf16>):
    %g = uop.special "gidx0" 4 : i32
    %v = uop.load %x[%g] : bf16
    %c = uop.const 1.5 : bf16
    %s = uop.add %v, %c : bf16
    uop.store %o[%g], %s : bf16
  }
  func.return %0 : !st.buffer<4xbf16>
}

// -----

// max and neg are exact in bf16: no rounding after them; a cast bf16 -> f32 is the value itself
// CHECK-LABEL: uop.kernel "exact"
// CHECK:       %[[M:.*]] = uop.max %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:  %[[N:.*]] = uop.neg %[[M]] : f32
// CHECK-NEXT:  uop.store %o[%g], %[[N]] : f32
func.func @main(%a: !st.buffer<4xbf16>) -> !st.buffer<4xf32> {
  %0 = st.alloc : !st.buffer<4xf32>
  uop.kernel "exact"(%0, %a) : !st.buffer<4xf32>, !st.buffer<4xbf16> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xbf16>):
    %g = uop.special "gidx0" 4 : i32
    %v = uop.load %x[%g] : bf16
    %c = uop.const 0.0 : bf16
    %m = uop.max %v, %c : bf16
    %n = uop.neg %m : bf16
    %f = uop.cast %n : bf16 to f32
    uop.store %o[%g], %f : f32
  }
  func.return %0 : !st.buffer<4xf32>
}

// -----

// f64 -> f16 through f32 rounded to odd (one rounding in all); f32 -> f16 and kernels without bf16 stay
// CHECK-LABEL: uop.kernel "narrow"
// CHECK:       %[[N:.*]] = uop.cast %v : f64 to f32
// CHECK-NEXT:  %[[B:.*]] = uop.cast %[[N]] : f32 to f64
// CHECK:       %[[I:.*]] = uop.cmpne %[[B]], %v : f64
// CHECK:       %[[O:.*]] = uop.bitcast %{{.*}} : ui32 to f32
// CHECK-NEXT:  %{{.*}} = uop.cast %[[O]] : f32 to f16
// CHECK:       %h2 = uop.cast %w : f32 to f16
func.func @main(%a: !st.buffer<4xf64>, %b: !st.buffer<4xf32>) -> (!st.buffer<4xf16>, !st.buffer<4xf16>) {
  %0 = st.alloc : !st.buffer<4xf16>
  %1 = st.alloc : !st.buffer<4xf16>
  uop.kernel "narrow"(%0, %1, %a, %b) : !st.buffer<4xf16>, !st.buffer<4xf16>, !st.buffer<4xf64>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf16>, %o2: !st.buffer<4xf16>, %x: !st.buffer<4xf64>, %y: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %v = uop.load %x[%g] : f64
    %h = uop.cast %v : f64 to f16
    uop.store %o[%g], %h : f16
    %w = uop.load %y[%g] : f32
    %h2 = uop.cast %w : f32 to f16
    uop.store %o2[%g], %h2 : f16
  }
  func.return %0, %1 : !st.buffer<4xf16>, !st.buffer<4xf16>
}

// -----

// bf16 that only moves stays 16 bits: a load whose only reader is a store into bf16 memory (a copy),
// a load and ldmatrix elements that only feed a matrix op's A and B (it multiplies bf16 itself); an
// ldmatrix element that is also computed with is widened for that reader only
// CHECK-LABEL: uop.kernel "moves"
// CHECK:       %v = uop.load %x[%g] : bf16
// CHECK-NEXT:  uop.store %o[%g], %v : bf16
// CHECK:       %e0, %e1, %e2, %e3, %e4, %e5, %e6, %e7 = uop.ldmatrix %t[%l] x 4 : i64 : !st.buffer<256xbf16> -> bf16
// CHECK-NEXT:  %[[EB:.*]] = uop.bitcast %e7 : bf16 to ui16
// CHECK:       %[[EW:.*]] = uop.bitcast %{{.*}} : ui32 to f32
// CHECK-NEXT:  %b = uop.load %x[%l] : bf16
// CHECK-NOT:   uop.bitcast %b
// CHECK:       uop.mma "mma.m16n8k16.bf16" a(%e0, %e1, %e2, %e3, %e4, %e5, %e6, %e7) b(%b, %b, %b, %b)
// CHECK-SAME:  : (bf16, bf16, bf16, bf16, bf16, bf16, bf16, bf16), (bf16, bf16, bf16, bf16), (f32, f32, f32, f32)
// CHECK:       uop.add %[[EW]], %{{.*}} : f32
func.func @main(%a: !st.buffer<64xbf16>) -> !st.buffer<64xbf16> {
  %0 = st.alloc : !st.buffer<64xbf16>
  %1 = st.alloc : !st.buffer<32xf32>
  uop.kernel "moves"(%0, %a, %1) : !st.buffer<64xbf16>, !st.buffer<64xbf16>, !st.buffer<32xf32> {
  ^bb0(%o: !st.buffer<64xbf16>, %x: !st.buffer<64xbf16>, %y: !st.buffer<32xf32>):
    %g = uop.special "wgid0" 1 : i32
    %l = uop.special "lidx0" 32 : i32
    %v = uop.load %x[%g] : bf16
    uop.store %o[%g], %v : bf16
    %t = uop.define_local : !st.buffer<256xbf16>
    %e0, %e1, %e2, %e3, %e4, %e5, %e6, %e7 = uop.ldmatrix %t[%l] x 4 : i64 : !st.buffer<256xbf16> -> bf16, bf16, bf16, bf16, bf16, bf16, bf16, bf16
    %b = uop.load %x[%l] : bf16
    %c = uop.const 0.0 : f32
    %d0, %d1, %d2, %d3 = uop.mma "mma.m16n8k16.bf16" a(%e0, %e1, %e2, %e3, %e4, %e5, %e6, %e7) b(%b, %b, %b, %b) c(%c, %c, %c, %c) : (bf16, bf16, bf16, bf16, bf16, bf16, bf16, bf16), (bf16, bf16, bf16, bf16), (f32, f32, f32, f32) -> (f32, f32, f32, f32)
    %one = uop.const 1.0 : bf16
    %s = uop.add %e7, %one : bf16
    %f = uop.cast %s : bf16 to f32
    %r = uop.add %d0, %f : f32
    uop.store %y[%l], %r : f32
  }
  func.return %0 : !st.buffer<64xbf16>
}

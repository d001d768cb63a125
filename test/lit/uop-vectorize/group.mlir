// RUN: tinyir-opt %s --split-input-file -p 'uop-vectorize' | filecheck %s
// RUN: tinyir-opt %s --split-input-file -p 'uop-vectorize{width=2}' | filecheck %s --check-prefix=W2
// What uop-vectorize merges: runs of loads/stores of base+0..N-1 with base a multiple of N.

// four loads and four stores of 4*g + 0..3 (upcast copies, out of order) -> one vload, one vstore
// CHECK-LABEL: uop.kernel "contiguous"
// CHECK:       %x0, %x1, %x2, %x3 = uop.vload %x[%b] : 4 x f32
// CHECK-NOT:   uop.load
// CHECK:       %m = uop.mul %x0, %x3 : f32
// CHECK-NOT:   uop.store
// CHECK:       uop.vstore %o[%b], %m, %x1, %x2, %x3 : f32
// with width 2: pairs; %i2/%i3 stay scalar (the merged pair's vstore lies between them)
// W2-LABEL:    uop.kernel "contiguous"
// W2-COUNT-2:  uop.vload %x[{{.*}}] : 2 x f32
// W2:         uop.store %o[%i3], %x3 : f32
// W2-NEXT:     uop.vstore %o[%b], %m, %x1 : f32
// W2-NEXT:     uop.store %o[%i2], %x2 : f32
func.func @main(%a: !st.buffer<64xf32>) -> !st.buffer<64xf32> {
  %0 = st.alloc : !st.buffer<64xf32>
  uop.kernel "contiguous"(%0, %a) : !st.buffer<64xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<64xf32>, %x: !st.buffer<64xf32>):
    %g = uop.special "gidx0" 16 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %b = uop.mul %g, %c4 : i32
    %i1 = uop.add %b, %c1 : i32
    %i2 = uop.add %b, %c2 : i32
    %i3 = uop.add %b, %c3 : i32
    %x0 = uop.load %x[%b] : f32
    %x2 = uop.load %x[%i2] : f32
    %x1 = uop.load %x[%i1] : f32
    %x3 = uop.load %x[%i3] : f32
    %m = uop.mul %x0, %x3 : f32
    uop.store %o[%i3], %x3 : f32
    uop.store %o[%b], %m : f32
    uop.store %o[%i1], %x1 : f32
    uop.store %o[%i2], %x2 : f32
  }
  func.return %0 : !st.buffer<64xf32>
}

// -----

// a shared gate is kept; i32 lanes; the base (8*r + 4*l + 16) is aligned through a range and a
// special; loads of local memory merge too; two runs of one form (+0..3, +4..7) give two vloads
// CHECK-LABEL: uop.kernel "gated"
// CHECK:       uop.vload %x[%{{.*}}], %p : 4 x i32
// CHECK:       uop.vload %t[%{{.*}}] : 4 x i32
// CHECK:       uop.vload %t[%{{.*}}] : 4 x i32
// CHECK-NOT:   uop.load
// CHECK:       uop.vstore %o[%{{.*}}], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} if %p : i32
func.func @main(%a: !st.buffer<256xi32>) -> !st.buffer<256xi32> {
  %0 = st.alloc : !st.buffer<256xi32>
  uop.kernel "gated"(%0, %a) : !st.buffer<256xi32>, !st.buffer<256xi32> {
  ^bb0(%o: !st.buffer<256xi32>, %x: !st.buffer<256xi32>):
    %w = uop.special "wgid0" 2 : i32
    %l = uop.special "lidx0" 4 : i32
    %t = uop.define_local : !st.buffer<64xi32>
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %c5 = uop.const 5 : i32
    %c6 = uop.const 6 : i32
    %c7 = uop.const 7 : i32
    %c16 = uop.const 16 : i32
    %lw = uop.mul %l, %c4 : i32
    %p = uop.cmplt %w, %c1 : i32
    %r = uop.range 0, 8 : i32
    %c8 = uop.const 8 : i32
    %r8 = uop.mul %r, %c8 : i32
    %s = uop.add %r8, %lw : i32
    %b = uop.add %s, %c16 : i32
    %i1 = uop.add %b, %c1 : i32
    %i2 = uop.add %b, %c2 : i32
    %i3 = uop.add %b, %c3 : i32
    %x0 = uop.load %x[%b], %p : i32
    %x1 = uop.load %x[%i1], %p : i32
    %x2 = uop.load %x[%i2], %p : i32
    %x3 = uop.load %x[%i3], %p : i32
    %j4 = uop.add %lw, %c4 : i32
    %j5 = uop.add %lw, %c5 : i32
    %j6 = uop.add %lw, %c6 : i32
    %j7 = uop.add %lw, %c7 : i32
    %j1 = uop.add %lw, %c1 : i32
    %j2 = uop.add %lw, %c2 : i32
    %j3 = uop.add %lw, %c3 : i32
    %t0 = uop.load %t[%lw] : i32
    %t1 = uop.load %t[%j1] : i32
    %t2 = uop.load %t[%j2] : i32
    %t3 = uop.load %t[%j3] : i32
    %t4 = uop.load %t[%j4] : i32
    %t5 = uop.load %t[%j5] : i32
    %t6 = uop.load %t[%j6] : i32
    %t7 = uop.load %t[%j7] : i32
    %y0 = uop.add %x0, %t0 : i32
    %y1 = uop.add %x1, %t5 : i32
    %y2 = uop.add %x2, %t2 : i32
    %y3 = uop.add %x3, %t7 : i32
    uop.store %o[%b], %y0, %p : i32
    uop.store %o[%i1], %y1, %p : i32
    uop.store %o[%i2], %y2, %p : i32
    uop.store %o[%i3], %y3, %p : i32
    uop.endrange %r
  }
  func.return %0 : !st.buffer<256xi32>
}

// -----

// f16 lanes: two pairs (width 2 after a width-4 attempt fails on a base 2*g)
// CHECK-LABEL: uop.kernel "half"
// CHECK:       %h0, %h1 = uop.vload %x[%b] : 2 x f16
// CHECK:       uop.vstore %o[%b], %h1, %h0 : f16
func.func @main(%a: !st.buffer<32xf16>) -> !st.buffer<32xf16> {
  %0 = st.alloc : !st.buffer<32xf16>
  uop.kernel "half"(%0, %a) : !st.buffer<32xf16>, !st.buffer<32xf16> {
  ^bb0(%o: !st.buffer<32xf16>, %x: !st.buffer<32xf16>):
    %g = uop.special "gidx0" 16 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %b = uop.mul %g, %c2 : i32
    %b1 = uop.add %b, %c1 : i32
    %h0 = uop.load %x[%b] : f16
    %h1 = uop.load %x[%b1] : f16
    uop.store %o[%b], %h1 : f16
    uop.store %o[%b1], %h0 : f16
  }
  func.return %0 : !st.buffer<32xf16>
}

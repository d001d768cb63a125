// RUN: tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:4:0"}' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{target=opencl actions="local:0:8"}' | filecheck %s --check-prefix=NOTC
// A convolution-like product out[b, o, h, w] = sum_k x[b, k, h, w] * w[o, k] whose b and o share one
// merged grid range (as shapetracker-to-loop makes for 4 output dims): both factors read it, so no
// matrix product shows. On cuda, kernel-optimize splits it back into b and o (axes 0 and 1; h, w and
// k are axes 2, 3 and 4), tc takes o as M and w as N, and the kernel's 4 global ranges are merged
// again into the grid's 3, b with o's outer part.

// CHECK:      tensor_core = "mma.m16n8k16.f16"
// CHECK:      %[[BO:.*]] = loop.range 2 global : i32
// CHECK-NOT:  loop.range 2 global
// CHECK:      loop.range 16 tc : i32
// CHECK:      loop.range 4 global : i32
// CHECK:      loop.range 1 global : i32
// CHECK-NEXT: loop.range 8 tc : i32
// CHECK:      loop.range 1 reduce : i32
// CHECK-NEXT: loop.range 16 tc : i32
// CHECK:      loop.range 32 local : i32

// Without matrix instructions (opencl) the merged range stays as it is: the actions number it axis 0.
// NOTC:      %i0 = loop.range 4 global : i32
// NOTC-NEXT: %{{.*}} = loop.range 8 local : i32
// NOTC:      uop.mod %{{.*}}, %c16 : i32
// NOTC-NEXT: uop.idiv %{{.*}}, %c16 : i32
func.func @main(%x: !st.buffer<2x16x4x8xf16>, %w: !st.buffer<16x16xf16>) -> !st.buffer<2x16x4x8xf16> {
  %0 = st.alloc : !st.buffer<2x16x4x8xf16>
  loop.kernel "k0"(%0, %x, %w) : !st.buffer<2x16x4x8xf16>, !st.buffer<2x16x4x8xf16>, !st.buffer<16x16xf16> {
  ^bb0(%out: !st.buffer<2x16x4x8xf16>, %1: !st.buffer<2x16x4x8xf16>, %2: !st.buffer<16x16xf16>):
    %i0 = loop.range 32 global : i32
    %i2 = loop.range 4 global : i32
    %i3 = loop.range 8 global : i32
    %r1 = loop.range 16 reduce : i32
    %c16 = uop.const 16 : i32
    %o = uop.mod %i0, %c16 : i32
    %b = uop.idiv %i0, %c16 : i32
    %c512 = uop.const 512 : i32
    %c32 = uop.const 32 : i32
    %c8 = uop.const 8 : i32
    %3 = uop.mul %b, %c512 : i32
    %4 = uop.mul %r1, %c32 : i32
    %5 = uop.add %3, %4 : i32
    %6 = uop.mul %i2, %c8 : i32
    %7 = uop.add %5, %6 : i32
    %8 = uop.add %7, %i3 : i32
    %xv = uop.load %1[%8] : f16
    %9 = uop.mul %o, %c16 : i32
    %10 = uop.add %9, %r1 : i32
    %wv = uop.load %2[%10] : f16
    %xf = uop.cast %xv : f16 to f32
    %wf = uop.cast %wv : f16 to f32
    %p = uop.mul %xf, %wf : f32
    %s = loop.reduce add %p over %r1 : f32
    %h = uop.cast %s : f32 to f16
    %11 = uop.mul %o, %c32 : i32
    %12 = uop.add %3, %11 : i32
    %13 = uop.add %12, %6 : i32
    %14 = uop.add %13, %i3 : i32
    uop.store %out[%14], %h : f16
  }
  func.return %0 : !st.buffer<2x16x4x8xf16>
}

// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'uop-vectorize,uop-to-ptx{arch=sm_80 ptx-version=8.0}' -t ptx > %t.80.ptx
// RUN: ptxas -arch=sm_80 %t.80.ptx -o %t.80.cubin
// RUN: tinyir-opt %s -p 'uop-vectorize,uop-to-ptx{arch=sm_90a ptx-version=9.0}' -t ptx > %t.90.ptx
// RUN: ptxas -arch=sm_90a %t.90.ptx -o %t.90.cubin
// RUN: filecheck %s < %t.90.ptx
// RUN: tinyir-opt %s -p 'uop-vectorize,uop-to-ptx' | filecheck %s --check-prefix=IR
// RUN: tinyir-opt %s -p 'uop-vectorize,uop-to-ptx' --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=IR
// Vector accesses in PTX: ld/st.global.v4 and .v2 (f16 as .b16), ld/st.shared.v4, a gated vector load (selp 0 per
// lane) and store; every kernel assembles for sm_80 and sm_90a.

// IR:      ptx.ldv global %{{.*}} if %{{.*}} : 4 x s32
// IR:      ptx.stv shared %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : s32

// CHECK:      @%p{{[0-9]+}} ld.global.v4.s32 {%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, [%rd{{[0-9]+}}];
// CHECK-COUNT-4: selp.b32
// CHECK:      st.shared.v4.s32 [%rd{{[0-9]+}}], {%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}};
// CHECK:      bar.sync 0
// CHECK:      ld.shared.v4.s32
// CHECK:      @%p{{[0-9]+}} st.global.v4.s32
// CHECK:      ld.global.v2.f32 {%f{{[0-9]+}}, %f{{[0-9]+}}}
// CHECK:      st.global.v2.f32
// CHECK:      ld.global.v4.b16 {%h{{[0-9]+}}, %h{{[0-9]+}}, %h{{[0-9]+}}, %h{{[0-9]+}}}
// CHECK:      st.global.v4.b16
func.func @main(%a: !st.buffer<256xi32>, %f: !st.buffer<64xf32>, %h: !st.buffer<64xf16>) -> !st.buffer<256xi32> {
  %0 = st.alloc : !st.buffer<256xi32>
  uop.kernel "vec"(%0, %a, %f, %h) : !st.buffer<256xi32>, !st.buffer<256xi32>, !st.buffer<64xf32>, !st.buffer<64xf16> {
  ^bb0(%o: !st.buffer<256xi32>, %x: !st.buffer<256xi32>, %fb: !st.buffer<64xf32>, %hb: !st.buffer<64xf16>):
    %w = uop.special "wgid0" 8 : i32
    %l = uop.special "lidx0" 4 : i32
    %t = uop.define_local : !st.buffer<16xi32>
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %c16 = uop.const 16 : i32
    %wb = uop.mul %w, %c16 : i32
    %lb = uop.mul %l, %c4 : i32
    %b = uop.add %wb, %lb : i32
    %b1 = uop.add %b, %c1 : i32
    %b2 = uop.add %b, %c2 : i32
    %b3 = uop.add %b, %c3 : i32
    %p = uop.cmplt %w, %c4 : i32
    %x0 = uop.load %x[%b], %p : i32
    %x1 = uop.load %x[%b1], %p : i32
    %x2 = uop.load %x[%b2], %p : i32
    %x3 = uop.load %x[%b3], %p : i32
    %l1 = uop.add %lb, %c1 : i32
    %l2 = uop.add %lb, %c2 : i32
    %l3 = uop.add %lb, %c3 : i32
    uop.store %t[%lb], %x3 : i32
    uop.store %t[%l1], %x2 : i32
    uop.store %t[%l2], %x1 : i32
    uop.store %t[%l3], %x0 : i32
    uop.barrier
    %m = uop.const -4 : i32
    %ml = uop.mul %l, %m : i32
    %c12 = uop.const 12 : i32
    %rb = uop.add %ml, %c12 : i32
    %rb1 = uop.add %rb, %c1 : i32
    %rb2 = uop.add %rb, %c2 : i32
    %rb3 = uop.add %rb, %c3 : i32
    %y0 = uop.load %t[%rb] : i32
    %y1 = uop.load %t[%rb1] : i32
    %y2 = uop.load %t[%rb2] : i32
    %y3 = uop.load %t[%rb3] : i32
    uop.store %o[%b], %y0, %p : i32
    uop.store %o[%b1], %y1, %p : i32
    uop.store %o[%b2], %y2, %p : i32
    uop.store %o[%b3], %y3, %p : i32
    %g = uop.add %w, %l : i32
    %fi = uop.mul %g, %c2 : i32
    %fi1 = uop.add %fi, %c1 : i32
    %f0 = uop.load %fb[%fi] : f32
    %f1 = uop.load %fb[%fi1] : f32
    %fs = uop.add %f0, %f1 : f32
    uop.store %fb[%fi], %fs : f32
    uop.store %fb[%fi1], %f0 : f32
    %h0 = uop.load %hb[%lb] : f16
    %h1 = uop.load %hb[%l1] : f16
    %h2 = uop.load %hb[%l2] : f16
    %h3 = uop.load %hb[%l3] : f16
    %hs = uop.add %h0, %h3 : f16
    uop.store %hb[%lb], %hs : f16
    uop.store %hb[%l1], %h2 : f16
    uop.store %hb[%l2], %h1 : f16
    uop.store %hb[%l3], %h0 : f16
  }
  func.return %0 : !st.buffer<256xi32>
}

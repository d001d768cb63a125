// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'uop-emulate-bf16' | filecheck %s --check-prefix=UOP
// RUN: tinyir-opt %s -p 'uop-emulate-bf16,uop-to-ptx{arch=sm_80}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_80 %t.ptx -o %t.cubin
// A bf16 mma whose A mixes elements that only move (ldmatrix, loads) with one computed (an f32
// holding a bf16 after uop-emulate-bf16): one kind per operand, so A's bits are widened too (B, all
// computed, is f32 already). In PTX the ldmatrix registers are split into their 16-bit halves
// (and.b32 / shr.u32, bf16's bits in 32-bit registers), widened, and every pair packed by
// cvt.rn.bf16x2.f32 (exact).

// UOP:      %e0, %e1, %e2, %e3 = uop.ldmatrix
// UOP:      uop.mma "mma.m16n8k16.bf16" a({{.*}}) b({{.*}}) c({{.*}}) : (f32, f32, f32, f32, f32, f32, f32, f32), (f32, f32, f32, f32), (f32, f32, f32, f32)

// CHECK:     ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%r[[R0:[0-9]+]], %r{{[0-9]+}}}, [%rd{{[0-9]+}}];
// CHECK-DAG: and.b32 %r{{[0-9]+}}, %r[[R0]], 65535;
// CHECK-DAG: shr.u32 %r{{[0-9]+}}, %r[[R0]], 16;
// CHECK-NOT: prmt.b32
// CHECK:     cvt.rn.bf16x2.f32
// CHECK:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
func.func @main(%a: !st.buffer<64xbf16>) -> !st.buffer<32xf32> {
  %1 = st.alloc : !st.buffer<32xf32>
  uop.kernel "mixed"(%a, %1) : !st.buffer<64xbf16>, !st.buffer<32xf32> {
  ^bb0(%x: !st.buffer<64xbf16>, %y: !st.buffer<32xf32>):
    %g = uop.special "wgid0" 1 : i32
    %l = uop.special "lidx0" 32 : i32
    %t = uop.define_local : !st.buffer<256xbf16>
    %e0, %e1, %e2, %e3 = uop.ldmatrix %t[%l] x 2 : i64 : !st.buffer<256xbf16> -> bf16, bf16, bf16, bf16
    %v = uop.load %x[%l] : bf16
    %w = uop.load %x[%g] : bf16
    %one = uop.const 1.0 : bf16
    %s = uop.add %w, %one : bf16
    %c = uop.const 0.0 : f32
    %d0, %d1, %d2, %d3 = uop.mma "mma.m16n8k16.bf16" a(%e0, %e1, %e2, %e3, %v, %v, %v, %s) b(%s, %s, %s, %s) c(%c, %c, %c, %c) : (bf16, bf16, bf16, bf16, bf16, bf16, bf16, bf16), (bf16, bf16, bf16, bf16), (f32, f32, f32, f32) -> (f32, f32, f32, f32)
    %r0 = uop.add %d0, %d1 : f32
    %r1 = uop.add %d2, %d3 : f32
    %r = uop.add %r0, %r1 : f32
    uop.store %y[%l], %r : f32
  }
  func.return %1 : !st.buffer<32xf32>
}

// RUN: %roundtrip
// The ptx dialect prints, and reads back from its generic form, every kind of op.

// CHECK-LABEL: func.func @all_ops
func.func @all_ops(%o: !st.buffer<16xf32>, %b: !st.buffer<16xi8>) {
  // CHECK: ptx.kernel "k0" target "sm_90a" version "9.0" global [16] block [16, 1, 1] (%o, %b) : !st.buffer<16xf32>, !st.buffer<16xi8> {
  ptx.kernel "k0" target "sm_90a" version "9.0" global [16] block [16, 1, 1] (%o, %b) : !st.buffer<16xf32>, !st.buffer<16xi8> {
  ^bb0(%out: !st.buffer<16xf32>, %in: !st.buffer<16xi8>):
    // CHECK-NEXT: ^bb0(%out: !st.buffer<16xf32>, %in: !st.buffer<16xi8>):
    // CHECK-NEXT: %p = ptx.ld param %out : u64
    // CHECK-NEXT: %g = ptx.cvta to.global %p : u64
    // CHECK-NEXT: %t = ptx.sreg tid.x : i32
    // CHECK-NEXT: %c = ptx.const 4 : s32
    // CHECK-NEXT: %a = ptx.mad wide %t, %c, %g : s32
    // CHECK-NEXT: %q = ptx.ld param %in : u64
    // CHECK-NEXT: %yes = ptx.const true : pred
    // CHECK-NEXT: %byte = ptx.ld global %g if %yes : s8
    // CHECK-NEXT: %v = ptx.cvt rn %t : s32 to f32
    // CHECK-NEXT: %h = ptx.cvt rn %v : f32 to f16
    // CHECK-NEXT: %n = ptx.cvt rzi %h : f16 to s32
    // CHECK-NEXT: %w8 = ptx.cvt %n : s8 to s32
    // CHECK-NEXT: %acc = ptx.reg 0.0 : f32
    // CHECK-NEXT: ptx.label "L0"
    // CHECK-NEXT: %e = ptx.ex2 approx %acc : f32
    // CHECK-NEXT: %s = ptx.add rn %e, %v : f32
    // CHECK-NEXT: ptx.assign %acc, %s : f32
    // CHECK-NEXT: %flag = ptx.setp lt %t, %c : s32
    // CHECK-NEXT: %nf = ptx.not %flag : pred
    // CHECK-NEXT: %sel = ptx.selp %s, %v, %nf : f32
    // CHECK-NEXT: ptx.bra "L0" if %flag
    // CHECK-NEXT: %bits = ptx.mov %sel : f32 to i32
    // CHECK-NEXT: %sh = ptx.shl %bits, %c : b32
    // CHECK-NEXT: %neg1 = ptx.const -1 : s32
    // CHECK-NEXT: %inf = ptx.const -inf : f32
    // CHECK-NEXT: ptx.st global %a, %sel if %flag : f32
    // CHECK-NEXT: ptx.ret if %nf
    %p = ptx.ld param %out : u64
    %g = ptx.cvta to.global %p : u64
    %t = ptx.sreg tid.x : i32
    %c = ptx.const 4 : s32
    %a = ptx.mad wide %t, %c, %g : s32
    %q = ptx.ld param %in : u64
    %yes = ptx.const true : pred
    %byte = ptx.ld global %g if %yes : s8
    %v = ptx.cvt rn %t : s32 to f32
    %h = ptx.cvt rn %v : f32 to f16
    %n = ptx.cvt rzi %h : f16 to s32
    %w8 = ptx.cvt %n : s8 to s32
    %acc = ptx.reg 0.0 : f32
    ptx.label "L0"
    %e = ptx.ex2 approx %acc : f32
    %s = ptx.add rn %e, %v : f32
    ptx.assign %acc, %s : f32
    %flag = ptx.setp lt %t, %c : s32
    %nf = ptx.not %flag : pred
    %sel = ptx.selp %s, %v, %nf : f32
    ptx.bra "L0" if %flag
    %bits = ptx.mov %sel : f32 to i32
    %sh = ptx.shl %bits, %c : b32
    %neg1 = ptx.const -1 : s32
    %inf = ptx.const -inf : f32
    ptx.st global %a, %sel if %flag : f32
    ptx.ret if %nf
  }
  func.return
}

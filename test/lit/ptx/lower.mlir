// RUN: tinyir-opt %s -p uop-to-ptx | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-ptx{fmad=false}' | filecheck %s --check-prefix=EXACT
// Float add/mul carry no rounding modifier by default, so ptxas may fuse them into fma (nvcc's
// -fmad=true); fmad=false rounds each on its own (add.rn), as the CPU does.
// uop-to-ptx: global ids from special registers, ld.param + cvta per buffer, mad.wide addresses,
// the reduction loop as label + setp + predicated bra, a gated load, and the i8 wrap.

// CHECK-LABEL: func.func @sum_rows
// CHECK:         ptx.kernel "k" target "sm_80" version "8.0" global [200] block [128, 1, 1] (%o, %a, %b)
// CHECK:           %[[P0:.*]] = ptx.ld param %out : u64
// CHECK-NEXT:      %[[OUT:.*]] = ptx.cvta to.global %[[P0]] : u64
// CHECK-NEXT:      %[[P1:.*]] = ptx.ld param %in : u64
// CHECK-NEXT:      %[[IN:.*]] = ptx.cvta to.global %[[P1]] : u64
// CHECK:           %[[CTA:.*]] = ptx.sreg ctaid.x : i32
// CHECK-NEXT:      %[[NT:.*]] = ptx.sreg ntid.x : i32
// CHECK-NEXT:      %[[TID:.*]] = ptx.sreg tid.x : i32
// CHECK-NEXT:      %g = ptx.mad lo %[[CTA]], %[[NT]], %[[TID]] : s32
// 200 threads in blocks of 128: the ones past the end return
// CHECK-NEXT:      %[[N:.*]] = ptx.const 200 : s32
// CHECK-NEXT:      %[[PAST:.*]] = ptx.setp ge %g, %[[N]] : s32
// CHECK-NEXT:      ptx.ret if %[[PAST]]
// CHECK:           %acc = ptx.reg 0.0 : f32
// CHECK-NEXT:      %k = ptx.reg 0 : s32
// CHECK-NEXT:      ptx.label "LOOP_k_0"
// CHECK:           %[[ADDR:.*]] = ptx.mad wide %{{.*}}, %{{.*}}, %[[IN]] : s32
// CHECK-NEXT:      %[[RAW:.*]] = ptx.ld global %[[ADDR]] if %valid : f32
// CHECK-NEXT:      %[[ZERO:.*]] = ptx.const 0.0 : f32
// CHECK-NEXT:      %[[V:.*]] = ptx.selp %[[RAW]], %[[ZERO]], %valid : f32
// CHECK-NEXT:      %s = ptx.add %acc, %[[V]] : f32
// EXACT:           %s = ptx.add rn %acc, %{{.*}} : f32
// CHECK-NEXT:      ptx.assign %acc, %s : f32
// CHECK-NEXT:      %[[ONE:.*]] = ptx.const 1 : s32
// CHECK-NEXT:      %[[NEXT:.*]] = ptx.add %k, %[[ONE]] : s32
// CHECK-NEXT:      ptx.assign %k, %[[NEXT]] : i32
// CHECK-NEXT:      %[[END:.*]] = ptx.const 8 : s32
// CHECK-NEXT:      %[[AGAIN:.*]] = ptx.setp lt %k, %[[END]] : s32
// CHECK-NEXT:      ptx.bra "LOOP_k_0" if %[[AGAIN]]
// CHECK:           ptx.st global %{{.*}}, %acc : f32
// i8: loaded sign-extended (ld.global.s8), the add wraps back into the byte, stored as the low byte
// CHECK:           %[[B:.*]] = ptx.ld global %{{.*}} : s8
// CHECK-NEXT:      %[[SUM:.*]] = ptx.add %[[B]], %[[B]] : s32
// CHECK-NEXT:      %[[W:.*]] = ptx.cvt %[[SUM]] : s8 to s32
// CHECK:           ptx.st global %{{.*}}, %[[W]] : s8
func.func @sum_rows(%o: !st.buffer<200xf32>, %a: !st.buffer<200x8xf32>, %b: !st.buffer<200xi8>) {
  uop.kernel "k" (%o, %a, %b) : !st.buffer<200xf32>, !st.buffer<200x8xf32>, !st.buffer<200xi8> {
  ^bb0(%out: !st.buffer<200xf32>, %in: !st.buffer<200x8xf32>, %bytes: !st.buffer<200xi8>):
    %g = uop.special "gidx0" 200 : i32
    %c8 = uop.const 8 : i32
    %c6 = uop.const 6 : i32
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 8 : i32
    %row = uop.mul %g, %c8 : i32
    %i = uop.add %row, %k : i32
    %valid = uop.cmplt %k, %c6 : i32
    %v = uop.load %in[%i], %valid : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %out[%g], %acc : f32
    %x = uop.load %bytes[%g] : i8
    %y = uop.add %x, %x : i8
    uop.store %bytes[%g], %y : i8
  }
  func.return
}

// The host side and kernels of other targets are left alone.
// CHECK-LABEL: func.func @host_only
// CHECK-NEXT:    %0 = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    func.return %0 : !st.buffer<4xf32>
func.func @host_only() -> !st.buffer<4xf32> {
  %0 = st.alloc : !st.buffer<4xf32>
  func.return %0 : !st.buffer<4xf32>
}

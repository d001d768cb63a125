// RUN: tinyir-opt %s -p uop-to-ptx | filecheck %s --check-prefix=LOWER
// RUN: tinyir-opt %s -p uop-to-ptx -t ptx | filecheck %s
// Work-group kernels: wgid -> %ctaid, lidx -> %tid with no guard (the launch is exact: block = the
// lidx sizes, .maxntid), define_local -> a .shared array (bool as bytes) reached with ld/st.shared
// through its address, barrier -> bar.sync 0.

// LOWER-LABEL: func.func @stage
// LOWER:         ptx.kernel "stage" target "sm_80" version "8.0" global [256, 3, 1] block [64, 1, 1] (%a, %b) : !st.buffer<3x256xf32>, !st.buffer<3x256xf32> {
// LOWER:           %y = ptx.sreg ctaid.y : i32
// LOWER-NEXT:      %w = ptx.sreg ctaid.x : i32
// LOWER-NEXT:      %l = ptx.sreg tid.x : i32
// LOWER-NEXT:      %tmp = ptx.shared !st.buffer<64xf32> : i64
// LOWER-NEXT:      %flags = ptx.shared !st.buffer<64xi1> : i64
// LOWER-NOT:       ptx.ret
// LOWER:           %[[V:.*]] = ptx.ld global %{{.*}} : f32
// LOWER:           %[[A:.*]] = ptx.mad wide %l, %{{.*}}, %tmp : s32
// LOWER-NEXT:      ptx.st shared %[[A]], %[[V]] : f32
// LOWER:           ptx.st shared %{{.*}}, %{{.*}} : u8
// LOWER-NEXT:      ptx.bar_sync
// LOWER:           %{{.*}} = ptx.ld shared %{{.*}} : f32
// LOWER:           ptx.ld shared %{{.*}} : u8

// CHECK-LABEL: .visible .entry stage(
// CHECK:       .maxntid 64, 1, 1
// CHECK:         .reg .b64 %rd<{{[0-9]+}}>;
// CHECK-NEXT:    .shared .align 16 .b8 stage_smem0[256];
// CHECK-NEXT:    .shared .align 16 .b8 stage_smem1[64];
// CHECK:         mov.u32 %r{{[0-9]+}}, %ctaid.y;
// CHECK-NEXT:    mov.u32 %r{{[0-9]+}}, %ctaid.x;
// CHECK-NEXT:    mov.u32 [[L:%r[0-9]+]], %tid.x;
// CHECK-NEXT:    mov.u64 [[TMP:%rd[0-9]+]], stage_smem0;
// CHECK-NEXT:    mov.u64 {{%rd[0-9]+}}, stage_smem1;
// CHECK:         mad.wide.s32 [[AT:%rd[0-9]+]], [[L]], {{%r[0-9]+}}, [[TMP]];
// CHECK-NEXT:    st.shared.f32 [[[AT]]], {{%f[0-9]+}};
// CHECK:         st.shared.u8
// CHECK-NEXT:    bar.sync 0;
// CHECK:         ld.shared.f32
// CHECK:         ld.shared.u8
// CHECK-NOT:     @%p{{[0-9]+}} ret;
// CHECK:         ret;

func.func @stage(%a: !st.buffer<3x256xf32>, %b: !st.buffer<3x256xf32>) {
  uop.kernel "stage" (%a, %b) : !st.buffer<3x256xf32>, !st.buffer<3x256xf32> {
  ^bb0(%out: !st.buffer<3x256xf32>, %in: !st.buffer<3x256xf32>):
    %y = uop.special "wgid1" 3 : i32
    %w = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 64 : i32
    %tmp = uop.define_local : !st.buffer<64xf32>
    %flags = uop.define_local : !st.buffer<64xi1>
    %c64 = uop.const 64 : i32
    %c256 = uop.const 256 : i32
    %c63 = uop.const 63 : i32
    %zero = uop.const 0.0 : f32
    %row = uop.mul %y, %c256 : i32
    %col0 = uop.mul %w, %c64 : i32
    %col = uop.add %col0, %l : i32
    %i = uop.add %row, %col : i32
    %v = uop.load %in[%i] : f32
    uop.store %tmp[%l], %v : f32
    %pos = uop.cmplt %zero, %v : f32
    uop.store %flags[%l], %pos : i1
    uop.barrier
    %nl = uop.neg %l : i32
    %j = uop.add %c63, %nl : i32
    %r = uop.load %tmp[%j] : f32
    %f = uop.load %flags[%j] : i1
    %z = uop.where %f, %r, %zero : f32
    uop.store %out[%i], %z : f32
  }
  func.return
}

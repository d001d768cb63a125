// RUN: tinyir-opt %s -p 'uop-async-copy{stages=2}' | filecheck %s
// RUN: tinyir-opt %s -p 'uop-async-copy{stages=3}' | filecheck %s --check-prefix=THREE
// RUN: tinyir-opt %s -p 'uop-async-copy{max_bytes=128}' | filecheck %s --check-prefix=SMALL
// RUN: tinyir-opt %s -p 'uop-async-copy{max_bytes=384 stages=4}' | filecheck %s --check-prefix=FITS
// RUN: tinyir-opt %s -p 'uop-async-copy{stages=2 unroll=4}' | filecheck %s --check-prefix=UNROLL
// RUN: tinyir-opt %s -p 'uop-async-copy{stages=2},uop-to-ptx' -t ptx | filecheck %s --check-prefix=PTX
// RUN: tinyir-opt %s -p 'uop-async-copy{stages=3},uop-to-ptx' -t ptx | filecheck %s --check-prefix=PTX3
// RUN: not tinyir-opt %s -p 'uop-async-copy{arch=sm_99}' 2>&1 | filecheck %s --check-prefix=ARCH
// A staged chunk loop (2 chunks of 4) of a 4x8 @ 8x4 f32 matmul. An unknown chip is an option error.
// ARCH: error: invalid options for pass 'uop-async-copy': target 'cuda' has no chip 'sm_99' (chips: sm_80, sm_86, sm_89, sm_90, sm_90a)
// 2 stages: each 16-element tile gets a second buffer; chunk 0 is copied before the loop; at the top
// of chunk r: wait until no group is in flight (chunk r landed), the barrier, then chunk r+1 (gated to
// r+1 < 2) into buffer (r+1)%2 and commit; the reads take buffer r%2. The barrier that closed the
// chunk goes: the next chunk's barrier frees the buffer before it is copied into again.
// 3 stages: three buffers, chunks 0 and 1 copied before the loop (a group each), wait 1, buffer
// numbers by `mod 3`.
// unroll=4: the chunk's inner loop of 4 k steps becomes 4 copies of its body, the index a constant
// (by default only loops of at most 2 trips are).
// With 128 bytes of local memory the doubled tiles (256 bytes) do not fit: left alone. With 384
// bytes, 3 of the 4 stages asked for fit.

// CHECK:      %[[A:.*]] = uop.define_local : !st.buffer<32xf32>
// CHECK:      %[[B:.*]] = uop.define_local : !st.buffer<32xf32>
// CHECK:      uop.async_copy %[[A]][%{{.*}}], %1[%{{.*}} : i32] : 1 x !st.buffer<32xf32>, !st.buffer<4x8xf32>
// CHECK:      uop.async_copy %[[B]][%{{.*}}], %2[%{{.*}} : i32] : 1 x !st.buffer<32xf32>, !st.buffer<8x4xf32>
// CHECK-NEXT: uop.async_commit
// CHECK-NEXT: %[[R:.*]] = uop.range 0, 2 : i32
// CHECK:      uop.async_wait 0
// CHECK-NEXT: uop.barrier
// CHECK:      uop.cmplt
// CHECK:      uop.async_copy %[[A]][%{{.*}}], %1[%{{.*}} : i32] if %{{.*}} : 1 x
// CHECK:      uop.async_copy %[[B]][%{{.*}}], %2[%{{.*}} : i32] if %{{.*}} : 1 x
// CHECK-NEXT: uop.async_commit
// CHECK-NOT:  uop.store %[[A]]
// CHECK:      uop.load %[[A]]
// CHECK:      uop.load %[[B]]
// CHECK-NOT:  uop.barrier
// CHECK:      uop.endrange %[[R]]
// CHECK-NEXT: uop.async_wait 0

// THREE:      uop.define_local : !st.buffer<48xf32>
// THREE:      uop.async_commit
// THREE:      uop.async_commit
// THREE-NEXT: uop.range 0, 2 : i32
// THREE:      uop.async_wait 1
// THREE-NEXT: uop.barrier
// THREE:      uop.mod
// THREE:      uop.async_commit
// THREE:      uop.endrange
// THREE-NEXT: uop.endrange
// THREE-NEXT: uop.async_wait 0

// UNROLL:      %[[R:.*]] = uop.range 0, 2 : i32
// UNROLL:      uop.async_commit
// UNROLL-NOT:  uop.range
// UNROLL:      uop.const 0 : i32
// UNROLL-COUNT-4: uop.assign
// UNROLL-NOT:  uop.range
// UNROLL:      uop.endrange %[[R]]
// UNROLL-NEXT: uop.async_wait 0

// SMALL-NOT: uop.async_copy
// SMALL:     uop.store %{{.*}}, %{{.*}} : f32
// SMALL:     uop.barrier
// SMALL:     uop.barrier

// FITS: uop.define_local : !st.buffer<48xf32>
// FITS: uop.async_wait 1

// PTX:     .shared .align {{[0-9]+}} .b8 {{.*}}[128];
// PTX:     cp.async.ca.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], 4, %r{{[0-9]+}};
// PTX:     cp.async.commit_group;
// PTX:     cp.async.wait_group 0;
// PTX-NEXT: bar.sync 0;
// PTX:     cp.async.commit_group;
// PTX-NOT: bar.sync
// PTX:     cp.async.wait_group 0;

// PTX3:     .shared .align {{[0-9]+}} .b8 {{.*}}[192];
// PTX3:     cp.async.wait_group 1;
// PTX3-NEXT: bar.sync 0;
// The stage ring index (r+1) mod 3 of a non-negative r: a multiply-high, a shift and a mad, no rem.s32.
// PTX3-NOT: rem.s32
// PTX3:     mul.hi.u32
// PTX3:     shr.u32
// PTX3:     mad.lo.s32
// PTX3-NOT: rem.s32
// PTX3:     cp.async.wait_group 0;
func.func @main(%a: !st.buffer<4x8xf32>, %b: !st.buffer<8x4xf32>) -> !st.buffer<4x4xf32> {
  %0 = st.alloc : !st.buffer<4x4xf32>
  uop.kernel "k0"(%0, %a, %b) : !st.buffer<4x4xf32>, !st.buffer<4x8xf32>, !st.buffer<8x4xf32> attributes {actions = "local:0:4,local:1:4,stage:2:4"} {
  ^bb0(%out: !st.buffer<4x4xf32>, %1: !st.buffer<4x8xf32>, %2: !st.buffer<8x4xf32>):
    %i0 = uop.special "wgid1" 1 : i32
    %i0_l = uop.special "lidx1" 4 : i32
    %i1 = uop.special "wgid0" 1 : i32
    %i1_l = uop.special "lidx0" 4 : i32
    %3 = uop.define_local : !st.buffer<16xf32>
    %4 = uop.define_local : !st.buffer<16xf32>
    %5 = uop.const 4 : i32
    %6 = uop.mul %i0, %5 : i32
    %i0_1 = uop.add %6, %i0_l : i32
    %7 = uop.mul %i1, %5 : i32
    %i1_1 = uop.add %7, %i1_l : i32
    %8 = uop.const 8 : i32
    %9 = uop.mul %i0_1, %8 : i32
    %10 = uop.mul %i0_l, %5 : i32
    %11 = uop.define_acc 0.0 : f32
    %r2 = uop.range 0, 2 : i32
    %12 = uop.mul %r2, %5 : i32
    %13 = uop.add %i1_l, %10 : i32
    %r2_1 = uop.add %12, %i1_l : i32
    %14 = uop.add %9, %r2_1 : i32
    %15 = uop.load %1[%14] : f32
    uop.store %3[%13], %15 : f32
    %r2_2 = uop.add %12, %i0_l : i32
    %16 = uop.mul %r2_2, %5 : i32
    %17 = uop.add %i1_1, %16 : i32
    %18 = uop.load %2[%17] : f32
    uop.store %4[%13], %18 : f32
    uop.barrier
    %r2_s = uop.range 0, 4 : i32
    %19 = uop.add %r2_s, %10 : i32
    %20 = uop.load %3[%19] : f32
    %21 = uop.mul %r2_s, %5 : i32
    %22 = uop.add %i1_l, %21 : i32
    %23 = uop.load %4[%22] : f32
    %24 = uop.mul %20, %23 : f32
    %25 = uop.add %11, %24 : f32
    uop.assign %11, %25 : f32
    uop.endrange %r2_s
    uop.barrier
    uop.endrange %r2
    %26 = uop.mul %i0_1, %5 : i32
    %27 = uop.add %26, %i1_1 : i32
    uop.store %out[%27], %11 : f32
  }
  func.return %0 : !st.buffer<4x4xf32>
}

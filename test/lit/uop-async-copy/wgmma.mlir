// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1,stage:2:2"},loop-to-uop,uop-simplify,uop-vectorize{width=4},uop-async-copy{stages=2 arch=sm_90a unroll=0}' | filecheck %s
// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1,stage:2:2"},loop-to-uop,uop-simplify,uop-vectorize{width=4},uop-async-copy{stages=2 arch=sm_90a unroll=0},uop-to-ptx{arch=sm_90a}' -t ptx | filecheck %s --check-prefix=PTX
// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1,stage:2:2"},loop-to-uop,uop-simplify,uop-vectorize{width=4},uop-async-copy{stages=2 max_bytes=8192}' | filecheck %s --check-prefix=SMALL
// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1,stage:2:2"},loop-to-uop,uop-simplify,uop-vectorize{width=4},uop-async-copy{stages=4 arch=sm_90a unroll=0}' | filecheck %s --check-prefix=FLIGHT
// A wgmma kernel (m64n64k16, chunks of 2 k steps) pipelined through cp.async: A (64 x 64 row-major, k
// contiguous) staged K-major and B (n contiguous) MN-major, so every run of 8 (two 4-lane f16 vectors)
// lands in one 16-byte core-matrix row and becomes one 8-lane uop.async_copy (cp.async's 16 bytes); each tile gets a second buffer (2 x 2048 halves);
// the wgmma reads the new tiles with each descriptor's start moved by the current buffer's offset in
// 16-byte units (2048 halves = 256 per buffer), B transposed (`trans`). In the PTX the loop waits for the
// copies, then fence.proxy.async (cp.async writes are generic-proxy, wgmma reads through the async proxy),
// then the barrier, before the wgmma (imm-trans-b 1). Where the second buffers do not fit, nothing changes.

// CHECK:      %[[A:.*]] = uop.define_local : !st.buffer<4096xf16>
// CHECK-NEXT: %[[B:.*]] = uop.define_local : !st.buffer<4096xf16>
// CHECK:      uop.async_copy %[[A]][%{{.*}}], %{{.*}}[%{{.*}} : i32] : 8 x !st.buffer<4096xf16>
// CHECK:      uop.async_copy %[[B]][%{{.*}}], %{{.*}}[%{{.*}} : i32] : 8 x !st.buffer<4096xf16>
// CHECK:      uop.async_commit
// CHECK:      uop.async_wait 0
// CHECK-NEXT: uop.barrier
// CHECK:      uop.async_commit
// CHECK:      %[[STEP:.*]] = uop.const 256 : i32
// CHECK-NEXT: %[[OFFSET:.*]] = uop.mul %{{.*}}, %[[STEP]] : i32
// CHECK-NEXT: %[[START:.*]] = uop.cast %[[OFFSET]] : i32 to i64
// CHECK:      %desc = uop.or
// CHECK-NEXT: %[[ADESC:.*]] = uop.add %desc, %[[START]] : i64
// CHECK-NEXT: %[[BDESC:.*]] = uop.add %desc, %{{.*}} : i64
// CHECK-NEXT: uop.wgmma "wgmma.m64n64k16.f16" a(%[[A]], %[[ADESC]]) b(%[[B]], %[[BDESC]]) trans c(
// CHECK-NOT:  uop.store %{{[0-9]+}}[
// CHECK:      uop.async_wait 0

// PTX:        cp.async.cg.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], 16, %r{{[0-9]+}};
// PTX:        cp.async.wait_group 0;
// PTX-NEXT:   fence.proxy.async.shared::cta;
// PTX-NEXT:   bar.sync 0;
// PTX:        wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 {{.*}}, 1, 1, 0, 1;

// With 4 stages the tiles are copied 2 chunks ahead, not 3 (WGMMA-IN-FLIGHT): the loop waits for all
// but the newest copy group, and the wgmma is marked in_flight: the buffer it reads is
// overwritten only two chunks later, so its group may run on while the next chunk issues.
// FLIGHT:     uop.async_commit
// FLIGHT:     uop.async_commit
// FLIGHT-NOT: uop.async_commit
// FLIGHT:     %{{.*}} = uop.range
// FLIGHT:     uop.async_wait 1
// FLIGHT:     uop.wgmma {{.*}} in_flight
// FLIGHT:     uop.async_wait 0

// SMALL-NOT:  uop.async_copy
// SMALL:      uop.define_local : !st.buffer<2048xf16>
// SMALL:      uop.vstore
// SMALL:      uop.wgmma
func.func @main(%a: tensor<64x64xf16>, %b: tensor<64x64xf16>) -> tensor<64x64xf16> {
  %0 = tir.matmul %a, %b : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf16>
  func.return %0 : tensor<64x64xf16>
}

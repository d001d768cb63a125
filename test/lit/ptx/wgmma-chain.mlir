// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:2,stage:2:4" arch=sm_90a},loop-to-uop,uop-simplify,uop-vectorize{width=4 bf16_copies=true},uop-async-copy{target=cuda arch=sm_90a stages=4 unroll=4},uop-to-ptx{arch=sm_90a}' -t ptx | filecheck %s
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a actions="tc:2:2,stage:2:2"}' -t ptx | filecheck %s --check-prefix=ONE
// WGMMA-CHAIN: a k chunk of 4 steps (stage:2:4, unrolled) issues its 4 wgmmas on the same accumulators back to
// back: one wgmma.fence before the first, none before the 3 that continue it, no wait between them, one commit
// group; the loop branches back with that group still running (WGMMA-IN-FLIGHT: 4 stages, copies 2 chunks
// ahead, so its tiles are overwritten only after the next chunk's wait and barrier), every group waited
// for after the loop. The default chain (prefix ONE; stages and unrolling the target's choice) does the same for
// a chunk of 2 steps: a wgmma-only chunk loop takes 4 stages and its k steps unrolled.

// CHECK:      LOOP_k0_0:
// CHECK:      bar.sync 0;
// CHECK:      wgmma.fence.sync.aligned;
// CHECK-NEXT: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {[[ACC:%f0, %f1, %f2]],
// CHECK-NOT:  wgmma.fence
// CHECK-NOT:  wgmma.wait_group
// CHECK:      wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {[[ACC]],
// CHECK-NOT:  wgmma.fence
// CHECK-NOT:  wgmma.wait_group
// CHECK:      wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {[[ACC]],
// CHECK-NOT:  wgmma.fence
// CHECK-NOT:  wgmma.wait_group
// CHECK:      wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {[[ACC]],
// CHECK-NOT:  wgmma.mma_async
// CHECK:      wgmma.commit_group.sync.aligned;
// CHECK-NEXT: wgmma.wait_group.sync.aligned 1;
// CHECK-NOT:  wgmma
// CHECK:      bra LOOP_k0_0;
// CHECK-NEXT: wgmma.wait_group.sync.aligned 0;

// ONE:        LOOP_k0_0:
// ONE:        wgmma.fence.sync.aligned;
// ONE-NEXT:   wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// ONE-NOT:    wgmma.fence
// ONE:        wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// ONE-NOT:    wgmma.mma_async
// ONE:        wgmma.commit_group.sync.aligned;
// ONE-NEXT:   wgmma.wait_group.sync.aligned 1;
// ONE:        bra LOOP_k0_0;
// ONE-NEXT:   wgmma.wait_group.sync.aligned 0;
func.func @main(%a: tensor<128x128xf16>, %b: tensor<128x128xf16>) -> tensor<128x128xf16> {
  %0 = tir.matmul %a, %b : tensor<128x128xf16>, tensor<128x128xf16> -> tensor<128x128xf16>
  func.return %0 : tensor<128x128xf16>
}

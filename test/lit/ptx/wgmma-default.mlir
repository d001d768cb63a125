// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90}' -t ptx | filecheck %s --check-prefix=SM90
// On sm_90a the default heuristics run an f16 matmul on wgmma (tinyir/passes/wgmma_heuristics.py): 128 x 256
// tiles of two warpgroups, A and B staged MN/K-major with 128-byte swizzles through 4 cp.async stages, each
// chunk's 4 k steps one wgmma group kept in flight across the back branch. sm_90 (no `a`) keeps mma.sync.
// A product narrower than the instruction (64 x 128) stays on mma.sync too (ptx/mma.mlir).

// CHECK:      .target sm_90a
// CHECK:      .maxntid 128, 2, 1
// CHECK:      cp.async.cg.shared.global
// CHECK:      LOOP_k0_0:
// CHECK:      wgmma.fence.sync.aligned;
// CHECK-NEXT: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// CHECK-COUNT-7: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// CHECK:      wgmma.commit_group.sync.aligned;
// CHECK-NEXT: wgmma.wait_group.sync.aligned 1;
// CHECK:      bra LOOP_k0_0;
// CHECK-NEXT: wgmma.wait_group.sync.aligned 0;
// CHECK-NOT:  mma.sync

// SM90-NOT:   wgmma
// SM90:       mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
func.func @main(%a: tensor<256x512xf16>, %b: tensor<512x512xf16>) -> tensor<256x512xf16> {
  %0 = tir.matmul %a, %b : tensor<256x512xf16>, tensor<512x512xf16> -> tensor<256x512xf16>
  func.return %0 : tensor<256x512xf16>
}

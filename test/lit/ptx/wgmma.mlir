// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a actions="tc:2:2,upcast:0:2,stage:2:2"}' -t ptx | filecheck %s
// RUN: not env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:2,stage:2:2"},loop-to-uop,uop-simplify,uop-to-ptx{arch=sm_90}' 2>&1 | filecheck %s --check-prefix=ARCH
// wgmma.m64n128k16 (tc:2:2 on sm_90a), two along m per warpgroup (upcast:0:2): the staged tiles'
// stores (the tiles 1024-byte aligned, as a swizzle needs; vectors: A K-major, B MN-major), then fence.proxy.async (the tensor cores
// read them through the async proxy) and the barrier; per k step each operand's descriptor gets its tile's shared address >> 4 in its start field, the two
// wgmmas (each after a wgmma.fence; imm-trans-b 1: B MN-major) form one commit group, waited for before the loop branches back
// (their accumulators are updated in place: no moves). Below sm_90a the lowering refuses wgmma.

// CHECK:      .target sm_90a
// CHECK:      .shared .align 1024 .b8 k0_smem0[8192];
// CHECK:      mov.u64 %rd[[SA:[0-9]+]], k0_smem0;
// CHECK:      st.shared.v4.b16
// CHECK:      fence.proxy.async.shared::cta;
// CHECK-NEXT: bar.sync 0;
// CHECK:      LOOP_k0_0:
// CHECK:      or.b64 %rd[[DESC:[0-9]+]], %rd{{[0-9]+}}, %rd{{[0-9]+}};
// CHECK:      shr.u64 %rd[[SHIFTED:[0-9]+]], %rd[[SA]], %r{{[0-9]+}};
// CHECK-NEXT: and.b64 %rd[[FIELD:[0-9]+]], %rd[[SHIFTED]], %rd{{[0-9]+}};
// CHECK-NEXT: add.s64 %rd[[ADESC:[0-9]+]], %rd[[DESC]], %rd[[FIELD]];
// CHECK:      setp.ne.s32 %p[[SCALE:[0-9]+]], %r{{[0-9]+}}, %r{{[0-9]+}};
// CHECK-NEXT: wgmma.fence.sync.aligned;
// CHECK-NEXT: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {{[{](%f[0-9]+, ){63}%f[0-9]+[}]}}, %rd[[ADESC]], %rd{{[0-9]+}}, %p[[SCALE]], 1, 1, 0, 1;
// CHECK-NOT:  mov.f32
// CHECK:      wgmma.fence.sync.aligned;
// CHECK-NEXT: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// CHECK-NOT:  mov.f32
// CHECK:      wgmma.commit_group.sync.aligned;
// CHECK-NEXT: wgmma.wait_group.sync.aligned 0;
// CHECK:      bra LOOP_k0_0;

// ARCH:       error: 'uop.wgmma' op uop-to-ptx: wgmma.m64n128k16.f16 (wgmma) needs arch=sm_90a, got sm_90
func.func @main(%a: tensor<128x32xf16>, %b: tensor<32x128xf16>) -> tensor<128x128xf16> {
  %0 = tir.matmul %a, %b : tensor<128x32xf16>, tensor<32x128xf16> -> tensor<128x128xf16>
  func.return %0 : tensor<128x128xf16>
}

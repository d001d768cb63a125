// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1,stage:2:2"}' | filecheck %s
// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1,stage:2:2"},loop-to-uop,uop-simplify' | filecheck %s --check-prefix=UOP
// RUN: not env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:1,stage:2:2"}' 2>&1 | filecheck %s --check-prefix=ARCH
// RUN: not env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda arch=sm_90a actions="tc:2:1"}' 2>&1 | filecheck %s --check-prefix=STAGE
// wgmma (sm_90a): `tc:2:1` on cuda with arch=sm_90a picks wgmma.m64n64k16 (0 is mma.sync, 2 m64n128):
// tc ranges of 64 x 64 x 16 and a local range of a warpgroup's 128 lanes. Lowered, the staged tiles
// are blocks of 64 x 16 in core matrices (2048 halves each: two k steps); each k step builds a
// descriptor per operand (the block's start in 16-byte units, or'ed with the constant leading and
// stride byte offsets) and one uop.wgmma gives the lane's 32 accumulators, summed in place over the
// stage loop; B (32 x 64 row-major: n contiguous) is stored MN-major, so its wgmma operand has `trans`;
// the store is copied once per accumulator. Below sm_90a, or without a stage, it is refused.

// CHECK:      loop.kernel "k0"{{.*}}tensor_core = "wgmma.m64n64k16.f16"
// CHECK:      %i0_t = loop.range 64 tc : i32
// CHECK:      %i1_t = loop.range 64 tc : i32
// CHECK:      %r2_s = loop.range 2 stage : i32
// CHECK-NEXT: %{{.*}} = uop.const 2 : i32
// CHECK:      %r2_t = loop.range 16 tc : i32
// CHECK-NEXT: %lane = loop.range 128 local : i32

// UOP:        %lane = uop.special "lidx0" 128 : i32
// UOP-NEXT:   %[[A:.*]] = uop.define_local : !st.buffer<2048xf16>
// UOP-NEXT:   %[[B:.*]] = uop.define_local : !st.buffer<2048xf16>
// UOP:        %[[BITS:.*]] = uop.const 68720001024 : i64
// UOP-COUNT-32: uop.define_acc 0.0 : f32
// UOP:        uop.barrier
// UOP-NEXT:   %r2_s = uop.range 0, 2 : i32
// UOP:        %[[START:.*]] = uop.cast %{{.*}} : i32 to i64
// UOP-NEXT:   %desc = uop.or %[[START]], %[[BITS]] : i64
// UOP-NEXT:   %{{.*}} = uop.wgmma "wgmma.m64n64k16.f16" a(%[[A]], %desc) b(%[[B]], %desc) trans c(
// UOP-COUNT-32: uop.assign
// UOP:        uop.endrange %r2_s
// UOP-COUNT-32: uop.store %out

// ARCH:       error: 'loop.kernel' op kernel-optimize: kernel "k0": tc:2:1: tc on a 32-long reduce: the target has 1 matrix instruction(s) for f16, not 2 (wgmma needs arch=sm_90a)
// STAGE:      error: 'loop.kernel' op kernel-optimize: kernel "k0": wgmma.m64n64k16.f16 reads A and B from local memory: add a stage action on its reduce axis
func.func @main(%a: tensor<64x32xf16>, %b: tensor<32x64xf16>) -> tensor<64x64xf16> {
  %0 = tir.matmul %a, %b : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x64xf16>
  func.return %0 : tensor<64x64xf16>
}

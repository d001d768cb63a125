// RUN: tinyir-opt %s -p 'lower-to-amdgpu{arch=gfx942}' -t amdgpu | filecheck %s --check-prefix=GFX942
// RUN: tinyir-opt %s -p 'lower-to-amdgpu{arch=gfx90a}' -t amdgpu | filecheck %s --check-prefix=GFX90A
// RUN: tinyir-opt %s -p 'lower-to-amdgpu{arch=gfx1100}' -t amdgpu | filecheck %s --check-prefix=GFX1100
// RUN: tinyir-opt %s -p 'lower-to-amdgpu{arch=gfx1100}' -t llvm | filecheck %s --check-prefix=IR1100
// An f16 matmul on AMDGPU runs on the chip's matrix instruction by default (kernel-optimize gets the
// chip from lower-to-amdgpu's arch): MFMA on wave64 for gfx90a/gfx942, WMMA on wave32 for gfx1100,
// assembled by LLVM's AMDGPU backend.

// GFX942:      v_mfma_f32_16x16x16_f16
// GFX942:      .wavefront_size: 64
// GFX90A:      v_mfma_f32_16x16x16f16
// GFX90A:      .wavefront_size: 64
// GFX1100:     v_wmma_f32_16x16x16_f16
// GFX1100:     .wavefront_size: 32
// IR1100:      call <8 x float> @llvm.amdgcn.wmma.f32.16x16x16.f16.v8f32.v16f16(<16 x half> %{{.*}}, <16 x half> %{{.*}}, <8 x float> %{{.*}})
func.func @main(%a: tensor<32x32xf16>, %b: tensor<32x16xf16>) -> tensor<32x16xf16> {
  %0 = tir.matmul %a, %b : tensor<32x32xf16>, tensor<32x16xf16> -> tensor<32x16xf16>
  func.return %0 : tensor<32x16xf16>
}

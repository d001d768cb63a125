// RUN: tinyir-opt %s --split-input-file -p 'uop-to-amdgpu{arch=gfx942}' | filecheck %s --check-prefix=MFMA
// RUN: tinyir-opt %s --split-input-file -p 'uop-to-amdgpu{arch=gfx90a}' -t llvm | filecheck %s --check-prefix=TEXT
// RUN: not tinyir-opt %s --split-input-file -p 'uop-to-amdgpu{arch=gfx1100}' 2>&1 | filecheck %s --check-prefix=WRONG
// uop.mma becomes one llir.vector_call of the chip's intrinsic: A, B and C are the lanes of its
// vector operands in the layout order (tinyir/tensor_cores.py), D its vector result read back lane by
// lane; MFMA's cbsz/abid/blgp are 0. bf16 elements (f32 registers holding bf16 values) pass their
// high 16 bits as i16. A chip without the instruction (WMMA-only gfx1100 here) is refused, located.

// MFMA-LABEL: llir.kernel "mfma"
// MFMA:       %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %[[D3:[a-z0-9_]+]] = llir.vector_call "llvm.amdgcn.mfma.f32.16x16x16f16"(%{{.*}}) groups [4, 4, 4, 1, 1, 1] : (f16, f16, f16, f16, f16, f16, f16, f16, f32, f32, f32, f32, i32, i32, i32) -> (f32, f32, f32, f32)
// MFMA:       llir.store %[[D3]]
// TEXT-LABEL: define amdgpu_kernel void @mfma
// TEXT:       insertelement <4 x half> poison, half %{{.*}}, i32 0
// TEXT:       %[[V:.*]] = call <4 x float> @llvm.amdgcn.mfma.f32.16x16x16f16(<4 x half> %{{.*}}, <4 x half> %{{.*}}, <4 x float> %{{.*}}, i32 0, i32 0, i32 0)
// TEXT:       extractelement <4 x float> %[[V]], i32 3
// TEXT:       declare <4 x float> @llvm.amdgcn.mfma.f32.16x16x16f16(<4 x half>, <4 x half>, <4 x float>, i32, i32, i32)
// WRONG:      mma-lower.mlir:[[# @LINE + 7]]:{{[0-9]+}}: error: {{.*}}uop-to-amdgpu: gfx1100 has no matrix instruction mfma.16x16x16.f16 (it has wmma.16x16x16.f16, wmma.16x16x16.bf16; kernel-optimize{arch=gfx1100} chooses among these)
func.func @mfma(%x: !st.buffer<64xf16>, %out: !st.buffer<64xf32>) {
  uop.kernel "mfma" (%out, %x) : !st.buffer<64xf32>, !st.buffer<64xf16> {
  ^bb0(%o: !st.buffer<64xf32>, %in: !st.buffer<64xf16>):
    %l = uop.special "lidx0" 64 : i32
    %a = uop.load %in[%l] : f16
    %c = uop.const 0.0 : f32
    %d0, %d1, %d2, %d3 = uop.mma "mfma.16x16x16.f16" a(%a, %a, %a, %a) b(%a, %a, %a, %a) c(%c, %c, %c, %c) : (f16, f16, f16, f16), (f16, f16, f16, f16), (f32, f32, f32, f32) -> (f32, f32, f32, f32)
    uop.store %o[%l], %d3 : f32
  }
  func.return
}

// -----

// MFMA-LABEL: llir.kernel "mfma_bf16"
// MFMA:       %[[B:.*]] = llir.bitcast %{{.*}} : f32 to i32
// MFMA:       %[[H:.*]] = llir.lshr %[[B]], %{{.*}} : i32
// MFMA:       %[[T:.*]] = llir.trunc %[[H]] : i32 to i16
// MFMA:       llir.vector_call "llvm.amdgcn.mfma.f32.16x16x16bf16.1k"(%[[T]], %[[T]], %[[T]], %[[T]], %[[T]], %[[T]], %[[T]], %[[T]], %{{.*}}) groups [4, 4, 4, 1, 1, 1] : (i16, i16, i16, i16, i16, i16, i16, i16, f32, f32, f32, f32, i32, i32, i32) -> (f32, f32, f32, f32)
// TEXT-LABEL: define amdgpu_kernel void @mfma_bf16
// TEXT:       call <4 x float> @llvm.amdgcn.mfma.f32.16x16x16bf16.1k(<4 x i16>
func.func @mfma_bf16(%x: !st.buffer<64xf32>, %out: !st.buffer<64xf32>) {
  uop.kernel "mfma_bf16" (%out, %x) : !st.buffer<64xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<64xf32>, %in: !st.buffer<64xf32>):
    %l = uop.special "lidx0" 64 : i32
    %a = uop.load %in[%l] : f32
    %c = uop.const 0.0 : f32
    %d0, %d1, %d2, %d3 = uop.mma "mfma.16x16x16.bf16" a(%a, %a, %a, %a) b(%a, %a, %a, %a) c(%c, %c, %c, %c) : (f32, f32, f32, f32), (f32, f32, f32, f32), (f32, f32, f32, f32) -> (f32, f32, f32, f32)
    uop.store %o[%l], %d0 : f32
  }
  func.return
}

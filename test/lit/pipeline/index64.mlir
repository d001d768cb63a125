// A kernel whose index passes 2^31 - 1 (a view with a 2^30 stride into a 2^32-byte buffer) computes
// its addresses in 64 bits on every target; the small kernel beside it keeps 32-bit index math
// (the CPU prints both in i64, WIDE-INDEX in tinyir/targets/llvm/emit.py; the INDEX64 kernel's
// sign extensions of its loop indices then print as nothing).
// RUN: tinyir-opt %s -p lower-to-llvm -t llvm | filecheck %s --check-prefix=LLVM
// RUN: tinyir-opt %s -p lower-to-amdgpu -t llvm | filecheck %s --check-prefix=AMDGPU
// RUN: tinyir-opt %s -p lower-to-opencl -t opencl | filecheck %s --check-prefix=OCL
// RUN: tinyir-opt %s -p lower-to-metal -t metal | filecheck %s --check-prefix=METAL
// RUN: tinyir-opt %s -p lower-to-ptx -t ptx | filecheck %s --check-prefix=PTX

// LLVM-LABEL: define void @k0(
// LLVM-NOT:     sext i32 %i
// LLVM:         %[[A:.*]] = mul i64 %i1, 1073741824
// LLVM:         getelementptr inbounds i8, ptr %v, i64
// LLVM:         getelementptr inbounds i8, ptr %out, i64
// LLVM-LABEL: define void @k1(
// LLVM:         %[[B:.*]] = mul nuw nsw i64 %i0, 4
// LLVM:         getelementptr inbounds i8, ptr %v, i64
// LLVM:         ret void

// AMDGPU-LABEL: define amdgpu_kernel void @k0(
// AMDGPU:         getelementptr inbounds i8, ptr addrspace(1) %{{.*}}, i64
// AMDGPU-LABEL: define amdgpu_kernel void @k1(
// AMDGPU-NOT:     i64
// AMDGPU:         ret void

// OCL-LABEL: __kernel void k0(
// OCL:         long [[X:val[0-9]+]] = (long)((ulong){{.*}} + {{.*}});
// OCL-NEXT:    char {{.*}} = data1{{\[}}[[X]]];
// OCL-LABEL: __kernel void k1(
// OCL-NOT:     long
// OCL:         }

// METAL-LABEL: kernel void k0(
// METAL:         long [[X:val[0-9]+]] = as_type<long>(as_type<ulong>(val{{[0-9]+}}) + 
// METAL-NEXT:    char {{.*}} = data1{{\[}}[[X]]];
// METAL-LABEL: kernel void k1(
// METAL-NOT:     long
// METAL:         }

// PTX-LABEL: .visible .entry k0(
// PTX:         mad.lo.s64
// PTX-NOT:     mad.wide.s32
// PTX-LABEL: .visible .entry k1(
// PTX-NOT:     mad.lo.s64
// PTX:         mad.wide.s32
func.func @main(%a: tensor<4x1073741824xi8>, %b: tensor<8x4xi8>) -> (tensor<8x4xi8>, tensor<8x4xi8>) {
  %s = tir.shrink %a [[0, 4], [0, 8]] : tensor<4x1073741824xi8> -> tensor<4x8xi8>
  %p = tir.permute %s [1, 0] : tensor<4x8xi8> -> tensor<8x4xi8>
  %c = tir.constant dense<1> : tensor<8x4xi8>
  %r = tir.add %p, %c : tensor<8x4xi8>
  %q = tir.add %b, %c : tensor<8x4xi8>
  func.return %r, %q : tensor<8x4xi8>, tensor<8x4xi8>
}

// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-opencl' -t opencl | filecheck %s --check-prefix=OCL
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-opencl' --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=OCLIR
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-metal' -t metal | filecheck %s --check-prefix=MSL
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-metal' --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=MSLIR
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-amdgpu' | filecheck %s --check-prefix=LLVM
// The kernel of ptx.mlir in the C-like targets: OpenCL global vectors through pointer casts (buffers are
// 16-byte aligned), vload4/vstore4 on __local arrays, f16 storage lane by lane; Metal device vectors,
// threadgroup arrays and f16 lane by lane; AMDGPU (LLVM) every access lane by lane.

// OCLIR:      ocl.vload %x[%{{.*}}] if %p : 4 x i32
// OCLIR:      ocl.vstore %t[%{{.*}}], %x3, %x2, %x1, %x0 : i32
// OCL:        int4 [[X:val[0-9]+]] = [[P:val[0-9]+]] ? *(__global const int4*)(data1 + [[B:val[0-9]+]]) : (int4)(0);
// OCL-NEXT:   vstore4((int4)([[X]].w, [[X]].z, [[X]].y, [[X]].x), 0, lmem0 + {{val[0-9]+}});
// OCL:        barrier(CLK_LOCAL_MEM_FENCE);
// OCL:        int4 [[Y:val[0-9]+]] = vload4(0, lmem0 + {{val[0-9]+}});
// OCL-NEXT:   if ([[P]]) *(__global int4*)(data0 + [[B]]) = (int4)([[Y]].x, [[Y]].y, [[Y]].z, [[Y]].w);
// OCL:        float2 [[F:val[0-9]+]] = *(__global const float2*)(data2 + [[I:val[0-9]+]]);
// OCL:        *(__global float2*)(data2 + [[I]]) = (float2)({{val[0-9]+}}, [[F]].x);
// OCL-COUNT-4: vload_half(
// OCL-COUNT-4: vstore_half_rte(

// MSLIR:      metal.vload %x[%{{.*}}] if %p : 4 x i32
// MSL:        int4 [[X:val[0-9]+]] = [[P:val[0-9]+]] ? *(device const int4*)(data1 + [[B:val[0-9]+]]) : int4(0);
// MSL-NEXT:   lmem0[{{val[0-9]+}}] = [[X]].w;
// MSL:        threadgroup_barrier(mem_flags::mem_threadgroup);
// MSL-COUNT-4: = lmem0[
// MSL:        if ([[P]]) *(device int4*)(data0 + [[B]]) = int4(
// MSL:        float2 [[F:val[0-9]+]] = *(device const float2*)(data2 + {{val[0-9]+}});
// MSL:        *(device float2*)(data2 + {{val[0-9]+}}) = float2({{val[0-9]+}}, [[F]].x);
// MSL-COUNT-4: half {{val[0-9]+}} = data3[

// LLVM-NOT:   vload
// LLVM-NOT:   vstore
// LLVM:       llir.kernel

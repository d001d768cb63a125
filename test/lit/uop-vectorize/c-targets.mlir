// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-opencl' -t opencl | filecheck %s --check-prefix=OCL
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-opencl' --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=OCLIR
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-metal' -t metal | filecheck %s --check-prefix=MSL
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-metal' --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=MSLIR
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-amdgpu' -t llvm | filecheck %s --check-prefix=AMD
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-amdgpu' --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=AMDIR
// RUN: tinyir-opt %S/ptx.mlir -p 'uop-vectorize,uop-to-amdgpu' -t amdgpu | filecheck %s --check-prefix=ISA
// RUN: tinyir-opt %s -p 'uop-to-llvm' | filecheck %s --check-prefix=CPU
// The kernel of ptx.mlir in the other GPU targets: OpenCL global vectors through pointer casts (buffers
// are 16-byte aligned), vload4/vstore4 on __local arrays, f16 storage lane by lane; Metal device vectors,
// threadgroup arrays and f16 lane by lane; AMDGPU `<4 x T>` loads and stores (global and LDS, aligned to
// the vector), which become dwordx4 / b128 instructions. The CPU (uop-to-llvm) lowers them lane by lane.

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

// AMDIR:      llir.vload %{{.*}} : !llir.ptr<i32, 1> -> 4 x i32
// AMDIR:      llir.vstore %x3, %x2, %x1, %x0, %{{.*}} : i32, !llir.ptr<i32, 3>
// AMD:        %[[V:.*]] = load <4 x i32>, ptr addrspace(1) %{{.*}}, align 16
// AMD-NEXT:   %{{.*}} = extractelement <4 x i32> %[[V]], i32 0
// AMD:        %[[W:.*]] = insertelement <4 x i32> %{{.*}}, i32 %x0, i32 3
// AMD-NEXT:   store <4 x i32> %[[W]], ptr addrspace(3) %{{.*}}, align 16
// AMD:        load <4 x i32>, ptr addrspace(3) %{{.*}}, align 16
// AMD:        store <4 x i32> %{{.*}}, ptr addrspace(1) %{{.*}}, align 16
// AMD:        load <2 x float>, ptr addrspace(1) %{{.*}}, align 8
// AMD:        store <2 x float> %{{.*}}, ptr addrspace(1) %{{.*}}, align 8
// AMD:        load <4 x half>, ptr addrspace(1) %{{.*}}, align 8
// ISA:        global_load_dwordx4
// ISA:        ds_write_b128
// ISA:        ds_read_b128
// ISA:        global_store_dwordx4

// on the host CPU target the vector ops below go lane by lane (index + k), gated ones inside an if
// CPU-NOT:    vload
// CPU-NOT:    vstore
// CPU:        llir.kernel
// CPU-COUNT-2: llir.load
// CPU:        llir.if_begin
// CPU-COUNT-2: llir.store
// CPU:        llir.if_end
func.func @main(%x: !st.buffer<16xf32>) -> !st.buffer<16xf32> {
  %o = st.alloc : !st.buffer<16xf32>
  uop.kernel "cpu"(%o, %x) : !st.buffer<16xf32>, !st.buffer<16xf32> {
  ^bb0(%ob: !st.buffer<16xf32>, %xb: !st.buffer<16xf32>):
    %g = uop.special "gidx0" 8 : i32
    %c = uop.const 2 : i32
    %i = uop.mul %g, %c : i32
    %p = uop.cmplt %g, %c : i32
    %a, %b = uop.vload %xb[%i] : 2 x f32
    uop.vstore %ob[%i], %b, %a if %p : f32
  }
  func.return %o : !st.buffer<16xf32>
}

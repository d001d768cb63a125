// RUN: tinyir-opt %s -p uop-to-amdgpu -t amdgpu | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-amdgpu{arch=gfx90a}' -t amdgpu | filecheck %s --check-prefix=GFX90A
// -t amdgpu: LLVM's AMDGPU backend prints ISA assembly. Global loads/stores of 32 bits, the kernel
// descriptor reading the workgroup id x, and the reduction loop (unrolled by LLVM here).

// CHECK:       .amdgcn_target "amdgcn-amd-amdhsa--gfx942"
// CHECK-LABEL: r0:
// CHECK:         global_load_dword
// CHECK:         v_add_f32
// CHECK:         global_store_dword
// CHECK:         s_endpgm
// CHECK:       .amdhsa_kernel r0
// CHECK:         .amdhsa_system_sgpr_workgroup_id_x 1
// CHECK:       .name: r0
// CHECK:       .symbol: r0.kd
// GFX90A:      .amdgcn_target "amdgcn-amd-amdhsa--gfx90a"
// GFX90A:      global_load_dword
func.func @reduce(%out: !st.buffer<300xf32>, %x: !st.buffer<300x8xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<300xf32>, !st.buffer<300x8xf32> {
  ^bb0(%o: !st.buffer<300xf32>, %a: !st.buffer<300x8xf32>):
    %g = uop.special "gidx0" 300 : i32
    %c8 = uop.const 8 : i32
    %base = uop.mul %g, %c8 : i32
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %o[%g], %acc : f32
  }
  func.return
}

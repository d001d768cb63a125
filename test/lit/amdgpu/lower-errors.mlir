// RUN: not tinyir-opt %s -p 'uop-to-amdgpu{arch=gfx803}' 2>&1 | filecheck %s --check-prefix=ARCH
// RUN: not tinyir-opt %s -p 'uop-to-amdgpu{block_size=2048}' 2>&1 | filecheck %s --check-prefix=BLOCK
// RUN: tinyir-opt %s --split-input-file --verify-diagnostics -p uop-to-amdgpu
// ARCH: error: 'builtin.module' op uop-to-amdgpu: unknown arch 'gfx803' (known: gfx90a, gfx942, gfx1100)
// BLOCK: error: 'builtin.module' op uop-to-amdgpu: block_size must be in 1..1024, got 2048

func.func @workgroup_too_large(%out: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop-to-amdgpu: a workgroup of [64, 32, 1] (lidx0, 1, 2) exceeds AMDGPU's 1024 work-items}}
  uop.kernel "l0" (%out) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %y = uop.special "lidx1" 32 : i32
    %l = uop.special "lidx0" 64 : i32
    %c = uop.const 1.0 : f32
    uop.store %o[%l], %c : f32
  }
  func.return
}

// -----

func.func @lds_too_large(%out: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop-to-amdgpu: 65540 bytes of local memory exceed AMDGPU's 65536 bytes of LDS per workgroup}}
  uop.kernel "l1" (%out) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %l = uop.special "lidx0" 64 : i32
    %big = uop.define_local : !st.buffer<16385xf32>
  }
  func.return
}

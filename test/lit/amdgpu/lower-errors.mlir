// RUN: not tinyir-opt %s -p 'uop-to-amdgpu{arch=gfx803}' 2>&1 | filecheck %s --check-prefix=ARCH
// RUN: not tinyir-opt %s -p 'uop-to-amdgpu{block_size=2048}' 2>&1 | filecheck %s --check-prefix=BLOCK
// RUN: tinyir-opt %s --split-input-file --verify-diagnostics -p uop-to-amdgpu
// ARCH: error: 'builtin.module' op uop-to-amdgpu: unknown arch 'gfx803' (known: gfx90a, gfx942, gfx1100)
// BLOCK: error: 'builtin.module' op uop-to-amdgpu: block_size must be in 1..1024, got 2048

func.func @local_ids(%out: !st.buffer<4xf32>) {
  uop.kernel "l0" (%out) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop-to-amdgpu: local indices (lidx0) are not supported yet; use global indices only}}
    %l = uop.special "lidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %o[%l], %c : f32
  }
  func.return
}

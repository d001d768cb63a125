// RUN: not tinyir-opt %s --pass-pipeline='builtin.module(uop-to-ptx{arch=sm_70})' 2>&1 | filecheck %s --check-prefix=ARCH
// RUN: not tinyir-opt %s --pass-pipeline='builtin.module(uop-to-ptx{ptx-version=7.8})' 2>&1 | filecheck %s --check-prefix=VERSION
// RUN: tinyir-opt %s --pass-pipeline='builtin.module(uop-to-ptx{arch=sm_90a ptx-version=9.0})' | filecheck %s
// ARCH: invalid options for pass 'uop-to-ptx': arch must be one of sm_80, sm_86, sm_89, sm_90, sm_90a, got 'sm_70'
// VERSION: invalid options for pass 'uop-to-ptx': ptx-version must be one of 8.0, 8.1
// CHECK: ptx.kernel "k" target "sm_90a" version "9.0" global [4] block [4, 1, 1]
func.func @one(%o: !st.buffer<4xf32>) {
  uop.kernel "k" (%o) : !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %out[%g], %c : f32
  }
  func.return
}

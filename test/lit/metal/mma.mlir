// RUN: tinyir-opt %s --split-input-file -p uop-to-metal | filecheck %s --check-prefix=IR
// RUN: tinyir-opt %s --split-input-file -p uop-to-metal -t metal | filecheck %s --check-prefix=MSL
// RUN: not tinyir-opt %s --split-input-file -p 'uop-to-metal{msl_version=2.2}' 2>&1 | filecheck %s --check-prefix=OLD
// uop.mma "simdgroup.8x8x8.f16" becomes metal.simdgroup_mma: each operand an 8 x 8 simdgroup_matrix
// whose thread_elements() are this thread's elements (tinyir/tensor_cores.py's layout), then
// simdgroup_multiply_accumulate(D, A, B, C) with D in C's matrix, and D's elements read back.
// simdgroup_matrix needs MSL 2.3; another target's matrix instruction has no MSL form.

// IR-LABEL: metal.kernel "mma"
// IR:       %{{[a-z0-9_]+}}, %[[D1:[a-z0-9_]+]] = metal.simdgroup_mma "simdgroup.8x8x8.f16" a(%{{.*}}, %{{.*}}) b(%{{.*}}, %{{.*}}) c(%{{.*}}, %{{.*}}) : (f16, f16), (f16, f16), (f32, f32) -> (f32, f32)
// IR:       metal.store %{{.*}}, %[[D1]]
// MSL-LABEL: kernel void mma(
// MSL:       simdgroup_half8x8 mma0;
// MSL-NEXT:  mma0.thread_elements()[0] = val0;
// MSL-NEXT:  mma0.thread_elements()[1] = val0;
// MSL-NEXT:  simdgroup_half8x8 mma1;
// MSL:       simdgroup_float8x8 mma2;
// MSL-NEXT:  mma2.thread_elements()[0] = 0.0f;
// MSL-NEXT:  mma2.thread_elements()[1] = 0.0f;
// MSL-NEXT:  simdgroup_multiply_accumulate(mma2, mma0, mma1, mma2);
// MSL-NEXT:  float val1 = mma2.thread_elements()[0];
// MSL-NEXT:  float val2 = mma2.thread_elements()[1];
// MSL-NEXT:  data0[lidx0] = val2;
// OLD:       mma.mlir:[[# @LINE + 7]]:{{[0-9]+}}: error: {{.*}}uop-to-metal: simdgroup_matrix needs MSL 2.3 or later, the kernels are MSL 2.2
func.func @mma(%x: !st.buffer<32xf16>, %out: !st.buffer<32xf32>) {
  uop.kernel "mma" (%out, %x) : !st.buffer<32xf32>, !st.buffer<32xf16> {
  ^bb0(%o: !st.buffer<32xf32>, %in: !st.buffer<32xf16>):
    %l = uop.special "lidx0" 32 : i32
    %a = uop.load %in[%l] : f16
    %c = uop.const 0.0 : f32
    %d0, %d1 = uop.mma "simdgroup.8x8x8.f16" a(%a, %a) b(%a, %a) c(%c, %c) : (f16, f16), (f16, f16), (f32, f32) -> (f32, f32)
    uop.store %o[%l], %d1 : f32
  }
  func.return
}

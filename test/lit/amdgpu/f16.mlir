// RUN: tinyir-opt %s -p uop-to-amdgpu -t amdgpu | filecheck %s
// f16 is native on AMDGPU: half loads and stores (16 bits) and a half-precision exp2.

// CHECK-LABEL: h0:
// CHECK:         global_load_ushort
// CHECK:         v_exp_f16
// CHECK:         global_store_short
func.func @half(%out: !st.buffer<64xf16>, %x: !st.buffer<64xf16>) {
  uop.kernel "h0" (%out, %x) : !st.buffer<64xf16>, !st.buffer<64xf16> {
  ^bb0(%o: !st.buffer<64xf16>, %a: !st.buffer<64xf16>):
    %g = uop.special "gidx0" 64 : i32
    %v = uop.load %a[%g] : f16
    %e = uop.exp2 %v : f16
    uop.store %o[%g], %e : f16
  }
  func.return
}

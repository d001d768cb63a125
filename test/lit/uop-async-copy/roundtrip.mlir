// RUN: tinyir-opt %s | tinyir-opt | filecheck %s
// The async copy ops round-trip (lanes and the optional zero-fill gate printed as written).
// CHECK: uop.async_copy %t[%i], %in[%i : i32] if %g : 4 x !st.buffer<64xf16>, !st.buffer<64xf16>
// CHECK-NEXT: uop.async_commit
// CHECK-NEXT: uop.async_wait 0
func.func @main(%a: !st.buffer<64xf16>) -> !st.buffer<64xf16> {
  %0 = st.alloc : !st.buffer<64xf16>
  uop.kernel "k0"(%0, %a) : !st.buffer<64xf16>, !st.buffer<64xf16> {
  ^bb0(%out: !st.buffer<64xf16>, %in: !st.buffer<64xf16>):
    %l = uop.special "lidx0" 16 : i32
    %t = uop.define_local : !st.buffer<64xf16>
    %c4 = uop.const 4 : i32
    %i = uop.mul %l, %c4 : i32
    %g = uop.cmplt %l, %c4 : i32
    uop.async_copy %t[%i], %in[%i : i32] if %g : 4 x !st.buffer<64xf16>, !st.buffer<64xf16>
    uop.async_commit
    uop.async_wait 0
    uop.barrier
    %v = uop.load %t[%l] : f16
    uop.store %out[%l], %v : f16
  }
  func.return %0 : !st.buffer<64xf16>
}

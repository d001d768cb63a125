// RUN: tinyir-opt %s -p uop-simplify | filecheck %s
// CSE of an op with several results (ldmatrix's fragments): the twin stands in with all of them (it
// gave only its first: "rule on uop.ldmatrix gave 1 values for 4 results"), so every use of the
// second ldmatrix reads the first's fragment of the same position. A different address stays.

// CHECK:      %e0, %e1, %e2, %e3 = uop.ldmatrix %t[%l] x 2
// CHECK-NEXT: uop.store %o[%l], %e0 : f16
// CHECK-NEXT: uop.store %o[%l], %e3 : f16
// CHECK-NEXT: %one = uop.const 1 : i32
// CHECK-NEXT: %l1 = uop.add %l, %one : i32
// CHECK-NEXT: %g0, %g1, %g2, %g3 = uop.ldmatrix %t[%l1] x 2
// CHECK-NEXT: uop.store %o[%l], %g2 : f16
// CHECK-NOT:  uop.ldmatrix
func.func @main(%a: !st.buffer<256xf16>) -> !st.buffer<256xf16> {
  %0 = st.alloc : !st.buffer<256xf16>
  uop.kernel "frag"(%0, %a) : !st.buffer<256xf16>, !st.buffer<256xf16> {
  ^bb0(%o: !st.buffer<256xf16>, %x: !st.buffer<256xf16>):
    %l = uop.special "lidx0" 32 : i32
    %t = uop.define_local : !st.buffer<256xf16>
    %e0, %e1, %e2, %e3 = uop.ldmatrix %t[%l] x 2 : i32 : !st.buffer<256xf16> -> f16, f16, f16, f16
    %f0, %f1, %f2, %f3 = uop.ldmatrix %t[%l] x 2 : i32 : !st.buffer<256xf16> -> f16, f16, f16, f16
    uop.store %o[%l], %e0 : f16
    uop.store %o[%l], %f3 : f16
    %one = uop.const 1 : i32
    %l1 = uop.add %l, %one : i32
    %g0, %g1, %g2, %g3 = uop.ldmatrix %t[%l1] x 2 : i32 : !st.buffer<256xf16> -> f16, f16, f16, f16
    uop.store %o[%l], %g2 : f16
  }
  func.return %0 : !st.buffer<256xf16>
}

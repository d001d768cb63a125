// RUN: tinyir-opt %s -p 'uop-to-ptx' -t ptx | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-ptx{arch=sm_90a}' -t ptx > %t.ptx && ptxas -arch=sm_90a %t.ptx -o %t.cubin
// idiv/mod of an i32 whose value bounds are non-negative by a constant > 1 lower without div/rem
// (ptxas expands div.s32 into ~20 instructions even for a constant divisor): a power of two is a
// shift or a mask, another constant a multiply-high (m = ceil(2^(31+l)/c), l = ceil(log2 c)) and a
// shift, mod a mad on top. A dividend that may be negative keeps div.s32 / rem.s32.

// CHECK-LABEL: .entry k(
// tid idiv 8, tid mod 8
// CHECK:     shr.u32 %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}};
// CHECK:     and.b32 %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}};
// tid idiv 3: m = ceil(2^33 / 3) = 2863311531, shift 1; tid mod 3 = tid - 3 * (tid idiv 3)
// (m's 32 bits print signed: 2863311531 is -1431655765)
// CHECK:     mov.u32 %r[[M:[0-9]+]], -1431655765;
// CHECK-NEXT: mul.hi.u32 %r[[H:[0-9]+]], %r{{[0-9]+}}, %r[[M]];
// CHECK-NEXT: mov.u32 %r[[S:[0-9]+]], 1;
// CHECK-NEXT: shr.u32 %r[[Q:[0-9]+]], %r[[H]], %r[[S]];
// CHECK:     mov.s32 %r[[N:[0-9]+]], -3;
// CHECK-NEXT: mad.lo.s32 %r{{[0-9]+}}, %r{{[0-9]+}}, %r[[N]], %r{{[0-9]+}};
// (tid - 32) idiv 8 may be negative: a signed division stays
// CHECK:     div.s32
// CHECK:     rem.s32
func.func @main(%a: !st.buffer<64xi32>) -> !st.buffer<64xi32> {
  %0 = st.alloc : !st.buffer<64xi32>
  uop.kernel "k"(%0, %a) : !st.buffer<64xi32>, !st.buffer<64xi32> {
  ^bb0(%o: !st.buffer<64xi32>, %x: !st.buffer<64xi32>):
    %t = uop.special "gidx0" 64 : i32
    %eight = uop.const 8 : i32
    %q8 = uop.idiv %t, %eight : i32
    %r8 = uop.mod %t, %eight : i32
    %three = uop.const 3 : i32
    %q3 = uop.idiv %t, %three : i32
    %r3 = uop.mod %t, %three : i32
    %m32 = uop.const -32 : i32
    %neg = uop.add %t, %m32 : i32
    %qn = uop.idiv %neg, %eight : i32
    %rn = uop.mod %neg, %eight : i32
    %s1 = uop.add %q8, %r8 : i32
    %s2 = uop.add %s1, %q3 : i32
    %s3 = uop.add %s2, %r3 : i32
    %s4 = uop.add %s3, %qn : i32
    %s5 = uop.add %s4, %rn : i32
    uop.store %o[%t], %s5 : i32
  }
  func.return %0 : !st.buffer<64xi32>
}

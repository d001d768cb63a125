// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90 %t.ptx -o %t.cubin
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_80}' -t ptx > %t80.ptx
// RUN: ptxas -arch=sm_80 %t80.ptx -o %t80.cubin
// A bf16 matmul (not staged: fragments loaded from global memory): the elements only move, so
// uop-emulate-bf16 leaves them 16 bits (ld.global.u16 into a 32-bit register, no widening) and each
// pair is packed by one prmt, then mma.sync m16n8k16 .bf16; nothing is converted before the epilogue,
// whose f32 -> bf16 casts the cuda chain leaves to cvt.rn.bf16x2.f32 (NATIVE-BF16-STORES).

// CHECK-LABEL: .entry
// CHECK-NOT:   cvt.rn.bf16x2.f32
// CHECK-NOT:   shl.b32
// CHECK:       ld.global.u16
// CHECK:       prmt.b32 %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, 0x5410;
// CHECK-NOT:   cvt.rn.bf16x2.f32
// CHECK:       mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK:       cvt.rn.bf16x2.f32 %r[[B:[0-9]+]], %f[[F:[0-9]+]], %f[[F]];
// CHECK:       st.global.u16 [%rd{{[0-9]+}}], %r[[B]];
// CHECK:       ret;
func.func @main(%a: tensor<32x32xbf16>, %b: tensor<32x16xbf16>) -> tensor<32x16xbf16> {
  %0 = tir.matmul %a, %b : tensor<32x32xbf16>, tensor<32x16xbf16> -> tensor<32x16xbf16>
  func.return %0 : tensor<32x16xbf16>
}

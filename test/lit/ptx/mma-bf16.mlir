// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin
// A bf16 matmul: its elements are f32 registers after uop-emulate-bf16, packed by
// cvt.rn.bf16x2.f32 (exact: they hold bf16 values), then mma.sync m16n8k16 .bf16.

// CHECK:     cvt.rn.bf16x2.f32 %r{{[0-9]+}}, %f{{[0-9]+}}, %f{{[0-9]+}};
// CHECK:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
func.func @main(%a: tensor<32x32xbf16>, %b: tensor<32x16xbf16>) -> tensor<32x16xbf16> {
  %0 = tir.matmul %a, %b : tensor<32x32xbf16>, tensor<32x16xbf16> -> tensor<32x16xbf16>
  func.return %0 : tensor<32x16xbf16>
}

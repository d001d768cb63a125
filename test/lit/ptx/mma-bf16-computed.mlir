// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90 %t.ptx -o %t.cubin
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_80}' -t ptx > %t80.ptx
// RUN: ptxas -arch=sm_80 %t80.ptx -o %t80.cubin
// A's elements computed (a + a, fused into the matmul kernel): f32 registers holding bf16 values
// after uop-emulate-bf16, packed by cvt.rn.bf16x2.f32 (exact); B's only move: prmt.

// CHECK-LABEL: .entry
// CHECK-DAG:   cvt.rn.bf16x2.f32 %r{{[0-9]+}}, %f{{[0-9]+}}, %f{{[0-9]+}};
// CHECK-DAG:   prmt.b32 %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, 0x5410;
// CHECK:       mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
func.func @main(%a: tensor<32x32xbf16>, %b: tensor<32x16xbf16>) -> tensor<32x16xbf16> {
  %s = tir.add %a, %a : tensor<32x32xbf16>
  %0 = tir.matmul %s, %b : tensor<32x32xbf16>, tensor<32x16xbf16> -> tensor<32x16xbf16>
  func.return %0 : tensor<32x16xbf16>
}

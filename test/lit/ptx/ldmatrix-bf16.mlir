// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:0,local:0:2,unroll:2:2,stage:2:2"},loop-to-uop,uop-simplify,uop-emulate-bf16,uop-to-ptx{arch=sm_90a}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin
// RUN: tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:0,local:0:2,unroll:2:2,stage:2:2"},loop-to-uop,uop-simplify,uop-emulate-bf16,uop-to-ptx{arch=sm_80}' -t ptx > %t80.ptx
// RUN: ptxas -arch=sm_80 %t80.ptx -o %t80.cubin
// Staged bf16 operands reach the tensor cores by ldmatrix as f16 ones do (ldmatrix moves 16-bit
// elements, whatever they mean): uop-emulate-bf16 leaves the fragments as bits, and the registers go
// to mma.sync .bf16 as they came: no scalar shared loads, no unpacking, no conversion.

// CHECK-NOT: cvt.rn.bf16x2.f32
// CHECK-NOT: ld.shared.u16
// CHECK:     ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%r[[A0:[0-9]+]], %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, [%rd{{[0-9]+}}];
// CHECK:     ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%r[[B0:[0-9]+]], %r{{[0-9]+}}}, [%rd{{[0-9]+}}];
// CHECK-NOT: prmt.b32
// CHECK-NOT: shr.u32 %r{{[0-9]+}}, %r{{[0-9]+}}, 16;
// CHECK:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {{.*}}, {%r[[A0]], {{.*}}}, {%r[[B0]], {{.*}}
// CHECK-NOT: cvt.rn.bf16x2.f32
// CHECK-NOT: ld.shared.u16
// CHECK:     ret;
func.func @main(%a: tensor<32x128xbf16>, %b: tensor<128x16xbf16>) -> tensor<32x16xbf16> {
  %0 = tir.matmul %a, %b : tensor<32x128xbf16>, tensor<128x16xbf16> -> tensor<32x16xbf16>
  func.return %0 : tensor<32x16xbf16>
}

// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:0,local:0:2,unroll:2:2,stage:2:2"},loop-to-uop,uop-simplify,uop-to-ptx{arch=sm_90a}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin
// Staged f16 operands reach the tensor cores by ldmatrix: A (row-major, k contiguous) as four 8x8
// blocks, B (row-major, n contiguous) as two transposed blocks; their registers go to mma.sync as
// they are (no repacking). The tiles' rows (64 halves = 128 bytes) get 16 bytes of padding.

// CHECK:     .shared .align 16 .b8 k0_smem0[{{[0-9]+}}];
// CHECK:     ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%r[[A0:[0-9]+]], %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, [%rd{{[0-9]+}}];
// CHECK:     ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%r[[B0:[0-9]+]], %r{{[0-9]+}}}, [%rd{{[0-9]+}}];
// CHECK:     mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {{.*}}, {%r[[A0]], {{.*}}}, {%r[[B0]], {{.*}}
func.func @main(%a: tensor<32x128xf16>, %b: tensor<128x16xf16>) -> tensor<32x16xf16> {
  %0 = tir.matmul %a, %b : tensor<32x128xf16>, tensor<128x16xf16> -> tensor<32x16xf16>
  func.return %0 : tensor<32x16xf16>
}

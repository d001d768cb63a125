// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_90 %t.ptx -o %t.cubin
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_80}' -t ptx > %t80.ptx
// RUN: ptxas -arch=sm_80 %t80.ptx -o %t80.cubin
// An f16 matmul on cuda runs on the tensor cores by default: each pair of f16 elements packed into
// a 32-bit register, then mma.sync m16n8k16 with f32 accumulators; assembled for sm_80 and sm_90 (sm_90a: wgmma where the product is wide enough, wgmma-default.mlir).

// CHECK:     mov.b32 %r{{[0-9]+}}, {%h{{[0-9]+}}, %h{{[0-9]+}}};
// CHECK:     mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%f{{[0-9]+}}, %f{{[0-9]+}}, %f{{[0-9]+}}, %f{{[0-9]+}}}, {%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, {%r{{[0-9]+}}, %r{{[0-9]+}}}, {%f{{[0-9]+}}, %f{{[0-9]+}}, %f{{[0-9]+}}, %f{{[0-9]+}}};
// CHECK:     st.global.b16
func.func @main(%a: tensor<32x32xf16>, %b: tensor<32x16xf16>) -> tensor<32x16xf16> {
  %0 = tir.matmul %a, %b : tensor<32x32xf16>, tensor<32x16xf16> -> tensor<32x16xf16>
  func.return %0 : tensor<32x16xf16>
}

// REQUIRES: ptxas
// RUN: tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:0,upcast:1:2,local:0:2,unroll:2:2,stage:2:2"},loop-to-uop,uop-simplify,uop-vectorize{width=4 bf16_copies=true},uop-async-copy{target=cuda arch=sm_80},uop-emulate-bf16,uop-to-ptx{arch=sm_80}' -t ptx > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: ptxas -arch=sm_80 %t.ptx -o %t.cubin
// RUN: tinyir-opt %s -p 'tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,kernel-optimize{target=cuda actions="tc:2:0,upcast:1:2,local:0:2,unroll:2:2,stage:2:2"},loop-to-uop,uop-simplify,uop-vectorize{width=4 bf16_copies=true},uop-async-copy{target=cuda arch=sm_90a},uop-emulate-bf16,uop-to-ptx{arch=sm_90a}' -t ptx > %t90.ptx
// RUN: filecheck %s < %t90.ptx
// RUN: ptxas -arch=sm_90a %t90.ptx -o %t90.cubin
// Staged bf16 tiles of an mma.sync matmul are copied in runs of 8 elements: where a run starts 16-byte
// aligned in global and shared memory (A: rows of 128 elements) it is one cp.async.cg of 16 bytes;
// B is read 4 elements into rows of 36 (a shrink), so its runs start 8 bytes off a 16-byte boundary
// and stay two cp.async.ca of 8 bytes (a misaligned cp.async faults). The fragments come by ldmatrix.

// CHECK-DAG: cp.async.cg.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], 16, %r{{[0-9]+}};
// CHECK-DAG: cp.async.ca.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], 8, %r{{[0-9]+}};
// CHECK-NOT: cp.async.{{c[ag]}}.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], {{4|2}},
// CHECK:     cp.async.wait_group
// CHECK:     ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: cvt.rn.bf16x2.f32
// CHECK:     ret;
func.func @main(%a: tensor<64x128xbf16>, %b: tensor<128x36xbf16>) -> tensor<64x32xbf16> {
  %s = tir.shrink %b [[0, 128], [4, 36]] : tensor<128x36xbf16> -> tensor<128x32xbf16>
  %0 = tir.matmul %a, %s : tensor<64x128xbf16>, tensor<128x32xbf16> -> tensor<64x32xbf16>
  func.return %0 : tensor<64x32xbf16>
}

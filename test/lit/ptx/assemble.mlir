// REQUIRES: ptxas
// RUN: tinyir-opt %s --pass-pipeline='builtin.module(tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-ptx{arch=sm_90a ptx-version=9.0})' -t ptx > %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin
// A softmax from the tensor level through the whole pipeline, assembled for the H100 (sm_90a, PTX 9.0).
func.func @main(%a: tensor<4x33xf32>) -> tensor<4x33xf32> {
  %0 = tir.softmax %a [1] : tensor<4x33xf32>
  func.return %0 : tensor<4x33xf32>
}

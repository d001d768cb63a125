// REQUIRES: ptxas
// A kernel with 64-bit index math (test/lit/pipeline/index64.mlir) assembles.
// RUN: tinyir-opt %s -p lower-to-ptx -t ptx > %t.ptx
// RUN: ptxas -arch=sm_80 %t.ptx -o %t.cubin
func.func @main(%a: tensor<4x1073741824xi8>) -> tensor<8x4xi8> {
  %s = tir.shrink %a [[0, 4], [0, 8]] : tensor<4x1073741824xi8> -> tensor<4x8xi8>
  %p = tir.permute %s [1, 0] : tensor<4x8xi8> -> tensor<8x4xi8>
  %c = tir.constant dense<1> : tensor<8x4xi8>
  %r = tir.add %p, %c : tensor<8x4xi8>
  func.return %r : tensor<8x4xi8>
}

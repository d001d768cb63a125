// RUN: not tinyir-opt %s -p schedule-kernels 2>&1 | filecheck %s
// Composite ops must be decomposed first.

func.func @main(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>) -> tensor<4x5xf32> {
  %c = tir.matmul %a, %b : tensor<4x6xf32>, tensor<6x5xf32> -> tensor<4x5xf32>
  func.return %c : tensor<4x5xf32>
}
// CHECK: schedule-kernels: cannot schedule 'tir.matmul' (run tensor-decompose first)

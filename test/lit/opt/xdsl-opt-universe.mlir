// Stock xdsl-opt sees tinyir's passes through the `xdsl.universe` entry point.
// RUN: xdsl-opt %s -p test-arith-identities | filecheck %s

// CHECK-LABEL: func.func @f
// CHECK-NOT:     arith.muli
// CHECK:         func.return %a : i32
func.func @f(%a: i32) -> i32 {
  %o = arith.constant 1 : i32
  %0 = arith.muli %a, %o : i32
  func.return %0 : i32
}

// ... and tinyir's dialects: the tir dialect parses in stock xdsl-opt and prints generically.
// RUN: xdsl-opt %S/Inputs/tir-neg.mlir --print-op-generic | filecheck %s --check-prefix=TIR
// TIR: %0 = "tir.neg"(%a) : (tensor<4xf32>) -> tensor<4xf32>

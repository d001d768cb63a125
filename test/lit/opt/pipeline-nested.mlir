// RUN: tinyir-opt %s --pass-pipeline='builtin.module(func.func(cse),canonicalize)' | filecheck %s
// RUN: tinyir-opt %s --pass-pipeline='builtin.module( func.func( cse ) , canonicalize )' | filecheck %s

// Nested anchors are flattened: cse runs on the whole module, then canonicalize.
// CHECK-LABEL: func.func @twice
// CHECK-NEXT:    %0 = arith.addi %a, %b : i32
// CHECK-NEXT:    %1 = arith.muli %0, %0 : i32
// CHECK-NEXT:    func.return %1 : i32
func.func @twice(%a: i32, %b: i32) -> i32 {
  %0 = arith.addi %a, %b : i32
  %1 = arith.addi %a, %b : i32
  %2 = arith.muli %0, %1 : i32
  func.return %2 : i32
}

// RUN: tinyir-opt %s -p test-arith-identities,cse | filecheck %s
// RUN: tinyir-opt %s --passes test-arith-identities | filecheck %s --check-prefix=ONLY
// RUN: tinyir-opt %s | filecheck %s --check-prefix=NONE

// CHECK-LABEL: func.func @fold
// CHECK-NEXT:    %z = arith.constant 0 : i32
// CHECK-NEXT:    func.return %z : i32

// ONLY: %o = arith.constant 1 : i32
// ONLY: func.return %z : i32

// No pipeline: the IR is parsed, verified and printed unchanged.
// NONE:      %0 = arith.addi %a, %z : i32
// NONE-NEXT: %1 = arith.muli %0, %o : i32
// NONE-NEXT: %2 = arith.muli %1, %z : i32
func.func @fold(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %o = arith.constant 1 : i32
  %0 = arith.addi %a, %z : i32
  %1 = arith.muli %0, %o : i32
  %2 = arith.muli %1, %z : i32
  func.return %2 : i32
}

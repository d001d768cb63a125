// RUN: tinyir-opt %s -p test-arith-identities --mlir-pass-statistics 2>&1 | filecheck %s

// Nothing to fold: the IR comes out as it went in and no rule fires.
// CHECK:      %0 = arith.addi %a, %c : i32
// CHECK-NEXT: %1 = arith.muli %0, %c : i32
// CHECK:      test-arith-identities
// CHECK-NEXT:   (no rule fired)
func.func @keep(%a: i32) -> i32 {
  %c = arith.constant 2 : i32
  %0 = arith.addi %a, %c : i32
  %1 = arith.muli %0, %c : i32
  func.return %1 : i32
}

// RUN: tinyir-opt %s -p test-arith-identities,cse --mlir-pass-statistics 2>&1 >/dev/null | filecheck %s

// For each pass of the pipeline, how often each rule fired (most frequent first).
// CHECK:      ... Pass statistics report ...
// CHECK:      test-arith-identities
// CHECK-NEXT:   (S) 2 x + 0 -> x
// CHECK-NEXT:   (S) 1 x * 0 -> 0
// CHECK-NEXT:   (S) 1 x * 1 -> x
// CHECK-NEXT: cse
// CHECK-NEXT:   (no rule fired)
func.func @f(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %o = arith.constant 1 : i32
  %0 = arith.addi %a, %z : i32
  %1 = arith.addi %z, %0 : i32
  %2 = arith.muli %1, %o : i32
  %3 = arith.muli %z, %2 : i32
  func.return %3 : i32
}

// RUN: tinyir-opt %s --mlir-print-debuginfo | filecheck %s
// RUN: tinyir-opt %s --mlir-print-debuginfo -p test-arith-identities | filecheck %s --check-prefix=KEPT

// Every parsed op records where it came from; an explicit loc(...) in the source wins.
// CHECK: %0 = arith.addi %a, %z : i32 loc("{{.*}}debuginfo.mlir":13:3)
// CHECK: %1 = arith.muli %0, %0 : i32 loc("given.py":7:1)
// CHECK: func.return %1 : i32 loc("{{.*}}debuginfo.mlir":15:3)
// Ops that survive a pass keep their locations.
// KEPT: = arith.muli %a, %a : i32 loc("given.py":7:1)
// KEPT: func.return %{{.*}} : i32 loc("{{.*}}debuginfo.mlir":15:3)
func.func @f(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %0 = arith.addi %a, %z : i32
  %1 = arith.muli %0, %0 : i32 loc("given.py":7:1)
  func.return %1 : i32
}

// RUN: tinyir-opt %s -p test-arith-identities -t test-op-counts | filecheck %s
// RUN: tinyir-opt %s --target=test-op-counts --split-input-file | filecheck %s --check-prefix=SPLIT
// RUN: not tinyir-opt %s -t no-such-target 2>&1 | filecheck %s --check-prefix=UNKNOWN

// After the pipeline, -t prints the target's text instead of IR.
// CHECK:      arith.constant 1
// CHECK-NEXT: func.func 2
// CHECK-NEXT: func.return 2
// CHECK-NOT:  builtin.module

// SPLIT:      arith.addi 1
// SPLIT:      // -----
// SPLIT-NEXT: func.func 1

// UNKNOWN: tinyir-opt: error: unknown target 'no-such-target' (known: {{.*}}test-op-counts{{.*}})
func.func @f(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %0 = arith.addi %a, %z : i32
  func.return %0 : i32
}

// -----

func.func @g() {
  func.return
}

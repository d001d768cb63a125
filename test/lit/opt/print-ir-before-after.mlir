// RUN: tinyir-opt %s -p test-arith-identities,cse --mlir-print-ir-before=test-arith-identities --mlir-print-ir-after=cse 2>&1 >/dev/null | filecheck %s
// RUN: not tinyir-opt %s -p cse --mlir-print-ir-after=no-such-pass 2>&1 | filecheck %s --check-prefix=BAD

// Dumps go to stderr (stdout has only the result), with MLIR's header lines.
// CHECK:      // -----// IR Dump Before test-arith-identities //----- //
// CHECK-NEXT: builtin.module {
// CHECK:        %0 = arith.addi %a, %z : i32
// CHECK-NOT:  IR Dump After test-arith-identities
// CHECK-NOT:  IR Dump Before cse
// CHECK:      // -----// IR Dump After cse //----- //
// CHECK-NEXT: builtin.module {
// CHECK-NOT:    arith.addi
// CHECK:        func.return %a : i32
// BAD: tinyir-opt: error: --mlir-print-ir-after: unknown pass 'no-such-pass'
func.func @f(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %0 = arith.addi %a, %z : i32
  func.return %0 : i32
}

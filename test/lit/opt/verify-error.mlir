// RUN: not tinyir-opt %s 2>&1 | filecheck --strict-whitespace %s

// A verifier error points at the op that fails (not its parent function or the module).
// CHECK:      verify-error.mlir:10:3: error: 'func.return' op Expected arguments to have the same types as the function output types: expected [i32], got [i64]
// CHECK-NEXT: {{^}}  func.return %0 : i64
// CHECK-NEXT: {{^}}  ^
// CHECK-NOT:  Traceback
func.func @f() -> i32 {
  %0 = arith.constant 1 : i64
  func.return %0 : i64
}

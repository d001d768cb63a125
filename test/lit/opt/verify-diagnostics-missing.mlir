// RUN: not tinyir-opt %s --verify-diagnostics --split-input-file 2>&1 | filecheck %s

// An expected diagnostic that is not produced fails the run; the message names the annotation.
// CHECK: verify-diagnostics-missing.mlir:8:34: error: expected error "never happens" was not produced (on line 8)
// CHECK: verify-diagnostics-missing.mlir:15:6: error: expected warning "wrong text" was not produced (on line 16)
// CHECK: verify-diagnostics-missing.mlir:17:3: error: unexpected error: 'func.return' op Expected arguments
func.func @f() -> i32 {
  %0 = arith.constant 1 : i32 // expected-error {{never happens}}
  func.return %0 : i32
}

// -----

func.func @g() -> i32 {
  // expected-warning@+1 {{wrong text}}
  %0 = arith.constant 1 : i64
  func.return %0 : i64
}

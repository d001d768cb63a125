// RUN: tinyir-opt %s --verify-diagnostics --split-input-file -p 'test-emit-diagnostics{op=arith.addi severity=error message="cannot lower"}' | filecheck %s

// Errors from passes are checked like verifier errors; a failing chunk prints no IR.
// CHECK-NOT: func.func @f
// CHECK:     func.func @no_add
// CHECK-NOT: func.func @f
func.func @f(%a: i32) -> i32 {
  %0 = arith.addi %a, %a : i32 // expected-error {{'arith.addi' op cannot lower}}
  func.return %0 : i32
}

// -----

func.func @no_add(%a: i32) -> i32 {
  func.return %a : i32
}

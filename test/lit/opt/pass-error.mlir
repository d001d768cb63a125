// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{op=arith.muli severity=error message="cannot lower this"}' 2>&1 | filecheck --strict-whitespace %s

// An error raised by a pass (tinyir.diagnostics.emit_error) is printed at the op, and no IR is printed.
// CHECK:      pass-error.mlir:10:3: error: 'arith.muli' op cannot lower this
// CHECK-NEXT:   %m = arith.muli %a, %a : i32
// CHECK-NEXT: {{^}}  ^
// CHECK-NOT:  func.func
func.func @f(%a: i32) -> i32 {
  %s = arith.addi %a, %a : i32
  %m = arith.muli %a, %a : i32
  func.return %m : i32
}

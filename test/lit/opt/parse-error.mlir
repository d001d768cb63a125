// RUN: not tinyir-opt %s 2>&1 | filecheck --strict-whitespace %s

// A parse error: file:line:col, the source line, a caret under the column, exit status 1.
// CHECK:      parse-error.mlir:11:23: error: operand is used with type i32, but has been previously used or defined with type i64
// CHECK-NEXT: {{^}}  %0 = arith.addi %a, %b : i32
// CHECK-NEXT: {{^}}                      ^
// CHECK-NOT:  Traceback
// CHECK-NOT:  builtin.module

func.func @f(%a: i32, %b: i64) -> i32 {
  %0 = arith.addi %a, %b : i32
  func.return %0 : i32
}

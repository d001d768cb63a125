// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s

// Parse and verifier errors in later chunks keep the original file's line numbers.
// CHECK: split-input-errors.mlir:14:23: error: operand is used with type i32, but has been previously used or defined with type i64
// CHECK: split-input-errors.mlir:22:3: error: 'func.return' op Expected arguments to have the same types as the function output types
// CHECK: func.func @fine
func.func @fine() {
  func.return
}

// -----

func.func @f(%a: i32, %b: i64) -> i32 {
  %0 = arith.addi %a, %b : i32
  func.return %0 : i32
}

// -----

func.func @g() -> i32 {
  %0 = arith.constant 1 : i64
  func.return %0 : i64
}

// RUN: tinyir-opt %s --verify-diagnostics --split-input-file | filecheck %s

// An annotation with no designator expects the diagnostic on its own line; exit status 0.
func.func @f() -> i32 {
  %0 = arith.constant 1 : i64
  func.return %0 : i64 // expected-error {{Expected arguments to have the same types as the function output types}}
}

// -----

func.func @g(%a: i32, %b: i64) -> i32 {
  %0 = arith.addi %a, %b : i32 // expected-error {{previously used or defined with type i64}}
  func.return %0 : i32
}

// -----

// Chunks without diagnostics print their IR as usual.
// CHECK: func.func @fine
func.func @fine() {
  func.return
}

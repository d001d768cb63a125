// RUN: tinyir-opt %s --verify-diagnostics --split-input-file

// Parse errors are diagnostics too.
func.func @f() {
  %0 = arith.constant 1 : i32 ) // expected-error {{}}
  func.return
}

// -----

func.func @g() {
  // expected-error@+1 {{Operation arith.nosuchop is not registered}}
  %0 = arith.nosuchop : i32
  func.return
}

// -----

func.func @h() {
  // expected-error@+1 {{use of undefined value %undefined}}
  func.return %undefined : i32
}

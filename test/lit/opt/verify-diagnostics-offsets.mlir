// RUN: tinyir-opt %s --verify-diagnostics --split-input-file -p 'test-emit-diagnostics{op=arith.muli severity=warning message="slow multiply"}'

// @+N and @-N count lines from the annotation.
func.func @f(%a: i32) -> i32 {
  // expected-warning@+2 {{slow multiply}}
  %s = arith.addi %a, %a : i32
  %m = arith.muli %s, %a : i32
  func.return %m : i32
}

// -----

func.func @g(%a: i32) -> i32 {
  %m = arith.muli %a, %a : i32
  %s = arith.addi %m, %a : i32
  // expected-warning@-2 {{slow}}
  func.return %s : i32
}

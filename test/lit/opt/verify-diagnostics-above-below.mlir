// RUN: tinyir-opt %s --verify-diagnostics -p 'test-emit-diagnostics{op=arith.muli severity=remark message="multiply seen"}'

// @above: the closest line above that holds no annotation; @below: the closest such line below.
// Several annotations can stack on the same line of code.
func.func @f(%a: i32) -> i32 {
  %m = arith.muli %a, %a : i32
  // expected-remark@above {{multiply seen}}
  // expected-remark@below {{multiply}}
  %n = arith.muli %m, %a : i32
  // expected-remark@below {{seen}}
  %k = arith.muli %n, %a : i32
  func.return %k : i32
}

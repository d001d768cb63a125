// RUN: not tinyir-opt %s --verify-diagnostics -p 'test-emit-diagnostics{op=arith.muli severity=warning message="slow"}' 2>&1 | filecheck --strict-whitespace %s

// A diagnostic that no annotation expects fails the run, pointing at the line.
// CHECK:      verify-diagnostics-unexpected.mlir:12:3: error: unexpected warning: slow
// CHECK-NEXT: {{^}}  %m = arith.muli %a, %a : i32
// CHECK-NEXT: {{^}}  ^
// An annotation of another severity does not match: the warning is unexpected, the error missing.
// CHECK:      verify-diagnostics-unexpected.mlir:13:6: error: expected error "slow" was not produced (on line 14)
// CHECK-NEXT: {{^}}  // expected-error@below {{[{][{]}}slow{{[}][}]}}
// CHECK:      verify-diagnostics-unexpected.mlir:14:3: error: unexpected warning: slow
func.func @f(%a: i32) -> i32 {
  %m = arith.muli %a, %a : i32
  // expected-error@below {{slow}}
  %n = arith.muli %m, %a : i32
  func.return %n : i32
}

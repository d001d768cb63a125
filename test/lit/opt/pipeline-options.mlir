// Typed options reach the pass: string (bare and quoted), literal choice, int.
// RUN: tinyir-opt %s -p 'test-emit-diagnostics{op=arith.muli severity=warning message="two words" limit=1}' 2>&1 >/dev/null | filecheck %s
// RUN: tinyir-opt %s --pass-pipeline='builtin.module(test-emit-diagnostics{op=arith.muli severity=remark})' 2>&1 >/dev/null | filecheck %s --check-prefix=ALL

// CHECK:     pipeline-options.mlir:10:3: warning: two words
// CHECK-NOT: warning
// ALL: pipeline-options.mlir:10:3: remark: here
// ALL: pipeline-options.mlir:11:3: remark: here
func.func @f(%a: i32) -> i32 {
  %1 = arith.muli %a, %a : i32
  %2 = arith.muli %1, %a : i32
  func.return %2 : i32
}

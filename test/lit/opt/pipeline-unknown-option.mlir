// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{colour=red}' 2>&1 | filecheck %s
// RUN: not tinyir-opt %s -p 'cse{aggressive=true}' 2>&1 | filecheck %s --check-prefix=NONE

// CHECK: tinyir-opt: error: pass 'test-emit-diagnostics' has no option 'colour' (options: op, severity, message, limit)
// NONE:  tinyir-opt: error: pass 'cse' has no option 'aggressive' (options: none)
func.func @f() {
  func.return
}

// RUN: tinyir-opt %s --verify-diagnostics -p 'test-emit-diagnostics{op=builtin.module severity=warning message="whole program"}'
// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{op=builtin.module severity=error message="whole program"}' 2>&1 | filecheck %s

// The implicit top-level module has no source position: its diagnostics have an unknown
// location, matched by @unknown, and printed with the file name only.
// expected-warning@unknown {{whole program}}
// CHECK: verify-diagnostics-unknown-loc.mlir: error: 'builtin.module' op whole program
func.func @f() {
  func.return
}

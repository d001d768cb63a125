// RUN: tinyir-opt %s -p 'test-emit-diagnostics{severity=warning message="no outputs"}' 2>%t.err | filecheck --strict-whitespace %s
// RUN: filecheck --strict-whitespace %s --check-prefix=ERR < %t.err

// Warnings and remarks do not fail the run: the IR is still printed, the exit status is 0.
// CHECK: func.return
// ERR:      pass-warning.mlir:10:3: warning: no outputs
// ERR-NEXT: {{^}}  func.return
// ERR-NEXT: {{^}}  ^
func.func @f() {
  func.return
}

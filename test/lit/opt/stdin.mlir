// RUN: tinyir-opt < %s | filecheck %s
// RUN: cat %s | tinyir-opt - -p cse | filecheck %s
// RUN: not tinyir-opt - < %S/Inputs/verify-error-input.txt 2>&1 | filecheck %s --check-prefix=ERR

// CHECK: func.func @from_stdin
// Diagnostics on stdin are located in "<stdin>".
// ERR: <stdin>:2:3: error: 'func.return' op Expected arguments to have the same types as the function output types
func.func @from_stdin() {
  func.return
}

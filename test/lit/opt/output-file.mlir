// RUN: rm -rf %t && mkdir -p %t
// RUN: tinyir-opt %s -p cse -o %t/out.mlir
// RUN: filecheck %s < %t/out.mlir
// An existing output file is left untouched when the run fails, and no temporary file stays.
// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{severity=error}' -o %t/out.mlir 2>&1 | filecheck %s --check-prefix=ERR
// RUN: filecheck %s < %t/out.mlir
// RUN: ls -a %t | filecheck %s --check-prefix=FILES
// '-' is stdout.
// RUN: tinyir-opt %s -o - | filecheck %s

// CHECK: func.func @f
// ERR:   output-file.mlir:{{[0-9]+}}:3: error: 'func.return' op here
// FILES-NOT: .tinyir-opt-
// FILES:     out.mlir
// FILES-NOT: .tinyir-opt-
func.func @f() {
  func.return
}

// RUN: tinyir-opt --version | filecheck %s --check-prefix=VERSION
// RUN: tinyir-opt --help | filecheck %s --check-prefix=HELP
// RUN: not tinyir-opt %s --no-such-flag 2>&1 | filecheck %s --check-prefix=FLAG

// VERSION: tinyir-opt {{[0-9]+\.[0-9]+}}{{.*}} (xdsl 0.74.0)
// HELP: usage: tinyir-opt
// HELP: builtin.module(func.func(cse),canonicalize) are accepted and flattened
// HELP: --pass-pipeline
// HELP: --split-input-file
// HELP: --verify-diagnostics
// HELP: --mlir-print-ir-after-all
// HELP: --mlir-timing
// HELP: --mlir-pass-statistics
// FLAG: tinyir-opt: error: unrecognized arguments: --no-such-flag
func.func @f() {
  func.return
}

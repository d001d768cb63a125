// The C target is a plugin outside tinyir's core (examples/c_target, installed by tools/test.sh):
// its dialect, its `uop-to-c` pass and its `-t c` emitter reach tinyir-opt through the
// `tinyir.targets` entry point, with no change to the core.
// RUN: tinyir-opt --list-passes | filecheck %s --check-prefix=LIST
// RUN: tinyir-opt %s -p tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-c | filecheck %s --check-prefix=IR
// RUN: tinyir-opt %s -p tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-c -t c | filecheck %s --check-prefix=TEXT

// LIST: {{^}}uop-to-c {{ +}}lower micro-ops to the c dialect
// IR:   c.kernel
// TEXT: #include <math.h>
// TEXT: void k0(
func.func @main(%a: tensor<4x4xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x4xf32> -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}

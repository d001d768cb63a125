// RUN: tinyir-opt %s -p lower-to-c -t c | filecheck %s
// RUN: not tinyir-opt %s -p 'lower-to-c{actions="local:0:4"}' 2>&1 | filecheck %s --check-prefix=NOLOCAL
// The plugin's named pipeline: the whole default chain from the tensor level to C (its heuristics
// and kernel-optimize's checks use the plugin's limits: no work-groups).

// CHECK: void k0(
// NOLOCAL: kernel-optimize: kernel "k0": local:0:4: the target has no work-groups
func.func @main(%a: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %b = tir.mul %a, %a : tensor<8x4xf32>
  func.return %b : tensor<8x4xf32>
}

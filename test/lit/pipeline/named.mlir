// RUN: tinyir-opt %s -p lower-to-llvm | filecheck %s --check-prefix=LLVM
// RUN: tinyir-opt %s -p 'lower-to-opencl' -t opencl | filecheck %s --check-prefix=OCL
// RUN: tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a ptx-version=8.3}' -t ptx | filecheck %s --check-prefix=PTX
// RUN: tinyir-opt %s -p 'lower-to-llvm{actions="upcast:1:4"}' --mlir-print-ir-after=kernel-optimize 2>&1 >/dev/null | filecheck %s --check-prefix=ACTIONS
// RUN: tinyir-opt %s -p lower-to-metal -t metal | filecheck %s --check-prefix=METAL
// RUN: tinyir-opt %s -p 'lower-to-amdgpu{chip=gfx942}' | filecheck %s --check-prefix=AMD
// RUN: not tinyir-opt %s -p 'lower-to-llvm{arch=sm_90}' 2>&1 | filecheck %s --check-prefix=BADOPT
// RUN: tinyir-opt --list-passes | filecheck %s --check-prefix=LIST
// A named pipeline is the whole default chain of a target, from the tensor level: kernel-optimize
// with the target's heuristics (or the given actions), then the target's lowering with its options.

// LLVM:    llir.kernel "k0"
// OCL:     __kernel void k0(
// PTX:     .target sm_90a
// PTX:     .entry k0(
// ACTIONS: IR Dump After kernel-optimize
// ACTIONS: loop.kernel "k0"{{.*}}actions = "upcast:1:4"
// ACTIONS: loop.range 4 upcast
// METAL:   kernel void k0(
// AMD:     llir.kernel "k0"
// BADOPT:  pipeline 'lower-to-llvm' has no option 'arch'
// LIST:    {{^}}lower-to-llvm {{ +}}pipeline: the default chain for device cpu, ending in uop-to-llvm
// LIST:    {{^}}lower-to-ptx {{ +}}pipeline: the default chain for device cuda, ending in uop-to-ptx
func.func @main(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>) -> tensor<64x48xf32> {
  %c = tir.matmul %a, %b : tensor<64x32xf32>, tensor<32x48xf32> -> tensor<64x48xf32>
  func.return %c : tensor<64x48xf32>
}

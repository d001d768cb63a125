// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="upcast:5:4"}' 2>&1 | filecheck %s --check-prefix=AXIS
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="upcast:1:4"}' 2>&1 | filecheck %s --check-prefix=KIND
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="upcast:0:3"}' 2>&1 | filecheck %s --check-prefix=DIVIDE
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="local:0:8" target=cpu}' 2>&1 | filecheck %s --check-prefix=NOLOCAL
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="local:0:8,group:1:64" target=opencl}' 2>&1 | filecheck %s --check-prefix=TOOBIG
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="upcast:0:8,unroll:1:64" target=opencl}' 2>&1 | filecheck %s --check-prefix=REGS
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="group:1:4,group:1:4"}' 2>&1 | filecheck %s --check-prefix=TWOGROUPS
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="stage:1:4" target=opencl}' 2>&1 | filecheck %s --check-prefix=NOTHREADS
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="stage:1:4" target=cpu}' 2>&1 | filecheck %s --check-prefix=STAGECPU
// RUN: not tinyir-opt %s -p 'kernel-optimize{actions="upcast:0"}' 2>&1 | filecheck %s --check-prefix=SYNTAX
// An action that does not fit is one located error naming the kernel and the reason.

// AXIS: errors.mlir:25:3: error: 'loop.kernel' op kernel-optimize: kernel "k0": upcast:5:4: axis 5 does not exist (the kernel has 2 axes)
// KIND: error: 'loop.kernel' op kernel-optimize: kernel "k0": upcast:1:4: upcast needs a global axis; axis 1 is reduce
// DIVIDE: error: 'loop.kernel' op kernel-optimize: kernel "k0": upcast:0:3: axis 0 of size 8 is not divisible by 3
// NOLOCAL: error: 'loop.kernel' op kernel-optimize: kernel "k0": local:0:8: the target has no work-groups
// TOOBIG: error: 'loop.kernel' op kernel-optimize: kernel "k0": group:1:64: a work-group of 512 threads is over the target's 256
// REGS: error: 'loop.kernel' op kernel-optimize: kernel "k0": unroll:1:64: 512 copies of the body (upcast x unroll) are over the target's 256
// TWOGROUPS: error: 'loop.kernel' op kernel-optimize: kernel "k0": group:1:4: the kernel already has a group range (one grouped reduce per kernel)
// NOTHREADS: error: 'loop.kernel' op kernel-optimize: kernel "k0": stage:1:4: the kernel has no local range (no threads to share a staged load)
// STAGECPU: error: 'loop.kernel' op kernel-optimize: kernel "k0": stage:1:4: the target has no work-groups (no local memory to stage through)
// SYNTAX: error: 'builtin.module' op kernel-optimize: bad action 'upcast:0': expected {{.*}} (e.g. upcast:0:4)
func.func @main(%a: !st.buffer<8x1024xf32>) -> !st.buffer<8xf32> {
  %0 = st.alloc : !st.buffer<8xf32>
  loop.kernel "k0"(%0, %a) : !st.buffer<8xf32>, !st.buffer<8x1024xf32> {
  ^bb0(%out: !st.buffer<8xf32>, %1: !st.buffer<8x1024xf32>):
    %i0 = loop.range 8 global : i32
    %r1 = loop.range 1024 reduce : i32
    %2 = uop.const 1024 : i32
    %3 = uop.mul %i0, %2 : i32
    %4 = uop.add %3, %r1 : i32
    %a_1 = uop.load %1[%4] : f32
    %c = loop.reduce add %a_1 over %r1 : f32
    uop.store %out[%i0], %c : f32
  }
  func.return %0 : !st.buffer<8xf32>
}

// RUN: not tinyir-opt %s -p 'kernel-optimize{target=vulkan}' 2>&1 | filecheck %s --check-prefix=DEVICE
// RUN: not tinyir-opt %s -p 'kernel-optimize{target=reference}' 2>&1 | filecheck %s --check-prefix=REFERENCE
// DEVICE: error: 'builtin.module' op kernel-optimize: unknown device 'vulkan'
// REFERENCE: error: 'builtin.module' op kernel-optimize: device 'reference' has no compilation target

// An unknown chip (arch) is an error, not another chip's limits.
// RUN: not tinyir-opt %s -p 'kernel-optimize{target=cuda arch=sm_77}' 2>&1 | filecheck %s --check-prefix=CHIP
// CHIP: error: 'builtin.module' op kernel-optimize: target 'cuda' has no chip 'sm_77' (chips: sm_80, sm_86, sm_89, sm_90, sm_90a)

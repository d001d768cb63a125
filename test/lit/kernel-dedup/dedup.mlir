// RUN: tinyir-opt %s -p kernel-dedup | filecheck %s
// RUN: tinyir-opt %s -p kernel-dedup,loop-to-uop,uop-simplify,uop-to-llvm,kernel-dedup-restore | filecheck %s --check-prefix=LLVM
// k1 equals k0 but for its name and its buffers: it becomes a launch of a copy of k0 on its own buffers. k2
// reads one buffer twice where k0 reads two, and k3 adds 2.0 instead of 1.0: both stay kernels.
// After the lowering, the launch is a copy of the lowered k0, named k1, on k1's buffers, in k1's place.

// CHECK:      loop.kernel "k0"(%0, %a, %b)
// CHECK:      kernel_copy.launch "k0" as "k1"(%1, %0, %a)
// CHECK-NEXT: %2 = st.alloc
// CHECK-NEXT: loop.kernel "k2"(%2, %a, %a)
// CHECK:      loop.kernel "k3"(%3, %a, %b)
// CHECK-NOT:  kernel_copy.launch

// LLVM:      [[K0OUT:%[0-9]+]] = st.alloc
// LLVM-NEXT: llir.kernel "k0" ([[K0OUT]], %a, %b)
// LLVM:      [[K1OUT:%[0-9]+]] = st.alloc
// LLVM-NEXT: llir.kernel "k1" ([[K1OUT]], [[K0OUT]], %a)
// LLVM:      llir.kernel "k2" (%{{[0-9]+}}, %a, %a)
// LLVM:      llir.kernel "k3" (%{{[0-9]+}}, %a, %b)
// LLVM-NOT:  kernel_copy.launch
func.func @main(%a: !st.buffer<4xf32>, %b: !st.buffer<4xf32>) -> !st.buffer<4xf32> {
  %0 = st.alloc : !st.buffer<4xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %x: !st.buffer<4xf32>, %y: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %u = uop.load %x[%i] : f32
    %v = uop.load %y[%i] : f32
    %c = uop.const 1.0 : f32
    %w = uop.add %u, %v : f32
    %z = uop.add %w, %c : f32
    uop.store %out[%i], %z : f32
  }
  %1 = st.alloc : !st.buffer<4xf32>
  loop.kernel "k1"(%1, %0, %a) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %x: !st.buffer<4xf32>, %y: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %u = uop.load %x[%i] : f32
    %v = uop.load %y[%i] : f32
    %c = uop.const 1.0 : f32
    %w = uop.add %u, %v : f32
    %z = uop.add %w, %c : f32
    uop.store %out[%i], %z : f32
  }
  %2 = st.alloc : !st.buffer<4xf32>
  loop.kernel "k2"(%2, %a, %a) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %x: !st.buffer<4xf32>, %y: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %u = uop.load %x[%i] : f32
    %v = uop.load %y[%i] : f32
    %c = uop.const 1.0 : f32
    %w = uop.add %u, %v : f32
    %z = uop.add %w, %c : f32
    uop.store %out[%i], %z : f32
  }
  %3 = st.alloc : !st.buffer<4xf32>
  loop.kernel "k3"(%3, %a, %b) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %x: !st.buffer<4xf32>, %y: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %u = uop.load %x[%i] : f32
    %v = uop.load %y[%i] : f32
    %c = uop.const 2.0 : f32
    %w = uop.add %u, %v : f32
    %z = uop.add %w, %c : f32
    uop.store %out[%i], %z : f32
  }
  func.return %3 : !st.buffer<4xf32>
}

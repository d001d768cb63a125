// RUN: tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:2:0"}' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:2:0,upcast:0:2"},loop-to-uop,uop-simplify' | filecheck %s --check-prefix=UOP
// RUN: tinyir-opt %s -p 'kernel-optimize{target=cuda}' | filecheck %s --check-prefix=HEURISTIC
// RUN: not tinyir-opt %s -p 'kernel-optimize{target=opencl actions="tc:2:0"}' 2>&1 | filecheck %s --check-prefix=NOTC
// RUN: not tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:2:1"}' 2>&1 | filecheck %s --check-prefix=SELECT
// RUN: not tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:2:0,tc:2:0"}' 2>&1 | filecheck %s --check-prefix=TWICE
// RUN: not tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:2:0,group:2:2"}' 2>&1 | filecheck %s --check-prefix=GROUP
// The tc action (tinyir/passes/tensor_core.py): the f16 product's reduce axis and its two output axes
// split by mma.m16n8k16's tile into tc ranges, and a local range of the warp's 32 lanes after every
// other range. Lowered, each lane loads its 8 elements of A and 4 of B at the layout's coordinates
// ((lane >> 2) and 2 * (lane & 3) plus the element's offsets) and one uop.mma per output tile gives
// its 4 elements of D, summed over the remaining reduce loop; the store is copied once per element.

// CHECK:      loop.kernel "k0"{{.*}}tensor_core = "mma.m16n8k16.f16"
// CHECK:      %i0 = loop.range 2 global : i32
// CHECK-NEXT: %i0_t = loop.range 16 tc : i32
// CHECK:      %i1 = loop.range 2 global : i32
// CHECK-NEXT: %i1_t = loop.range 8 tc : i32
// CHECK:      %r2 = loop.range 2 reduce : i32
// CHECK-NEXT: %r2_t = loop.range 16 tc : i32
// CHECK-NEXT: %lane = loop.range 32 local : i32
// CHECK:      loop.reduce add %{{.*}} over %r2, %r2_t : f32

// UOP:        %lane = uop.special "lidx0" 32 : i32
// UOP:        uop.shr %lane, %{{.*}} : i32
// UOP:        uop.and %lane, %{{.*}} : i32
// UOP-COUNT-4: uop.define_acc 0.0 : f32
// UOP:        uop.range 0, 2 : i32
// UOP-COUNT-2: uop.mma "mma.m16n8k16.f16" a(%x{{[_0-9]*}}, %x_{{[0-9]+}}, %x_{{[0-9]+}}, %x_{{[0-9]+}}, %x_{{[0-9]+}}, %x_{{[0-9]+}}, %x_{{[0-9]+}}, %x_{{[0-9]+}}) b(%y, %y_{{[0-9]+}}, %y_{{[0-9]+}}, %y_{{[0-9]+}}) c(
// UOP:        uop.endrange
// UOP-COUNT-8: uop.store %out

// HEURISTIC:  actions = "tc:2:0,upcast:1:2,upcast:0:2,unroll:2:2"

// NOTC:       error: 'loop.kernel' op kernel-optimize: kernel "k0": tc:2:0: tc on a 32-long reduce: the target has no matrix instructions
// SELECT:     error: 'loop.kernel' op kernel-optimize: kernel "k0": tc:2:1: tc on a 32-long reduce: the target has 1 matrix instruction(s) for f16, not 2
// TWICE:      error: 'loop.kernel' op kernel-optimize: kernel "k0": tc:2:0: the kernel already has a tc range (its lanes are the work-group's)
// GROUP:      error: 'loop.kernel' op kernel-optimize: kernel "k0": group:2:2: the kernel already has a tc range (its lanes are the work-group's)
func.func @main(%a: !st.buffer<32x32xf16>, %b: !st.buffer<32x16xf16>) -> !st.buffer<32x16xf16> {
  %0 = st.alloc : !st.buffer<32x16xf16>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<32x16xf16>, !st.buffer<32x32xf16>, !st.buffer<32x16xf16> {
  ^bb0(%out: !st.buffer<32x16xf16>, %1: !st.buffer<32x32xf16>, %2: !st.buffer<32x16xf16>):
    %i0 = loop.range 32 global : i32
    %i1 = loop.range 16 global : i32
    %r2 = loop.range 32 reduce : i32
    %c32 = uop.const 32 : i32
    %3 = uop.mul %i0, %c32 : i32
    %4 = uop.add %3, %r2 : i32
    %x = uop.load %1[%4] : f16
    %c16 = uop.const 16 : i32
    %5 = uop.mul %r2, %c16 : i32
    %6 = uop.add %i1, %5 : i32
    %y = uop.load %2[%6] : f16
    %xf = uop.cast %x : f16 to f32
    %yf = uop.cast %y : f16 to f32
    %7 = uop.mul %xf, %yf : f32
    %s = loop.reduce add %7 over %r2 : f32
    %h = uop.cast %s : f32 to f16
    %8 = uop.mul %i0, %c16 : i32
    %9 = uop.add %8, %i1 : i32
    uop.store %out[%9], %h : f16
  }
  func.return %0 : !st.buffer<32x16xf16>
}

// RUN: not tinyir-opt %s -p 'kernel-optimize{target=cuda actions="tc:2:0"}' 2>&1 | filecheck %s --check-prefix=F32
// RUN: tinyir-opt %s -p 'kernel-optimize{target=cuda}' | filecheck %s --check-prefix=HEURISTIC
// What tc leaves alone: an f32 product (no f32 matrix instruction is listed), so the heuristics
// tile it as before, without tc.

// F32:        error: 'loop.kernel' op kernel-optimize: kernel "k0": tc:2:0: tc on a 32-long reduce: tc needs a product of two f16 (or two bf16) values cast to f32
// HEURISTIC-NOT: tc:
// HEURISTIC:  actions = "
// HEURISTIC-NOT: tc:
func.func @main(%a: !st.buffer<32x32xf32>, %b: !st.buffer<32x16xf32>) -> !st.buffer<32x16xf32> {
  %0 = st.alloc : !st.buffer<32x16xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<32x16xf32>, !st.buffer<32x32xf32>, !st.buffer<32x16xf32> {
  ^bb0(%out: !st.buffer<32x16xf32>, %1: !st.buffer<32x32xf32>, %2: !st.buffer<32x16xf32>):
    %i0 = loop.range 32 global : i32
    %i1 = loop.range 16 global : i32
    %r2 = loop.range 32 reduce : i32
    %c32 = uop.const 32 : i32
    %3 = uop.mul %i0, %c32 : i32
    %4 = uop.add %3, %r2 : i32
    %x = uop.load %1[%4] : f32
    %c16 = uop.const 16 : i32
    %5 = uop.mul %r2, %c16 : i32
    %6 = uop.add %i1, %5 : i32
    %y = uop.load %2[%6] : f32
    %7 = uop.mul %x, %y : f32
    %s = loop.reduce add %7 over %r2 : f32
    %8 = uop.mul %i0, %c16 : i32
    %9 = uop.add %8, %i1 : i32
    uop.store %out[%9], %s : f32
  }
  func.return %0 : !st.buffer<32x16xf32>
}

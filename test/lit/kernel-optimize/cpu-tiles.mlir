// RUN: tinyir-opt %s --split-input-file -p 'kernel-optimize{target=cpu}' | filecheck %s
// The CPU heuristics give a register tile to a kernel whose tile rows reuse loaded data (a matmul:
// each row of the tile reads its own row of A), and none to a contiguous reduce whose loads reused
// along the output row are the same for every other output (ROW-REUSE: a layernorm's weight, an
// embedding broadcast over the batch): LLVM vectorizes that reduce as it is.

// CHECK:      loop.kernel "k0"{{.*}} attributes {actions = "upcast:1:16,upcast:0:8"}
func.func @main(%a: !st.buffer<64x32xf32>, %b: !st.buffer<32x64xf32>) -> !st.buffer<64x64xf32> {
  %0 = st.alloc : !st.buffer<64x64xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<64x64xf32>, !st.buffer<64x32xf32>, !st.buffer<32x64xf32> {
  ^bb0(%out: !st.buffer<64x64xf32>, %1: !st.buffer<64x32xf32>, %2: !st.buffer<32x64xf32>):
    %i0 = loop.range 64 global : i32
    %i1 = loop.range 64 global : i32
    %r2 = loop.range 32 reduce : i32
    %c32 = uop.const 32 : i32
    %3 = uop.mul %i0, %c32 : i32
    %4 = uop.add %3, %r2 : i32
    %x = uop.load %1[%4] : f32
    %c64 = uop.const 64 : i32
    %5 = uop.mul %r2, %c64 : i32
    %6 = uop.add %i1, %5 : i32
    %y = uop.load %2[%6] : f32
    %p = uop.mul %x, %y : f32
    %s = loop.reduce add %p over %r2 : f32
    %7 = uop.mul %i0, %c64 : i32
    %8 = uop.add %7, %i1 : i32
    uop.store %out[%8], %s : f32
  }
  func.return %0 : !st.buffer<64x64xf32>
}

// -----

// CHECK:      loop.kernel "k0"
// CHECK-NOT:  actions
// CHECK:      uop.store
func.func @main(%x: !st.buffer<8x64x128xf32>, %pos: !st.buffer<64x128xf32>, %w: !st.buffer<128xf32>) -> !st.buffer<8x64xf32> {
  %0 = st.alloc : !st.buffer<8x64xf32>
  loop.kernel "k0"(%0, %x, %pos, %w) : !st.buffer<8x64xf32>, !st.buffer<8x64x128xf32>, !st.buffer<64x128xf32>, !st.buffer<128xf32> {
  ^bb0(%out: !st.buffer<8x64xf32>, %1: !st.buffer<8x64x128xf32>, %2: !st.buffer<64x128xf32>, %3: !st.buffer<128xf32>):
    %i0 = loop.range 8 global : i32
    %i1 = loop.range 64 global : i32
    %r2 = loop.range 128 reduce : i32
    %c8192 = uop.const 8192 : i32
    %c128 = uop.const 128 : i32
    %4 = uop.mul %i0, %c8192 : i32
    %5 = uop.mul %i1, %c128 : i32
    %6 = uop.add %4, %5 : i32
    %7 = uop.add %6, %r2 : i32
    %a = uop.load %1[%7] : f32
    %8 = uop.add %5, %r2 : i32
    %b = uop.load %2[%8] : f32
    %c = uop.load %3[%r2] : f32
    %d = uop.add %a, %b : f32
    %e = uop.mul %d, %c : f32
    %s = loop.reduce add %e over %r2 : f32
    %c64 = uop.const 64 : i32
    %9 = uop.mul %i0, %c64 : i32
    %10 = uop.add %9, %i1 : i32
    uop.store %out[%10], %s : f32
  }
  func.return %0 : !st.buffer<8x64xf32>
}

// RUN: not tinyir-opt %s -p loop-to-uop 2>&1 | filecheck %s
// Range kinds that need a kernel optimization this lowering does not do are a located error.

// CHECK: errors.mlir:9:5: error: 'loop.range' op loop-to-uop: upcast range of size 4 is not supported here (only global, local and reduce ranges ended by a loop.reduce)
func.func @f(%a: !st.buffer<4xf32>) {
  loop.kernel "k0" (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %u = loop.range 4 upcast : i32
    %f = uop.cast %i : i32 to f32
    uop.store %o[%i], %f : f32
  }
  func.return
}

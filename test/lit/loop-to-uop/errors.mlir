// RUN: not tinyir-opt %s -p loop-to-uop 2>&1 | filecheck %s
// Two reduces that share a loop range but not all of their loops cannot be one loop nest.

// CHECK: errors.mlir:13:5: error: 'loop.reduce' op loop-to-uop: a reduce range is ended by two loop.reduce ops
func.func @f(%a: !st.buffer<4xf32>) {
  loop.kernel "k0" (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = loop.range 4 global : i32
    %r = loop.range 4 reduce : i32
    %q = loop.range 2 reduce : i32
    %f = uop.cast %r : i32 to f32
    %s = loop.reduce add %f over %r : f32
    %t = loop.reduce add %f over %r, %q : f32
    %u = uop.add %s, %t : f32
    uop.store %o[%i], %u : f32
  }
  func.return
}

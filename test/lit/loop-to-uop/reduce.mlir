// RUN: tinyir-opt %s -p loop-to-uop | filecheck %s
// Linearization: global ranges -> specials (last dim = gidx0), ops independent of the reduce
// range before the loop, define_acc / range / body / assign / endrange, the epilogue after.

// CHECK-LABEL: func.func @matvec
// CHECK:      uop.kernel "k0"(%a, %b, %c) : !st.buffer<2x4xf32>, !st.buffer<2x4x8xf32>, !st.buffer<8xf32> {
// CHECK-NEXT: ^bb0(%o: !st.buffer<2x4xf32>, %x: !st.buffer<2x4x8xf32>, %y: !st.buffer<8xf32>):
// CHECK-NEXT:   %b0 = uop.special "gidx1" 2 : i32
// CHECK-NEXT:   %i = uop.special "gidx0" 4 : i32
// CHECK-NEXT:   %c8 = uop.const 8 : i32
// CHECK-NEXT:   %c32 = uop.const 32 : i32
// CHECK-NEXT:   %row = uop.mul %i, %c8 : i32
// CHECK-NEXT:   %bat = uop.mul %b0, %c32 : i32
// CHECK-NEXT:   %base = uop.add %bat, %row : i32
// CHECK-NEXT:   %s = uop.define_acc 0.0 : f32
// CHECK-NEXT:   %k = uop.range 0, 8 : i32
// CHECK-NEXT:   %idx = uop.add %base, %k : i32
// CHECK-NEXT:   %v = uop.load %x[%idx] : f32
// CHECK-NEXT:   %w = uop.load %y[%k] : f32
// CHECK-NEXT:   %p = uop.mul %v, %w : f32
// CHECK-NEXT:   %{{.*}} = uop.add %s, %p : f32
// CHECK-NEXT:   uop.assign %s, %{{.*}} : f32
// CHECK-NEXT:   uop.endrange %k
// CHECK-NEXT:   %four = uop.const 4 : i32
// CHECK-NEXT:   %b4 = uop.mul %b0, %four : i32
// CHECK-NEXT:   %oi = uop.add %b4, %i : i32
// CHECK-NEXT:   uop.store %o[%oi], %s : f32
// CHECK-NEXT: }
func.func @matvec(%a: !st.buffer<2x4xf32>, %b: !st.buffer<2x4x8xf32>, %c: !st.buffer<8xf32>) {
  loop.kernel "k0" (%a, %b, %c) : !st.buffer<2x4xf32>, !st.buffer<2x4x8xf32>, !st.buffer<8xf32> {
  ^bb0(%o: !st.buffer<2x4xf32>, %x: !st.buffer<2x4x8xf32>, %y: !st.buffer<8xf32>):
    %b0 = loop.range 2 global : i32
    %i = loop.range 4 global : i32
    %k = loop.range 8 reduce : i32
    %c8 = uop.const 8 : i32
    %c32 = uop.const 32 : i32
    %row = uop.mul %i, %c8 : i32
    %bat = uop.mul %b0, %c32 : i32
    %base = uop.add %bat, %row : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %x[%idx] : f32
    %w = uop.load %y[%k] : f32
    %p = uop.mul %v, %w : f32
    %s = loop.reduce add %p over %k : f32
    %four = uop.const 4 : i32
    %b4 = uop.mul %b0, %four : i32
    %oi = uop.add %b4, %i : i32
    uop.store %o[%oi], %s : f32
  }
  func.return
}

// Two reduce ranges: nested loops in the order the reduce lists them; an op that needs only the
// outer range is placed between the two range ops; a constant is hoisted before both. Float max
// starts from -inf.
// CHECK-LABEL: func.func @two_ranges
// CHECK:      %c5 = uop.const 5 : i32
// CHECK-NEXT: %m = uop.define_acc -inf : f32
// CHECK-NEXT: %r = uop.range 0, 3 : i32
// CHECK-NEXT: %rb = uop.mul %r, %c5 : i32
// CHECK-NEXT: %q = uop.range 0, 5 : i32
// CHECK-NEXT: %idx = uop.add %rb, %q : i32
// CHECK-NEXT: %v = uop.load %x[%idx] : f32
// CHECK-NEXT: %{{.*}} = uop.max %m, %v : f32
// CHECK-NEXT: uop.assign %m, %{{.*}} : f32
// CHECK-NEXT: uop.endrange %q
// CHECK-NEXT: uop.endrange %r
// CHECK-NEXT: %z = uop.const 0 : i32
// CHECK-NEXT: uop.store %o[%z], %m : f32
func.func @two_ranges(%a: !st.buffer<1xf32>, %b: !st.buffer<3x5xf32>) {
  loop.kernel "k1" (%a, %b) : !st.buffer<1xf32>, !st.buffer<3x5xf32> {
  ^bb0(%o: !st.buffer<1xf32>, %x: !st.buffer<3x5xf32>):
    %r = loop.range 3 reduce : i32
    %q = loop.range 5 reduce : i32
    %c5 = uop.const 5 : i32
    %rb = uop.mul %r, %c5 : i32
    %idx = uop.add %rb, %q : i32
    %v = uop.load %x[%idx] : f32
    %m = loop.reduce max %v over %r, %q : f32
    %z = uop.const 0 : i32
    uop.store %o[%z], %m : f32
  }
  func.return
}

// A reduce inside another: the inner accumulator is defined (reset) inside the outer loop.
// Integer max starts from INT_MIN.
// CHECK-LABEL: func.func @nested
// CHECK:      %outer = uop.define_acc 0 : i32
// CHECK-NEXT: %j = uop.range 0, 3 : i32
// CHECK-NEXT: %inner = uop.define_acc -2147483648 : i32
// CHECK-NEXT: %k = uop.range 0, 4 : i32
// CHECK-NEXT: %jk = uop.mul %j, %k : i32
// CHECK-NEXT: %{{.*}} = uop.max %inner, %jk : i32
// CHECK-NEXT: uop.assign %inner, %{{.*}} : i32
// CHECK-NEXT: uop.endrange %k
// CHECK-NEXT: %sc = uop.add %inner, %j : i32
// CHECK-NEXT: %{{.*}} = uop.add %outer, %sc : i32
// CHECK-NEXT: uop.assign %outer, %{{.*}} : i32
// CHECK-NEXT: uop.endrange %j
// CHECK-NEXT: %z = uop.const 0 : i32
// CHECK-NEXT: uop.store %o[%z], %outer : i32
func.func @nested(%a: !st.buffer<1xi32>) {
  loop.kernel "k2" (%a) : !st.buffer<1xi32> {
  ^bb0(%o: !st.buffer<1xi32>):
    %j = loop.range 3 reduce : i32
    %k = loop.range 4 reduce : i32
    %jk = uop.mul %j, %k : i32
    %inner = loop.reduce max %jk over %k : i32
    %sc = uop.add %inner, %j : i32
    %outer = loop.reduce add %sc over %j : i32
    %z = uop.const 0 : i32
    uop.store %o[%z], %outer : i32
  }
  func.return
}

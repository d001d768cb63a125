// RUN: tinyir-opt %s --split-input-file -p 'uop-vectorize' | filecheck %s
// What uop-vectorize leaves scalar: anything it cannot prove contiguous, aligned and unchanged.
// CHECK-NOT: uop.vload
// CHECK-NOT: uop.vstore

// unaligned base: 4*g + 1, 4*g + 2
func.func @main(%a: !st.buffer<80xf32>) -> !st.buffer<80xf32> {
  %0 = st.alloc : !st.buffer<80xf32>
  uop.kernel "unaligned"(%0, %a) : !st.buffer<80xf32>, !st.buffer<80xf32> {
  ^bb0(%o: !st.buffer<80xf32>, %x: !st.buffer<80xf32>):
    %g = uop.special "gidx0" 16 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %m = uop.mul %g, %c4 : i32
    %b = uop.add %m, %c1 : i32
    %i1 = uop.add %b, %c1 : i32
    %x0 = uop.load %x[%b] : f32
    %x1 = uop.load %x[%i1] : f32
    uop.store %o[%b], %x0 : f32
    uop.store %o[%i1], %x1 : f32
  }
  func.return %0 : !st.buffer<80xf32>
}

// -----

// a base not known to be a multiple of 2 (3*g), gaps (+0, +2), a base that is a loaded value
func.func @main(%a: !st.buffer<64xf32>, %ix: !st.buffer<16xi32>) -> !st.buffer<64xf32> {
  %0 = st.alloc : !st.buffer<64xf32>
  uop.kernel "gaps"(%0, %a, %ix) : !st.buffer<64xf32>, !st.buffer<64xf32>, !st.buffer<16xi32> {
  ^bb0(%o: !st.buffer<64xf32>, %x: !st.buffer<64xf32>, %ixb: !st.buffer<16xi32>):
    %g = uop.special "gidx0" 16 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %b = uop.mul %g, %c3 : i32
    %b1 = uop.add %b, %c1 : i32
    %x0 = uop.load %x[%b] : f32
    %x1 = uop.load %x[%b1] : f32
    %e = uop.mul %g, %c2 : i32
    %e2 = uop.add %e, %c2 : i32
    %y0 = uop.load %x[%e] : f32
    %y2 = uop.load %x[%e2] : f32
    %v = uop.load %ixb[%g] : i32
    %v1 = uop.add %v, %c1 : i32
    %z0 = uop.load %x[%v] : f32
    %z1 = uop.load %x[%v1] : f32
    %s0 = uop.add %x0, %y0 : f32
    %s1 = uop.add %x1, %y2 : f32
    %s2 = uop.add %s0, %z0 : f32
    %s3 = uop.add %s1, %z1 : f32
    uop.store %o[%e], %s2 : f32
    uop.store %o[%e2], %s3 : f32
  }
  func.return %0 : !st.buffer<64xf32>
}

// -----

// different gates; a store of the same buffer between two loads; a load of another argument (maybe
// the same memory) between two stores; barriers between local stores, a loop between local loads; an i8 run (byte types are not merged)
func.func @main(%a: !st.buffer<64xf32>, %h: !st.buffer<64xi8>) -> !st.buffer<64xf32> {
  %0 = st.alloc : !st.buffer<64xf32>
  uop.kernel "hazards"(%0, %a, %h) : !st.buffer<64xf32>, !st.buffer<64xf32>, !st.buffer<64xi8> {
  ^bb0(%o: !st.buffer<64xf32>, %x: !st.buffer<64xf32>, %hb: !st.buffer<64xi8>):
    %w = uop.special "wgid0" 8 : i32
    %l = uop.special "lidx0" 2 : i32
    %t = uop.define_local : !st.buffer<4xf32>
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c4 = uop.const 4 : i32
    %wl = uop.mul %w, %c2 : i32
    %g = uop.add %wl, %l : i32
    %b = uop.mul %g, %c2 : i32
    %b1 = uop.add %b, %c1 : i32
    %p = uop.cmplt %w, %c4 : i32
    %q = uop.cmplt %l, %c1 : i32
    %x0 = uop.load %x[%b], %p : f32
    %x1 = uop.load %x[%b1], %q : f32
    %y0 = uop.load %x[%b] : f32
    uop.store %x[%b1], %x0 : f32
    %y1 = uop.load %x[%b1] : f32
    uop.store %o[%b], %y0 : f32
    %z = uop.load %x[%c1] : f32
    uop.store %o[%b1], %z : f32
    %lb = uop.mul %l, %c2 : i32
    %lb1 = uop.add %lb, %c1 : i32
    uop.store %t[%lb], %x1 : f32
    uop.barrier
    uop.store %t[%lb1], %y1 : f32
    uop.barrier
    %t0 = uop.load %t[%c2] : f32
    %r = uop.range 0, 2 : i32
    uop.endrange %r
    %c3 = uop.const 3 : i32
    %t1 = uop.load %t[%c3] : f32
    %h0 = uop.load %hb[%b] : i8
    %h1 = uop.load %hb[%b1] : i8
    %s = uop.add %t0, %t1 : f32
    uop.store %x[%c2], %s : f32
    %hs = uop.add %h0, %h1 : i8
    uop.store %hb[%c2], %hs : i8
  }
  func.return %0 : !st.buffer<64xf32>
}

// -----

// a store of an accumulator moved past an assign to it would store the new value
func.func @main(%a: !st.buffer<64xf32>) -> !st.buffer<64xf32> {
  %0 = st.alloc : !st.buffer<64xf32>
  uop.kernel "acc"(%0, %a) : !st.buffer<64xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<64xf32>, %x: !st.buffer<64xf32>):
    %g = uop.special "gidx0" 32 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %b = uop.mul %g, %c2 : i32
    %b1 = uop.add %b, %c1 : i32
    %acc = uop.define_acc 0.0 : f32
    %one = uop.const 1.0 : f32
    uop.store %o[%b], %acc : f32
    uop.assign %acc, %one : f32
    uop.store %o[%b1], %acc : f32
  }
  func.return %0 : !st.buffer<64xf32>
}

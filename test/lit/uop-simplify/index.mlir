// RUN: tinyir-opt %s -p uop-simplify | filecheck %s
// Symbolic index math from value bounds: specials run over [0, size), ranges over [start, end).

// CHECK-LABEL: func.func @split
// CHECK:      %g0 = uop.special "gidx0" 4 : i32
// CHECK-NEXT: %g1 = uop.special "gidx1" 3 : i32
// CHECK-NEXT: %c2 = uop.const 2 : i32
// CHECK-NEXT: %c4 = uop.const 4 : i32
// CHECK-NEXT: %v = uop.const 1 : i32
// (g1*4 + g0) idiv 4 -> g1 and (g1*4 + g0) mod 4 -> g0, since 0 <= g0 < 4
// CHECK-NEXT: uop.store %o[%g1], %v : i32
// CHECK-NEXT: uop.store %o[%g0], %v : i32
// (g1*8 + g0 + 2) idiv 4 -> g1*2 + (g0 + 2) idiv 4: g0 + 2 may reach 4, that idiv stays
// CHECK-NEXT: %[[T:.*]] = uop.mul %g1, %c2 : i32
// CHECK-NEXT: %[[U:.*]] = uop.add %g0, %c2 : i32
// CHECK-NEXT: %[[D:.*]] = uop.idiv %[[U]], %c4 : i32
// CHECK-NEXT: %[[S:.*]] = uop.add %[[T]], %[[D]] : i32
// CHECK-NEXT: uop.store %o[%[[S]]], %v : i32
// (g1*8 + g0 + 2) mod 4 -> (g0 + 2) mod 4
// CHECK-NEXT: %[[M:.*]] = uop.mod %[[U]], %c4 : i32
// CHECK-NEXT: uop.store %o[%[[M]]], %v : i32
// ((x idiv 2) idiv 2) -> x idiv 4; ((x mod 8) mod 4) -> x mod 4; then both split off g1*4
// CHECK-NEXT: uop.store %o[%g1], %v : i32
// CHECK-NEXT: uop.store %o[%g0], %v : i32
// CHECK-NEXT: }
func.func @split(%a: !st.buffer<16xi32>) {
  uop.kernel "k" (%a) : !st.buffer<16xi32> {
  ^bb0(%o: !st.buffer<16xi32>):
    %g0 = uop.special "gidx0" 4 : i32
    %g1 = uop.special "gidx1" 3 : i32
    %c2 = uop.const 2 : i32
    %c4 = uop.const 4 : i32
    %c8 = uop.const 8 : i32
    %v = uop.const 1 : i32
    %g14 = uop.mul %g1, %c4 : i32
    %flat = uop.add %g14, %g0 : i32
    %row = uop.idiv %flat, %c4 : i32
    uop.store %o[%row], %v : i32
    %col = uop.mod %flat, %c4 : i32
    uop.store %o[%col], %v : i32
    %g18 = uop.mul %g1, %c8 : i32
    %f8 = uop.add %g18, %g0 : i32
    %f82 = uop.add %f8, %c2 : i32
    %q = uop.idiv %f82, %c4 : i32
    uop.store %o[%q], %v : i32
    %r = uop.mod %f82, %c4 : i32
    uop.store %o[%r], %v : i32
    %h = uop.idiv %flat, %c2 : i32
    %hh = uop.idiv %h, %c2 : i32
    uop.store %o[%hh], %v : i32
    %m8 = uop.mod %flat, %c8 : i32
    %m84 = uop.mod %m8, %c4 : i32
    uop.store %o[%m84], %v : i32
  }
  func.return
}

// CHECK-LABEL: func.func @bounds
// compares decided by bounds fold, gates that always hold go away
// CHECK:      %g = uop.special "gidx0" 4 : i32
// CHECK-NEXT: %c4 = uop.const 4 : i32
// CHECK-NEXT: %k = uop.range 0, 3 : i32
// CHECK-NEXT: %v = uop.load %x[%g] : f32
// CHECK-NEXT: uop.store %o[%g], %v : f32
// CHECK-NEXT: uop.endrange %k
// a compare the bounds do not decide stays, and so does the gated load
// CHECK-NEXT: %c2 = uop.const 2 : i32
// CHECK-NEXT: %half = uop.cmplt %g, %c2 : i32
// CHECK-NEXT: %w = uop.load %x[%g], %half : f32
// CHECK-NEXT: uop.store %o[%g], %w : f32
// g mod 3 and g idiv 3 stay: g may exceed 3; g mod 4 -> g and g idiv 4 -> 0
// CHECK-NEXT: %c3 = uop.const 3 : i32
// CHECK-NEXT: %m3 = uop.mod %g, %c3 : i32
// CHECK-NEXT: %d3 = uop.idiv %g, %c3 : i32
// CHECK-NEXT: %s = uop.add %m3, %d3 : i32
// CHECK-NEXT: %s2 = uop.add %s, %g : i32
// CHECK-NEXT: %f = uop.cast %s2 : i32 to f32
// CHECK-NEXT: uop.store %o[%g], %{{.*}} : f32
// a value loaded from memory has no bounds: x mod 4 stays
// CHECK-NEXT: %ld = uop.load %y[%g] : i32
// CHECK-NEXT: %lm = uop.mod %ld, %c4 : i32
// CHECK-NEXT: %lf = uop.cast %lm : i32 to f32
// CHECK-NEXT: uop.store %o[%g], %lf : f32
// CHECK-NEXT: }
func.func @bounds(%a: !st.buffer<4xf32>, %b: !st.buffer<4xf32>, %n: !st.buffer<4xi32>) {
  uop.kernel "k" (%a, %b, %n) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>, %y: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %c4 = uop.const 4 : i32
    %cm1 = uop.const -1 : i32
    %k = uop.range 0, 3 : i32
    %lt = uop.cmplt %g, %c4 : i32
    %gt = uop.cmplt %cm1, %k : i32
    %both = uop.and %lt, %gt : i1
    %v = uop.load %x[%g], %both : f32
    uop.store %o[%g], %v : f32
    uop.endrange %k
    %c2 = uop.const 2 : i32
    %half = uop.cmplt %g, %c2 : i32
    %w = uop.load %x[%g], %half : f32
    uop.store %o[%g], %w : f32
    %c3 = uop.const 3 : i32
    %m3 = uop.mod %g, %c3 : i32
    %d3 = uop.idiv %g, %c3 : i32
    %m4 = uop.mod %g, %c4 : i32
    %d4 = uop.idiv %g, %c4 : i32
    %s = uop.add %m3, %d3 : i32
    %s2 = uop.add %s, %m4 : i32
    %s3 = uop.add %s2, %d4 : i32
    %f = uop.cast %s3 : i32 to f32
    uop.store %o[%g], %f : f32
    %ld = uop.load %y[%g] : i32
    %lm = uop.mod %ld, %c4 : i32
    %lf = uop.cast %lm : i32 to f32
    uop.store %o[%g], %lf : f32
  }
  func.return
}

// A factor shared by the divisor and every coefficient: an upcast copy's (g*8 + k) idiv 64 is
// g idiv 8 for each k < 8 (the copies share it), its mod (g mod 8)*8 + k; (g*8 + 9) idiv 64 is
// (g + 1) idiv 8. A value that may be negative stays.
// CHECK-LABEL: func.func @common_factor
// CHECK:      %q0 = uop.idiv %g, %c8 : i32
// CHECK-NEXT: uop.store %o[%q0], %v : i32
// CHECK-NEXT: uop.store %o[%q0], %v : i32
// CHECK-NEXT: %r3 = uop.mod %g, %c8 : i32
// CHECK-NEXT: %r3_1 = uop.mul %r3, %c8 : i32
// CHECK-NEXT: %r3_2 = uop.const 3 : i32
// CHECK-NEXT: %r3_3 = uop.add %r3_1, %r3_2 : i32
// CHECK-NEXT: uop.store %o[%r3_3], %v : i32
// CHECK-NEXT: %q9 = uop.add %g, %v : i32
// CHECK-NEXT: %q9_1 = uop.idiv %q9, %c8 : i32
// CHECK-NEXT: uop.store %o[%q9_1], %v : i32
// CHECK-NEXT: %neg = uop.add %g8, %m100 : i32
// CHECK-NEXT: %qn = uop.idiv %neg, %c64 : i32
func.func @common_factor(%a: !st.buffer<64xi32>) {
  uop.kernel "k" (%a) : !st.buffer<64xi32> {
  ^bb0(%o: !st.buffer<64xi32>):
    %g = uop.special "gidx0" 64 : i32
    %c3 = uop.const 3 : i32
    %c7 = uop.const 7 : i32
    %c8 = uop.const 8 : i32
    %c9 = uop.const 9 : i32
    %c64 = uop.const 64 : i32
    %m100 = uop.const -100 : i32
    %v = uop.const 1 : i32
    %g8 = uop.mul %g, %c8 : i32
    %q0 = uop.idiv %g8, %c64 : i32
    uop.store %o[%q0], %v : i32
    %g87 = uop.add %g8, %c7 : i32
    %q7 = uop.idiv %g87, %c64 : i32
    uop.store %o[%q7], %v : i32
    %g83 = uop.add %g8, %c3 : i32
    %r3 = uop.mod %g83, %c64 : i32
    uop.store %o[%r3], %v : i32
    %g89 = uop.add %g8, %c9 : i32
    %q9 = uop.idiv %g89, %c64 : i32
    uop.store %o[%q9], %v : i32
    %neg = uop.add %g8, %m100 : i32
    %qn = uop.idiv %neg, %c64 : i32
    uop.store %o[%qn], %v : i32
  }
  func.return
}

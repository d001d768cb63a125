// RUN: tinyir-opt %s -p uop-simplify | filecheck %s
// Constant folding (with C semantics on the element type) and algebraic identities.

// CHECK-LABEL: func.func @fold
// CHECK:      %g = uop.special "gidx0" 4 : i32
// CHECK-NEXT: %{{.*}} = uop.const -2147483648 : i32
// CHECK-NEXT: uop.store %oi[%g], %{{.*}} : i32
// CHECK-NEXT: %{{.*}} = uop.const -3 : i32
// CHECK-NEXT: uop.store %oi[%g], %{{.*}} : i32
// CHECK-NEXT: %{{.*}} = uop.const -1 : i32
// CHECK-NEXT: uop.store %oi[%g], %{{.*}} : i32
// CHECK-NEXT: %{{.*}} = uop.const 4 : i32
// CHECK-NEXT: uop.store %oi[%g], %{{.*}} : i32
// CHECK-NEXT: %{{.*}} = uop.const 7.5 : f32
// CHECK-NEXT: uop.store %of[%g], %{{.*}} : f32
// CHECK-NEXT: %{{.*}} = uop.const -2 : i32
// CHECK-NEXT: uop.store %oi[%g], %{{.*}} : i32
// CHECK-NEXT: }
func.func @fold(%a: !st.buffer<4xi32>, %b: !st.buffer<4xf32>) {
  uop.kernel "k" (%a, %b) : !st.buffer<4xi32>, !st.buffer<4xf32> {
  ^bb0(%oi: !st.buffer<4xi32>, %of: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %max = uop.const 2147483647 : i32
    %one = uop.const 1 : i32
    %wrap = uop.add %max, %one : i32
    uop.store %oi[%g], %wrap : i32
    %m7 = uop.const -7 : i32
    %two = uop.const 2 : i32
    %q = uop.idiv %m7, %two : i32
    uop.store %oi[%g], %q : i32
    %r = uop.mod %m7, %two : i32
    uop.store %oi[%g], %r : i32
    %sh = uop.shl %two, %one : i32
    uop.store %oi[%g], %sh : i32
    %x = uop.const 2.5 : f32
    %y = uop.const 3.0 : f32
    %lt = uop.cmplt %x, %y : f32
    %p = uop.mul %x, %y : f32
    %w = uop.where %lt, %p, %y : f32
    uop.store %of[%g], %w : f32
    %mf = uop.const -2.7 : f32
    %c = uop.cast %mf : f32 to i32
    uop.store %oi[%g], %c : i32
  }
  func.return
}

// CHECK-LABEL: func.func @identities
// CHECK:      %g = uop.special "gidx0" 4 : i32
// CHECK-NEXT: %v = uop.load %x[%g] : f32
// CHECK-NEXT: uop.store %o[%g], %v : f32
// CHECK-NEXT: %{{.*}} = uop.const 0 : i32
// CHECK-NEXT: uop.store %n[%g], %{{.*}} : i32
// CHECK-NEXT: uop.store %n[%g], %g : i32
// CHECK-NEXT: %[[C7:.*]] = uop.const 7 : i32
// CHECK-NEXT: %{{.*}} = uop.add %g, %[[C7]] : i32
// CHECK-NEXT: uop.store %n[%g], %{{.*}} : i32
// CHECK-NEXT: uop.store %o[%g], %v : f32
// float x * 0 stays (NaN * 0 is NaN); x * 0 -> 0 is for ints only
// CHECK-NEXT: %fz = uop.const 0.0 : f32
// CHECK-NEXT: %keep = uop.mul %v, %fz : f32
// CHECK-NEXT: uop.store %o[%g], %keep : f32
// CHECK-NEXT: }
func.func @identities(%a: !st.buffer<4xf32>, %b: !st.buffer<4xf32>, %c: !st.buffer<4xi32>) {
  uop.kernel "k" (%a, %b, %c) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>, %n: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %t = uop.const true : i1
    %f1 = uop.const 1.0 : f32
    %v = uop.load %x[%g], %t : f32
    %v1 = uop.mul %v, %f1 : f32
    %nn = uop.neg %v1 : f32
    %nnn = uop.neg %nn : f32
    %vv = uop.max %nnn, %nnn : f32
    uop.store %o[%g], %vv, %t : f32
    %zero = uop.const 0 : i32
    %one = uop.const 1 : i32
    %z = uop.mul %g, %zero : i32
    %md = uop.mod %g, %one : i32
    %zz = uop.add %z, %md : i32
    uop.store %n[%g], %zz : i32
    %d = uop.idiv %g, %one : i32
    %d0 = uop.add %zero, %d : i32
    %d1 = uop.mul %one, %d0 : i32
    uop.store %n[%g], %d1 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %a3 = uop.add %c3, %g : i32
    %a7 = uop.add %a3, %c4 : i32
    uop.store %n[%g], %a7 : i32
    %fl = uop.const false : i1
    %w = uop.where %fl, %f1, %v : f32
    %same = uop.where %t, %w, %w : f32
    %and = uop.and %t, %t : i1
    uop.store %o[%g], %same, %and : f32
    %fz = uop.const 0.0 : f32
    %keep = uop.mul %v, %fz : f32
    uop.store %o[%g], %keep : f32
  }
  func.return
}

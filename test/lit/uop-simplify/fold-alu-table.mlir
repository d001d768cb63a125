// RUN: tinyir-opt %s -p uop-simplify | filecheck %s
// Constant folding is the ALU table's (tinyir/alu.py), with each constant read as its element type:
// shifts outside [0, width) give 0 or the sign fill (not the amount mod 64 of an int64), x/0 = x%0 = 0,
// MIN/-1 = MIN, ui8 results wrap at 8 bits, float -> int saturates (NaN -> 0), max(-0, +0) = +0.

// CHECK-LABEL: func.func @fold
// CHECK:      %[[ZERO:.*]] = uop.const 0 : i32
// CHECK-NEXT: uop.store %o[%g], %[[ZERO]] : i32
// CHECK-NEXT: %[[FILL:.*]] = uop.const -1 : i32
// CHECK-NEXT: uop.store %o[%g], %[[FILL]] : i32
// CHECK-NEXT: uop.store %o[%g], %[[ZERO]] : i32
// CHECK-NEXT: uop.store %o[%g], %[[ZERO]] : i32
// CHECK-NEXT: %[[MIN:.*]] = uop.const -2147483648 : i32
// CHECK-NEXT: uop.store %o[%g], %[[MIN]] : i32
// CHECK-NEXT: %[[SAT:.*]] = uop.const 2147483647 : i32
// CHECK-NEXT: uop.store %o[%g], %[[SAT]] : i32
// CHECK-NEXT: uop.store %o[%g], %[[ZERO]] : i32
// CHECK-NEXT: %[[WRAP:.*]] = uop.const 64 : ui8
// CHECK-NEXT: uop.store %b[%g], %[[WRAP]] : ui8
// CHECK-NEXT: %[[PZERO:.*]] = uop.const 0.0 : f32
// CHECK-NEXT: uop.store %f[%g], %[[PZERO]] : f32
func.func @fold(%out: !st.buffer<4xi32>, %bytes: !st.buffer<4xui8>, %floats: !st.buffer<4xf32>) {
  uop.kernel "k" (%out, %bytes, %floats) : !st.buffer<4xi32>, !st.buffer<4xui8>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xi32>, %b: !st.buffer<4xui8>, %f: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %one = uop.const 1 : i32
    %forty = uop.const 40 : i32
    %s1 = uop.shl %one, %forty : i32
    uop.store %o[%g], %s1 : i32
    %m8 = uop.const -8 : i32
    %mone = uop.const -1 : i32
    %s2 = uop.shr %m8, %mone : i32
    uop.store %o[%g], %s2 : i32
    %seven = uop.const 7 : i32
    %zero = uop.const 0 : i32
    %d = uop.idiv %seven, %zero : i32
    uop.store %o[%g], %d : i32
    %r = uop.mod %m8, %zero : i32
    uop.store %o[%g], %r : i32
    %min = uop.const -2147483648 : i32
    %q = uop.idiv %min, %mone : i32
    uop.store %o[%g], %q : i32
    %big = uop.const 1.0e12 : f32
    %c = uop.cast %big : f32 to i32
    uop.store %o[%g], %c : i32
    %nan = uop.const nan : f32
    %cn = uop.cast %nan : f32 to i32
    uop.store %o[%g], %cn : i32
    %x = uop.const 104 : ui8
    %three = uop.const 3 : ui8
    %w = uop.shl %x, %three : ui8
    uop.store %b[%g], %w : ui8
    %nz = uop.const -0.0 : f32
    %pz = uop.const 0.0 : f32
    %mx = uop.max %nz, %pz : f32
    uop.store %f[%g], %mx : f32
  }
  func.return
}

// x + 0 -> x is the table's only for ints and for x + (-0.0) on floats (-0.0 + 0.0 is +0.0); a
// quotient of quotients whose divisor product passes i32 is 0, not a division by a wrapped divisor.
// CHECK-LABEL: func.func @identities
// CHECK:      %[[Z:.*]] = uop.const 0.0 : f32
// CHECK-NEXT: %[[S:.*]] = uop.add %v, %[[Z]] : f32
// CHECK-NEXT: uop.store %o[%g], %[[S]] : f32
// CHECK-NEXT: uop.store %o[%g], %v : f32
// CHECK-NEXT: %r = uop.range 0, 2000000000 : i32
// CHECK-NEXT: %[[Q:.*]] = uop.const 0 : i32
// CHECK-NEXT: uop.store %oi[%r], %[[Q]] : i32
func.func @identities(%out: !st.buffer<4xf32>, %o2: !st.buffer<4xi32>, %x: !st.buffer<4xf32>) {
  uop.kernel "k" (%out, %o2, %x) : !st.buffer<4xf32>, !st.buffer<4xi32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %oi: !st.buffer<4xi32>, %a: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %v = uop.load %a[%g] : f32
    %z = uop.const 0.0 : f32
    %nz = uop.const -0.0 : f32
    %s = uop.add %v, %z : f32
    uop.store %o[%g], %s : f32
    %t = uop.add %v, %nz : f32
    uop.store %o[%g], %t : f32
    %r = uop.range 0, 2000000000 : i32
    %three = uop.const 3 : i32
    %big = uop.const 1073741824 : i32
    %q1 = uop.idiv %r, %three : i32
    %q2 = uop.idiv %q1, %big : i32
    uop.store %oi[%r], %q2 : i32
    uop.endrange %r
  }
  func.return
}

// x + 0.0 -> x where a zero's sign cannot be seen: the sum (times a weight) goes into an add
// accumulator that starts at +0.0, which is never -0.0, and acc + 0.0 == acc + -0.0 then (a
// convolution's padded window). Stored as it is, the sum keeps its add.
// CHECK-LABEL: func.func @unseen_zero_sign
// CHECK:      %[[P:.*]] = uop.mul %v, %w : f32
// CHECK-NEXT: %[[A:.*]] = uop.add %acc, %[[P]] : f32
// CHECK-NEXT: uop.assign %acc, %[[A]] : f32
// CHECK:      %[[S:.*]] = uop.add %v2, %{{.*}} : f32
// CHECK-NEXT: uop.store %o[%g], %[[S]] : f32
func.func @unseen_zero_sign(%out: !st.buffer<4xf32>, %x: !st.buffer<4xf32>) {
  uop.kernel "k" (%out, %x) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %a: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %acc = uop.define_acc 0.0 : f32
    %r = uop.range 0, 4 : i32
    %v = uop.load %a[%r] : f32
    %w = uop.load %a[%g] : f32
    %z = uop.const 0.0 : f32
    %s = uop.add %v, %z : f32
    %p = uop.mul %s, %w : f32
    %t = uop.add %acc, %p : f32
    uop.assign %acc, %t : f32
    uop.endrange %r
    %v2 = uop.load %a[%g] : f32
    %z2 = uop.const 0.0 : f32
    %s2 = uop.add %v2, %z2 : f32
    uop.store %o[%g], %s2 : f32
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-simplify | filecheck %s
// CSE merges identical pure ops that are visible (same or enclosing loop scope), never ops that
// read an accumulator, never into a loop that has ended, never a load across a store to its
// buffer; dead pure ops go, effects (define_acc, assign, store, range, endrange) stay.

// CHECK-LABEL: func.func @cse
// CHECK:      %g = uop.special "gidx0" 4 : i32
// CHECK-NEXT: %c2 = uop.const 2 : i32
// CHECK-NEXT: %a1 = uop.mul %g, %c2 : i32
// commutative operands in either order are the same op: g*2 + 2*g -> g*2 + g*2 -> g*4
// CHECK-NEXT: %[[C4:.*]] = uop.const 4 : i32
// CHECK-NEXT: %[[G4:.*]] = uop.mul %g, %[[C4]] : i32
// CHECK-NEXT: uop.store %n[%g], %[[G4]] : i32
// CHECK-NEXT: %acc = uop.define_acc 0 : i32
// CHECK-NEXT: %unused = uop.define_acc 0 : i32
// CHECK-NEXT: %k = uop.range 0, 3 : i32
// CHECK-NEXT: %in1 = uop.add %k, %a1 : i32
// CHECK-NEXT: %r1 = uop.add %acc, %in1 : i32
// CHECK-NEXT: uop.assign %acc, %r1 : i32
// g*2 inside the loop reuses the one before it (so k + g*2 is %in1 again); the same expression
// of the accumulator after the assign reads a new value: not merged
// CHECK-NEXT: %r2 = uop.add %acc, %in1 : i32
// CHECK-NEXT: uop.assign %acc, %r2 : i32
// CHECK-NEXT: uop.endrange %k
// a second loop does not see the first loop's values
// CHECK-NEXT: %k2 = uop.range 0, 3 : i32
// CHECK-NEXT: %in2 = uop.add %k2, %a1 : i32
// CHECK-NEXT: %r3 = uop.add %acc, %in2 : i32
// CHECK-NEXT: uop.assign %acc, %r3 : i32
// CHECK-NEXT: uop.endrange %k2
// CHECK-NEXT: uop.store %n[%g], %acc : i32
// CHECK-NEXT: %l1 = uop.load %n[%g] : i32
// CHECK-NEXT: uop.store %n[%g], %l1 : i32
// CHECK-NEXT: %l3 = uop.load %n[%g] : i32
// CHECK-NEXT: %sum = uop.add %l1, %l3 : i32
// CHECK-NEXT: uop.store %n[%g], %sum : i32
// CHECK-NEXT: }
func.func @cse(%c: !st.buffer<4xi32>) {
  uop.kernel "k" (%c) : !st.buffer<4xi32> {
  ^bb0(%n: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %c2 = uop.const 2 : i32
    %c2b = uop.const 2 : i32
    %a1 = uop.mul %g, %c2 : i32
    %a2 = uop.mul %c2b, %g : i32
    %s = uop.add %a1, %a2 : i32
    uop.store %n[%g], %s : i32
    %dead = uop.mul %s, %s : i32
    %dead2 = uop.add %dead, %c2 : i32
    %acc = uop.define_acc 0 : i32
    %unused = uop.define_acc 0 : i32
    %k = uop.range 0, 3 : i32
    %in1 = uop.add %k, %a1 : i32
    %r1 = uop.add %acc, %in1 : i32
    uop.assign %acc, %r1 : i32
    %a3 = uop.mul %g, %c2b : i32
    %in1b = uop.add %k, %a3 : i32
    %r2 = uop.add %acc, %in1b : i32
    uop.assign %acc, %r2 : i32
    uop.endrange %k
    %k2 = uop.range 0, 3 : i32
    %in2 = uop.add %k2, %a1 : i32
    %r3 = uop.add %acc, %in2 : i32
    uop.assign %acc, %r3 : i32
    uop.endrange %k2
    uop.store %n[%g], %acc : i32
    %l1 = uop.load %n[%g] : i32
    %l2 = uop.load %n[%g] : i32
    uop.store %n[%g], %l2 : i32
    %l3 = uop.load %n[%g] : i32
    %sum = uop.add %l1, %l3 : i32
    uop.store %n[%g], %sum : i32
  }
  func.return
}

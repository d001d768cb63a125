// RUN: tinyir-opt %s -p 'uop-hoist' | filecheck %s
// RUN: tinyir-opt %s -p 'uop-hoist,uop-hoist' | filecheck %s
// What uop-hoist moves: pure ops (ALU ops, constants) whose operands are all defined outside their
// innermost loops go before the outermost loop they do not depend on; a second run changes nothing.
// What it leaves: loads, stores, accumulator reads (define_acc is rewritten by assign in the loop), and
// anything that reads a loop's counter.

// CHECK-LABEL: uop.kernel "k"
// the thread's row (lidx idiv 4) and its offset depend on no loop: before the outer loop
// CHECK:      %t = uop.special "lidx0" 64 : i32
// CHECK-NEXT: %acc = uop.define_acc 0.0 : f32
// CHECK-NEXT: %four = uop.const 4 : i32
// CHECK-NEXT: %row = uop.idiv %t, %four : i32
// CHECK-NEXT: %col = uop.mod %t, %four : i32
// CHECK-NEXT: %sixteen = uop.const 16 : i32
// CHECK-NEXT: %rowoff = uop.mul %row, %sixteen : i32
// CHECK-NEXT: %i = uop.range 0, 4 : i32
// the outer counter's part stays in the outer loop, out of the inner one
// CHECK-NEXT: %outer = uop.mul %i, %four : i32
// CHECK-NEXT: %base = uop.add %rowoff, %outer : i32
// CHECK-NEXT: %j = uop.range 0, 4 : i32
// CHECK-NEXT: %idx = uop.add %base, %j : i32
// CHECK-NEXT: %v = uop.load %x[%idx] : f32
// an op reading the accumulator stays, and so does everything after it
// CHECK-NEXT: %s = uop.add %acc, %v : f32
// CHECK-NEXT: uop.assign %acc, %s : f32
// CHECK-NEXT: uop.endrange %j
// CHECK-NEXT: uop.endrange %i
// CHECK-NEXT: uop.store %o[%t], %acc : f32
func.func @main(%a: !st.buffer<256xf32>) -> !st.buffer<64xf32> {
  %0 = st.alloc : !st.buffer<64xf32>
  uop.kernel "k"(%0, %a) : !st.buffer<64xf32>, !st.buffer<256xf32> {
  ^bb0(%o: !st.buffer<64xf32>, %x: !st.buffer<256xf32>):
    %t = uop.special "lidx0" 64 : i32
    %acc = uop.define_acc 0.0 : f32
    %i = uop.range 0, 4 : i32
    %j = uop.range 0, 4 : i32
    %four = uop.const 4 : i32
    %row = uop.idiv %t, %four : i32
    %col = uop.mod %t, %four : i32
    %sixteen = uop.const 16 : i32
    %rowoff = uop.mul %row, %sixteen : i32
    %outer = uop.mul %i, %four : i32
    %base = uop.add %rowoff, %outer : i32
    %idx = uop.add %base, %j : i32
    %v = uop.load %x[%idx] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %j
    uop.endrange %i
    uop.store %o[%t], %acc : f32
  }
  func.return %0 : !st.buffer<64xf32>
}

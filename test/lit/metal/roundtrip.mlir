// RUN: %roundtrip
// Every metal op in its custom form survives printing generic and parsing back.

// CHECK-LABEL: func.func @all_ops
// CHECK:         metal.kernel "k0" msl "3.1" grid [4, 2] (%o, %a) : !st.buffer<2x4xf32>, !st.buffer<2x4xi32> {
// CHECK-NEXT:    ^bb0(%po: !st.buffer<2x4xf32>, %pa: !st.buffer<2x4xi32>):
// CHECK-NEXT:      %x = metal.thread_position 0 : i32
// CHECK-NEXT:      %y = metal.thread_position 1 : i32
// CHECK-NEXT:      %four = metal.const 4 : i32
// CHECK-NEXT:      %row = metal.binary "*" %y, %four : i32
// CHECK-NEXT:      %i = metal.binary "+" %row, %x : i32
// CHECK-NEXT:      %t = metal.const true : i1
// CHECK-NEXT:      %n = metal.load %pa[%i] if %t : !st.buffer<2x4xi32> -> i32
// CHECK-NEXT:      %acc = metal.var -inf : f32
// CHECK-NEXT:      %k = metal.for 0 to 3 : i32
// CHECK-NEXT:      %f = metal.convert %n : i32 to f32
// CHECK-NEXT:      %s = metal.call "sqrt"(%f) : f32 -> f32
// CHECK-NEXT:      %lt = metal.compare "<" %s, %f : f32
// CHECK-NEXT:      %neg = metal.unary "-" %s : f32
// CHECK-NEXT:      %sel = metal.select %lt, %s, %neg : f32
// CHECK-NEXT:      metal.assign %acc, %sel : f32
// CHECK-NEXT:      metal.endfor %k
// CHECK-NEXT:      %bits = metal.as_type %acc : f32 to i32
// CHECK-NEXT:      %back = metal.as_type %bits : i32 to f32
// CHECK-NEXT:      metal.store %po[%i], %back if %t : !st.buffer<2x4xf32>, f32
// CHECK-NEXT:    }
func.func @all_ops(%o: !st.buffer<2x4xf32>, %a: !st.buffer<2x4xi32>) {
  metal.kernel "k0" msl "3.1" grid [4, 2] (%o, %a) : !st.buffer<2x4xf32>, !st.buffer<2x4xi32> {
  ^bb0(%po: !st.buffer<2x4xf32>, %pa: !st.buffer<2x4xi32>):
    %x = metal.thread_position 0 : i32
    %y = metal.thread_position 1 : i32
    %four = metal.const 4 : i32
    %row = metal.binary "*" %y, %four : i32
    %i = metal.binary "+" %row, %x : i32
    %t = metal.const true : i1
    %n = metal.load %pa[%i] if %t : !st.buffer<2x4xi32> -> i32
    %acc = metal.var -inf : f32
    %k = metal.for 0 to 3 : i32
    %f = metal.convert %n : i32 to f32
    %s = metal.call "sqrt"(%f) : f32 -> f32
    %lt = metal.compare "<" %s, %f : f32
    %neg = metal.unary "-" %s : f32
    %sel = metal.select %lt, %s, %neg : f32
    metal.assign %acc, %sel : f32
    metal.endfor %k
    %bits = metal.as_type %acc : f32 to i32
    %back = metal.as_type %bits : i32 to f32
    metal.store %po[%i], %back if %t : !st.buffer<2x4xf32>, f32
  }
  func.return
}

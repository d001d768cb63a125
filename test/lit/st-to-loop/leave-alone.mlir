// RUN: tinyir-opt %s -p shapetracker-to-loop | filecheck %s
// Host ops and kernels of other levels are left alone.

// CHECK-LABEL: func.func @host_only
// CHECK-NEXT:    %t = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    %c = st.buffer_constant dense<[1.0, 2.0]> : !st.buffer<2xf32>
// CHECK-NEXT:    uop.kernel "done"(%t) : !st.buffer<4xf32> {
// CHECK-NEXT:    ^bb0(%o: !st.buffer<4xf32>):
// CHECK-NEXT:      %g = uop.special "gidx0" 4 : i32
// CHECK-NEXT:      %z = uop.const 0.0 : f32
// CHECK-NEXT:      uop.store %o[%g], %z : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %t : !st.buffer<4xf32>
func.func @host_only() -> !st.buffer<4xf32> {
  %t = st.alloc : !st.buffer<4xf32>
  %c = st.buffer_constant dense<[1.0, 2.0]> : !st.buffer<2xf32>
  uop.kernel "done" (%t) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %z = uop.const 0.0 : f32
    uop.store %o[%g], %z : f32
  }
  func.return %t : !st.buffer<4xf32>
}

// RUN: tinyir-opt %s | filecheck %s
// RUN: tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s
// Every st op, type and attribute in its custom syntax; printed back identically, also after a
// trip through the generic form.

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x4xf32>, %b: !st.buffer<4xf32>) -> !st.buffer<4x4xf32> {
// CHECK-NEXT:    %t = st.alloc : !st.buffer<4x4xf32>
// CHECK-NEXT:    %c = st.buffer_constant dense<[1.0, 2.5, -3.0, 4.0]> : !st.buffer<4xf32>
// CHECK-NEXT:    %m = st.buffer_constant dense<{{\[\[}}true, false], [false, true]]> : !st.buffer<2x2xi1>
// CHECK-NEXT:    %s = st.buffer_constant dense<7> : !st.buffer<i32>
// CHECK-NEXT:    st.kernel "k0"(%t, %a, %b, %c) : !st.buffer<4x4xf32>, !st.buffer<4x4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
// CHECK-NEXT:    ^bb0(%o: !st.buffer<4x4xf32>, %x: !st.buffer<4x4xf32>, %y: !st.buffer<4xf32>, %z: !st.buffer<4xf32>):
// CHECK-NEXT:      %v = st.load %x [#st.view<[4, 4], [1, 4], 0>] : tensor<4x4xf32>
// CHECK-NEXT:      %w = st.load %y [#st.view<[6, 4], [0, 1], 0, {{\[\[}}1, 5], [0, 4]]>, #st.view<[4, 4], [4, 1], 4>] : tensor<4x4xf32>
// CHECK-NEXT:      %f = st.load %z [#st.view<[4, 4], [0, -1], 3>] : tensor<4x4xf32>
// CHECK-NEXT:      %i = st.arange [#st.view<[4, 4], [0, 1], 0>] : tensor<4x4xi32>
// CHECK-NEXT:      %one = st.const 1.0 [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xf32>
// CHECK-NEXT:      %low = st.const -inf [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xf32>
// CHECK-NEXT:      %yes = st.const true [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xi1>
// CHECK-NEXT:      %neg = st.const -3 [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xi32>
// CHECK-NEXT:      %sum = tir.add %v, %w : tensor<4x4xf32>
// CHECK-NEXT:      st.store %o [#st.view<[4, 4], [4, 1], 0>], %sum : tensor<4x4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %t : !st.buffer<4x4xf32>
func.func @main(%a: !st.buffer<4x4xf32>, %b: !st.buffer<4xf32>) -> !st.buffer<4x4xf32> {
  %t = st.alloc : !st.buffer<4x4xf32>
  %c = st.buffer_constant dense<[1.0, 2.5, -3.0, 4.0]> : !st.buffer<4xf32>
  %m = st.buffer_constant dense<[[true, false], [false, true]]> : !st.buffer<2x2xi1>
  %s = st.buffer_constant dense<7> : !st.buffer<i32>
  st.kernel "k0" (%t, %a, %b, %c) : !st.buffer<4x4xf32>, !st.buffer<4x4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4x4xf32>, %x: !st.buffer<4x4xf32>, %y: !st.buffer<4xf32>, %z: !st.buffer<4xf32>):
    %v = st.load %x [#st.view<[4, 4], [1, 4], 0>] : tensor<4x4xf32>
    %w = st.load %y [#st.view<[6, 4], [0, 1], 0, [[1, 5], [0, 4]]>, #st.view<[4, 4], [4, 1], 4>] : tensor<4x4xf32>
    %f = st.load %z [#st.view<[4, 4], [0, -1], 3>] : tensor<4x4xf32>
    %i = st.arange [#st.view<[4, 4], [0, 1], 0>] : tensor<4x4xi32>
    %one = st.const 1.0 [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xf32>
    %low = st.const -inf [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xf32>
    %yes = st.const true [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xi1>
    %neg = st.const -3 [#st.view<[4, 4], [0, 0], 0>] : tensor<4x4xi32>
    %sum = tir.add %v, %w : tensor<4x4xf32>
    st.store %o [#st.view<[4, 4], [4, 1], 0>], %sum : tensor<4x4xf32>
  }
  func.return %t : !st.buffer<4x4xf32>
}

// A rank-0 kernel: scalar buffers and empty views.
// CHECK-LABEL: func.func @scalar
// CHECK:         st.load %x [#st.view<[], [], 0>] : tensor<f16>
// CHECK:         st.store %o [#st.view<[], [], 0>], %v : tensor<f16>
func.func @scalar(%a: !st.buffer<f16>) -> !st.buffer<f16> {
  %t = st.alloc : !st.buffer<f16>
  st.kernel "k1" (%t, %a) : !st.buffer<f16>, !st.buffer<f16> {
  ^bb0(%o: !st.buffer<f16>, %x: !st.buffer<f16>):
    %v = st.load %x [#st.view<[], [], 0>] : tensor<f16>
    st.store %o [#st.view<[], [], 0>], %v : tensor<f16>
  }
  func.return %t : !st.buffer<f16>
}

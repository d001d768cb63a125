// RUN: tinyir-opt %s -p fold-views | filecheck %s
// Before the reduce, movements sink through elementwise ops to the leaves. A pad sinks plainly
// only through ops with f(0) = 0 by the ALU table; exp2/log2/recip get a where.

// CHECK-LABEL: func.func @permute_sinks
// CHECK:         %p = st.load %x [#st.view<[3, 2], [1, 3], 0>] : tensor<3x2xf32>
// CHECK-NEXT:    %p_1 = st.load %y [#st.view<[3, 2], [1, 0], 0>] : tensor<3x2xf32>
// CHECK-NEXT:    %p_2 = tir.cmplt %p, %p_1 : tensor<3x2xf32>
// CHECK-NEXT:    st.store %o [#st.view<[3, 2], [2, 1], 0>], %p_2 : tensor<3x2xi1>
func.func @permute_sinks(%a: !st.buffer<2x3xf32>, %b: !st.buffer<1x3xf32>) -> !st.buffer<3x2xi1> {
  %t = st.alloc : !st.buffer<3x2xi1>
  st.kernel "k0" (%t, %a, %b) : !st.buffer<3x2xi1>, !st.buffer<2x3xf32>, !st.buffer<1x3xf32> {
  ^bb0(%o: !st.buffer<3x2xi1>, %x: !st.buffer<2x3xf32>, %y: !st.buffer<1x3xf32>):
    %v = st.load %x [#st.view<[2, 3], [3, 1], 0>] : tensor<2x3xf32>
    %w = st.load %y [#st.view<[2, 3], [0, 1], 0>] : tensor<2x3xf32>
    %c = tir.cmplt %v, %w : tensor<2x3xf32>
    %p = tir.permute %c [1, 0] : tensor<2x3xi1> -> tensor<3x2xi1>
    st.store %o [#st.view<[3, 2], [2, 1], 0>], %p : tensor<3x2xi1>
  }
  func.return %t : !st.buffer<3x2xi1>
}

// CHECK-LABEL: func.func @pad_of_zero_preserving_op
// CHECK:         %p = st.load %x [#st.view<[6], [1], -1, {{\[\[}}1, 5]]>] : tensor<6xf32>
// CHECK-NEXT:    %p_1 = tir.neg %p : tensor<6xf32>
// CHECK-NEXT:    st.store
func.func @pad_of_zero_preserving_op(%a: !st.buffer<4xf32>) -> !st.buffer<6xf32> {
  %t = st.alloc : !st.buffer<6xf32>
  st.kernel "k1" (%t, %a) : !st.buffer<6xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<6xf32>, %x: !st.buffer<4xf32>):
    %v = st.load %x [#st.view<[4], [1], 0>] : tensor<4xf32>
    %n = tir.neg %v : tensor<4xf32>
    %p = tir.pad %n [[1, 1]] : tensor<4xf32> -> tensor<6xf32>
    st.store %o [#st.view<[6], [1], 0>], %p : tensor<6xf32>
  }
  func.return %t : !st.buffer<6xf32>
}

// CHECK-LABEL: func.func @pad_of_exp2
// CHECK:         %p = st.const true [#st.view<[6], [0], 0, {{\[\[}}1, 5]]>] : tensor<6xi1>
// CHECK-NEXT:    %p_1 = st.load %x [#st.view<[6], [1], -1, {{\[\[}}1, 5]]>] : tensor<6xf32>
// CHECK-NEXT:    %p_2 = tir.exp2 %p_1 : tensor<6xf32>
// CHECK-NEXT:    %p_3 = st.const 0.0 [#st.view<[6], [0], 0>] : tensor<6xf32>
// CHECK-NEXT:    %p_4 = tir.where %p, %p_2, %p_3 : tensor<6xf32>
// CHECK-NEXT:    st.store %o [#st.view<[6], [1], 0>], %p_4 : tensor<6xf32>
func.func @pad_of_exp2(%a: !st.buffer<4xf32>) -> !st.buffer<6xf32> {
  %t = st.alloc : !st.buffer<6xf32>
  st.kernel "k2" (%t, %a) : !st.buffer<6xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<6xf32>, %x: !st.buffer<4xf32>):
    %v = st.load %x [#st.view<[4], [1], 0>] : tensor<4xf32>
    %e = tir.exp2 %v : tensor<4xf32>
    %p = tir.pad %e [[1, 1]] : tensor<4xf32> -> tensor<6xf32>
    st.store %o [#st.view<[6], [1], 0>], %p : tensor<6xf32>
  }
  func.return %t : !st.buffer<6xf32>
}

// idiv (and mod) by 0 is 0 by the ALU table, so the padded 0 / 0 reads 0: the pad sinks plainly.
// CHECK-LABEL: func.func @pad_of_idiv
// CHECK:         %p = st.load %x [#st.view<[5], [1], 0, {{\[\[}}0, 4]]>] : tensor<5xi32>
// CHECK-NEXT:    %p_1 = st.load %y [#st.view<[5], [1], 0, {{\[\[}}0, 4]]>] : tensor<5xi32>
// CHECK-NEXT:    %p_2 = tir.idiv %p, %p_1 : tensor<5xi32>
// CHECK-NEXT:    st.store %o [#st.view<[5], [1], 0>], %p_2 : tensor<5xi32>
func.func @pad_of_idiv(%a: !st.buffer<4xi32>, %b: !st.buffer<4xi32>) -> !st.buffer<5xi32> {
  %t = st.alloc : !st.buffer<5xi32>
  st.kernel "k3" (%t, %a, %b) : !st.buffer<5xi32>, !st.buffer<4xi32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<5xi32>, %x: !st.buffer<4xi32>, %y: !st.buffer<4xi32>):
    %v = st.load %x [#st.view<[4], [1], 0>] : tensor<4xi32>
    %w = st.load %y [#st.view<[4], [1], 0>] : tensor<4xi32>
    %q = tir.idiv %v, %w : tensor<4xi32>
    %p = tir.pad %q [[0, 1]] : tensor<4xi32> -> tensor<5xi32>
    st.store %o [#st.view<[5], [1], 0>], %p : tensor<5xi32>
  }
  func.return %t : !st.buffer<5xi32>
}

// RUN: tinyir-opt %s -p fold-views | filecheck %s
// Movement ops of leaves become shapetracker algebra on the leaf; the old leaf and movement go away.

// CHECK-LABEL: func.func @each_movement
// CHECK:         ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>, %y: !st.buffer<3xf32>):
// CHECK-NEXT:      %p = st.load %x [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
// CHECK-NEXT:      %f = st.load %x [#st.view<[4, 3], [-1, 4], 3>] : tensor<4x3xf32>
// CHECK-NEXT:      %e = st.load %y [#st.view<[4, 3], [0, 1], 0>] : tensor<4x3xf32>
// CHECK-NEXT:      %d = st.load %x [#st.view<[4, 3], [4, 1], -3, {{\[\[}}1, 4], [0, 3]]>] : tensor<4x3xf32>
// CHECK-NEXT:      %s0 = tir.add %p, %f : tensor<4x3xf32>
// CHECK-NEXT:      %s1 = tir.add %s0, %e : tensor<4x3xf32>
// CHECK-NEXT:      %s2 = tir.add %s1, %d : tensor<4x3xf32>
// CHECK-NEXT:      st.store %o [#st.view<[4, 3], [3, 1], 0>], %s2 : tensor<4x3xf32>
// CHECK-NEXT:    }
func.func @each_movement(%a: !st.buffer<3x4xf32>, %b: !st.buffer<3xf32>) -> !st.buffer<4x3xf32> {
  %t = st.alloc : !st.buffer<4x3xf32>
  st.kernel "k0" (%t, %a, %b) : !st.buffer<4x3xf32>, !st.buffer<3x4xf32>, !st.buffer<3xf32> {
  ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>, %y: !st.buffer<3xf32>):
    %v = st.load %x [#st.view<[3, 4], [4, 1], 0>] : tensor<3x4xf32>
    // permute: result dim i = input dim perm[i]
    %p = tir.permute %v [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
    // flip of the permuted load: negative stride, offset at the far end
    %f = tir.flip %p [0] : tensor<4x3xf32>
    // reshape + expand: a broadcast row
    %w = st.load %y [#st.view<[3], [1], 0>] : tensor<3xf32>
    %r = tir.reshape %w : tensor<3xf32> -> tensor<1x3xf32>
    %e = tir.expand %r : tensor<1x3xf32> -> tensor<4x3xf32>
    // shrink then pad: a masked view
    %k = tir.shrink %v [[0, 3], [1, 4]] : tensor<3x4xf32> -> tensor<3x3xf32>
    %d = tir.pad %k [[1, 0], [0, 0]] : tensor<3x3xf32> -> tensor<4x3xf32>
    %s0 = tir.add %p, %f : tensor<4x3xf32>
    %s1 = tir.add %s0, %e : tensor<4x3xf32>
    %s2 = tir.add %s1, %d : tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>], %s2 : tensor<4x3xf32>
  }
  func.return %t : !st.buffer<4x3xf32>
}

// A reshape one view cannot express stacks a second view; arange and const leaves fold the same way.
// CHECK-LABEL: func.func @stacked_and_other_leaves
// CHECK:         %q = st.load %x [#st.view<[4, 3], [1, 4], 0>, #st.view<[12], [1], 0>] : tensor<12xf32>
// CHECK-NEXT:    %i = st.arange [#st.view<[12], [0], 0, {{\[\[}}2, 3]]>] : tensor<12xf32>
// CHECK-NEXT:    %c = st.const 2.0 [#st.view<[12], [0], 0>] : tensor<12xf32>
func.func @stacked_and_other_leaves(%a: !st.buffer<3x4xf32>) -> !st.buffer<12xf32> {
  %t = st.alloc : !st.buffer<12xf32>
  st.kernel "k1" (%t, %a) : !st.buffer<12xf32>, !st.buffer<3x4xf32> {
  ^bb0(%o: !st.buffer<12xf32>, %x: !st.buffer<3x4xf32>):
    %v = st.load %x [#st.view<[3, 4], [4, 1], 0>] : tensor<3x4xf32>
    %p = tir.permute %v [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
    %q = tir.reshape %p : tensor<4x3xf32> -> tensor<12xf32>
    %a0 = st.arange [#st.view<[1], [0], 0>] : tensor<1xf32>
    %i = tir.pad %a0 [[2, 9]] : tensor<1xf32> -> tensor<12xf32>
    %c0 = st.const 2.0 [#st.view<[1], [0], 0>] : tensor<1xf32>
    %c = tir.expand %c0 : tensor<1xf32> -> tensor<12xf32>
    %s = tir.add %q, %i : tensor<12xf32>
    %m = tir.mul %s, %c : tensor<12xf32>
    st.store %o [#st.view<[12], [1], 0>], %m : tensor<12xf32>
  }
  func.return %t : !st.buffer<12xf32>
}

// Leaves and stores whose views merge (or are not in canonical form) get the simplified tracker.
// CHECK-LABEL: func.func @simplify
// CHECK:         %v = st.load %x [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
// CHECK-NEXT:    st.store %o [#st.view<[4, 3], [3, 1], 0>], %v : tensor<4x3xf32>
func.func @simplify(%a: !st.buffer<3x4xf32>) -> !st.buffer<4x3xf32> {
  %t = st.alloc : !st.buffer<4x3xf32>
  st.kernel "k2" (%t, %a) : !st.buffer<4x3xf32>, !st.buffer<3x4xf32> {
  ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>):
    %v = st.load %x [#st.view<[12], [1], 0>, #st.view<[4, 3], [1, 4], 0, [[0, 4], [0, 3]]>] : tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>, #st.view<[4, 3], [3, 1], 0>], %v : tensor<4x3xf32>
  }
  func.return %t : !st.buffer<4x3xf32>
}

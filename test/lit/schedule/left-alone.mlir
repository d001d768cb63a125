// RUN: tinyir-opt %s --split-input-file -p schedule-kernels | filecheck %s
// RUN: tinyir-opt %s --split-input-file -p schedule-kernels,schedule-kernels | filecheck %s --check-prefix=TWICE
// Already-scheduled IR (buffers and kernels, no tir op on the host side) and a function without
// tensor ops are left alone; scheduling twice gives the same IR as scheduling once.

func.func @main(%a: !st.buffer<4xf32>) -> !st.buffer<4xf32> {
  %0 = st.alloc : !st.buffer<4xf32>
  st.kernel "k0"(%0, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %in: !st.buffer<4xf32>):
    %x = st.load %in [#st.view<[4], [1], 0>] : tensor<4xf32>
    %r = tir.reshape %x : tensor<4xf32> -> tensor<2x2xf32>
    %c = st.const 2.0 [#st.view<[2, 2], [0, 0], 0>] : tensor<2x2xf32>
    %y = tir.mul %r, %c : tensor<2x2xf32>
    %z = tir.reshape %y : tensor<2x2xf32> -> tensor<4xf32>
    st.store %out [#st.view<[4], [1], 0>], %z : tensor<4xf32>
  }
  func.return %0 : !st.buffer<4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4xf32>) -> !st.buffer<4xf32>
// CHECK-NEXT:    %0 = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%0, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<4xf32>, %in: !st.buffer<4xf32>):
// CHECK-NEXT:      %x = st.load %in [#st.view<[4], [1], 0>] : tensor<4xf32>
// CHECK-NEXT:      %r = tir.reshape %x : tensor<4xf32> -> tensor<2x2xf32>
// CHECK-NEXT:      %c = st.const 2.0 [#st.view<[2, 2], [0, 0], 0>] : tensor<2x2xf32>
// CHECK-NEXT:      %y = tir.mul %r, %c : tensor<2x2xf32>
// CHECK-NEXT:      %z = tir.reshape %y : tensor<2x2xf32> -> tensor<4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4], [1], 0>], %z : tensor<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %0 : !st.buffer<4xf32>

// -----

func.func @main() {
  func.return
}

// CHECK-LABEL: func.func @main() {
// CHECK-NEXT:    func.return
// CHECK-NEXT:  }

// -----

func.func @main(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %i = tir.iota 0 : tensor<4xf32>
  %o = tir.add %s, %i : tensor<4xf32>
  func.return %o : tensor<4xf32>
}

// TWICE:         func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<4xf32>
// TWICE-NEXT:    %[[OUT:.*]] = st.alloc : !st.buffer<4xf32>
// TWICE-NEXT:    st.kernel "k0"(%[[OUT]], %a)
// TWICE-NEXT:    ^bb0(
// TWICE-NEXT:      %[[A:.*]] = st.load
// TWICE-NEXT:      %s = tir.reduce_sum %[[A]] [1] : tensor<4x8xf32> -> tensor<4x1xf32>
// TWICE-NEXT:      %[[S:.*]] = tir.reshape %s : tensor<4x1xf32> -> tensor<4xf32>
// TWICE-NEXT:      %i = st.arange [#st.view<[4], [1], 0>] : tensor<4xf32>
// TWICE-NEXT:      %o = tir.add %[[S]], %i : tensor<4xf32>
// TWICE-NEXT:      st.store %out [#st.view<[4], [1], 0>], %o : tensor<4xf32>
// TWICE-NEXT:    }
// TWICE-NEXT:    func.return %[[OUT]] : !st.buffer<4xf32>

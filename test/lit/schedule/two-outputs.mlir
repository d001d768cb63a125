// RUN: tinyir-opt %s --split-input-file -p schedule-kernels | filecheck %s
// Two outputs sharing a reduce: the reduce is realized once (3 kernels). Two outputs sharing an
// elementwise op: it is recomputed in each output's kernel (2 kernels).

func.func @main(%a: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %x = tir.exp2 %s : tensor<4xf32>
  %y = tir.neg %s : tensor<4xf32>
  func.return %x, %y : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @main(%a: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tir.exp2 %a : tensor<4x4xf32>
  %x = tir.neg %e : tensor<4x4xf32>
  %y = tir.sqrt %e : tensor<4x4xf32>
  func.return %x, %y : tensor<4x4xf32>, tensor<4x4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>) -> (!st.buffer<4xf32>, !st.buffer<4xf32>)
// CHECK-NEXT:    %[[S:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[S]], %a)
// CHECK:           %s = tir.reduce_sum
// CHECK:         %[[X:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[X]], %[[S]])
// CHECK-NOT:       tir.reduce_sum
// CHECK:           %x = tir.exp2 %s : tensor<4xf32>
// CHECK:         %[[Y:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k2"(%[[Y]], %[[S]])
// CHECK-NOT:       tir.reduce_sum
// CHECK:           %y = tir.neg %s : tensor<4xf32>
// CHECK:         func.return %[[X]], %[[Y]] : !st.buffer<4xf32>, !st.buffer<4xf32>

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x4xf32>) -> (!st.buffer<4x4xf32>, !st.buffer<4x4xf32>)
// CHECK-NEXT:    %[[X:.*]] = st.alloc : !st.buffer<4x4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[X]], %a)
// CHECK:           %e = tir.exp2
// CHECK-NEXT:      %x = tir.neg %e
// CHECK:         %[[Y:.*]] = st.alloc : !st.buffer<4x4xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[Y]], %a)
// CHECK:           %e = tir.exp2
// CHECK-NEXT:      %y = tir.sqrt %e
// CHECK:         func.return %[[X]], %[[Y]]

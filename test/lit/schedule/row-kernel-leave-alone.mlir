// RUN: tinyir-opt %s --split-input-file -p schedule-kernels | filecheck %s
// Not row kernels: a movement other than the row broadcast after a reduce (a permute), and a row
// broadcast into a shape that is not the reduce's input (pad then expand). The reduce is realized
// as before: two kernels each.

func.func @main(%x: tensor<4x5xf32>) -> tensor<5x4xf32> {
  %m = tir.reduce_max %x [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %me = tir.expand %m : tensor<4x1xf32> -> tensor<4x5xf32>
  %d = tir.add %x, %me : tensor<4x5xf32>
  %p = tir.permute %d [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
  func.return %p : tensor<5x4xf32>
}

// CHECK-LABEL: func.func @main(%x: !st.buffer<4x5xf32>) -> !st.buffer<5x4xf32>
// CHECK:         st.kernel "k0"
// CHECK:           tir.reduce_max
// CHECK:         st.kernel "k1"
// CHECK-NOT:       tir.reduce_max
// CHECK:           tir.permute
// CHECK:         func.return

// -----

func.func @main(%x: tensor<4x5xf32>) -> tensor<4x7xf32> {
  %s = tir.reduce_sum %x [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %sp = tir.pad %s [[0, 0], [0, 0]] : tensor<4x1xf32> -> tensor<4x1xf32>
  %se = tir.expand %sp : tensor<4x1xf32> -> tensor<4x7xf32>
  %xp = tir.pad %x [[0, 0], [1, 1]] : tensor<4x5xf32> -> tensor<4x7xf32>
  %y = tir.mul %xp, %se : tensor<4x7xf32>
  func.return %y : tensor<4x7xf32>
}

// CHECK-LABEL: func.func @main(%x: !st.buffer<4x5xf32>) -> !st.buffer<4x7xf32>
// CHECK:         st.kernel "k0"
// CHECK:           tir.reduce_sum
// CHECK:         st.kernel "k1"
// CHECK-NOT:       tir.reduce_sum
// CHECK:         func.return

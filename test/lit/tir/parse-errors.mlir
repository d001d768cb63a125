// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s
// Malformed custom syntax is a located parse error, not a traceback.

func.func @pad_triple(%x: tensor<4xf32>) {
  // CHECK: parse-errors.mlir:{{[0-9]+}}:29: error: expected a [lo, hi] pair, got 3 integers
  %0 = tir.pad %x [[1, 2, 3]] : tensor<4xf32> -> tensor<10xf32>
  func.return
}

// -----

func.func @memref_operand(%x: memref<4xf32>) {
  // CHECK: parse-errors.mlir:{{[0-9]+}}:21: error: expected a tensor type, got memref<4xf32>
  %0 = tir.neg %x : memref<4xf32>
  func.return
}

// -----

func.func @const_hex_short() {
  // CHECK: parse-errors.mlir:{{[0-9]+}}:21: error: hex data of 8 bytes does not fill tensor<3xf32>
  %0 = tir.constant dense<"0x0000803F00000040"> : tensor<3xf32>
  func.return
}

// -----

func.func @const_not_dense() {
  // CHECK: parse-errors.mlir:{{[0-9]+}}:21: error: expected a dense<...> : tensor<...> value
  %0 = tir.constant 1.0 : f32
  func.return
}

// -----

func.func @iota_scalar() {
  // CHECK: parse-errors.mlir:{{[0-9]+}}:21: error: expected a tensor type, got f32
  %0 = tir.iota 0 : f32
  func.return
}

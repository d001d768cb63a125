// RUN: tinyir-opt %s --split-input-file -p test-arith-identities | filecheck %s
// RUN: not tinyir-opt %s --split-input-file --pass-pipeline='builtin.module(test-emit-diagnostics{op=arith.muli severity=error})' 2>&1 | filecheck %s --check-prefix=ERR

// Each chunk is processed on its own; outputs are joined with `// -----`.
// CHECK-LABEL: func.func @first
// CHECK:         func.return %a : i32
// CHECK:       // -----
// CHECK-LABEL: func.func @second
// CHECK-NEXT:    %z = arith.constant 0 : i32
// CHECK-NEXT:    func.return %z : i32

// Locations are the original file's lines; one chunk failing does not stop the next one.
// ERR: split-input-file.mlir:26:3: error: 'arith.muli' op here
// ERR: split-input-file.mlir:33:3: error: 'arith.muli' op here
// ERR: split-input-file.mlir:40:3: error: 'arith.muli' op here
func.func @first(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %0 = arith.addi %a, %z : i32
  func.return %0 : i32
}

// -----

func.func @second(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %0 = arith.muli %a, %z : i32
  func.return %0 : i32
}

// -----

func.func @third(%a: i32) -> i32 {
  %0 = arith.muli %a, %a : i32
  func.return %0 : i32
}

// -----

func.func @fourth(%a: i32) -> i32 {
  %0 = arith.muli %a, %a : i32
  func.return %0 : i32
}

// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s
// Malformed uop syntax is a located parse error, not a traceback.

func.func @f0(%buf: !st.buffer<4xi32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xi32>):
    // CHECK: parse-error.mlir:8:20: error: float literal 1.5 for non-float type i32
    %c = uop.const 1.5 : i32
  }
  func.return
}

// -----

func.func @f1(%buf: !st.buffer<4xi32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xi32>):
    %i = uop.const 0 : i32
    // CHECK: parse-error.mlir:20:{{[0-9]+}}: error: buffer %nowhere must be defined before its use
    %v = uop.load %nowhere[%i] : i32
  }
  func.return
}
// CHECK-NOT: Traceback

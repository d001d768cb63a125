// RUN: tinyir-opt %s --allow-unregistered-dialect | filecheck %s
// RUN: not tinyir-opt %s 2>&1 | filecheck %s --check-prefix=ERR

// CHECK: "mystery.op"() : () -> i32
// ERR: unregistered-dialect.mlir:7:20: error: Operation mystery.op is not registered
func.func @f() -> i32 {
  %0 = "mystery.op"() : () -> i32
  func.return %0 : i32
}

// RUN: tinyir-opt %s -p test-arith-identities,cse --mlir-print-ir-after-all --mlir-print-op-generic 2>&1 >/dev/null | filecheck %s

// One dump after each pass, in pipeline order (generic form when asked).
// CHECK:      // -----// IR Dump After test-arith-identities //----- //
// CHECK-NEXT: "builtin.module"() ({
// CHECK:      "func.return"(%a) : (i32) -> ()
// CHECK:      // -----// IR Dump After cse //----- //
// CHECK-NEXT: "builtin.module"() ({
func.func @f(%a: i32) -> i32 {
  %z = arith.constant 0 : i32
  %0 = arith.addi %a, %z : i32
  func.return %0 : i32
}

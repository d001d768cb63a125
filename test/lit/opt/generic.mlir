// RUN: tinyir-opt %s --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: %roundtrip

// GENERIC:      "func.func"() <{sym_name = "f", function_type = (i32) -> i32}> ({
// GENERIC:        %0 = "arith.addi"(%a, %a) <{overflowFlags = #arith.overflow<none>}> : (i32, i32) -> i32
// GENERIC:        "func.return"(%0) : (i32) -> ()

// CHECK-LABEL: func.func @f(%a: i32) -> i32 {
// CHECK-NEXT:    %0 = arith.addi %a, %a : i32
// CHECK-NEXT:    func.return %0 : i32
func.func @f(%a: i32) -> i32 {
  %0 = arith.addi %a, %a : i32
  func.return %0 : i32
}

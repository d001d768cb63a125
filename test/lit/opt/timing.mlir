// RUN: tinyir-opt %s -p test-arith-identities,cse --mlir-timing 2>&1 >/dev/null | filecheck %s

// CHECK:      ===-{{-+}}-===
// CHECK-NEXT: ... Execution time report ...
// CHECK-NEXT: ===-{{-+}}-===
// CHECK-NEXT:   Total Execution Time: {{[0-9]+\.[0-9]+}} seconds
// CHECK-EMPTY:
// CHECK-NEXT:   ----Wall Time----  ----Name----
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} ({{ *[0-9]+\.[0-9]}}%)  Pipeline parsing
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} ({{ *[0-9]+\.[0-9]}}%)  Parser
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} ({{ *[0-9]+\.[0-9]}}%)  Verifier
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} ({{ *[0-9]+\.[0-9]}}%)  test-arith-identities
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} ({{ *[0-9]+\.[0-9]}}%)  cse
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} ({{ *[0-9]+\.[0-9]}}%)  Output
// CHECK-NEXT:   {{[0-9]+\.[0-9]+}} (100.0%)  Total
func.func @f(%a: i32) -> i32 {
  func.return %a : i32
}

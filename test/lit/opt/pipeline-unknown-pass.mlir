// RUN: not tinyir-opt %s -p cse,no-such-pass 2>&1 | filecheck --strict-whitespace %s
// RUN: not tinyir-opt %s --pass-pipeline='builtin.module(cse,test-arith-identitys)' 2>&1 | filecheck --strict-whitespace %s --check-prefix=NEAR

// CHECK:      tinyir-opt: error: unknown pass 'no-such-pass'
// CHECK-NEXT: {{^}}  cse,no-such-pass
// CHECK-NEXT: {{^}}      ^
// NEAR: tinyir-opt: error: unknown pass 'test-arith-identitys' (did you mean 'test-arith-identities'?)
// CHECK-NOT: Traceback
func.func @f() {
  func.return
}

// RUN: tinyir-opt --list-passes | filecheck %s

// Every registered tinyir pass has a line: name, then its description (or why it is unavailable).
// CHECK:      tinyir passes:
// CHECK:        tensor-decompose {{ +}}{{.+}}
// CHECK:        uop-simplify {{ +}}{{.+}}
// CHECK:        test-emit-diagnostics  emit a diagnostic at every op of a given name (driver tests)
// CHECK-NEXT:     options: {op: str = 'func.return', severity: one of error|warning|remark = 'remark', message: str = 'here', limit: int = -1}
// CHECK-NEXT:   test-arith-identities  fold x+0, x*1 and x*0 on integers (driver tests)
// CHECK:      xDSL passes (also available; see xdsl-opt):
// CHECK-NEXT:   {{.*}}canonicalize, {{.*}}cse, {{.*}}dce,

// RUN: tinyir-opt --list-passes | filecheck %s
// RUN: tinyir-opt --list-xdsl-passes | filecheck %s --check-prefix=XDSL

// One line per registered tinyir pass: its name, then a one-line description (options in braces,
// or why the pass is unavailable). xDSL's own passes are listed by --list-xdsl-passes.
// CHECK:      {{^}}tensor-decompose {{ +}}{{.+}}
// CHECK:      {{^}}uop-simplify {{ +}}{{.+}}
// CHECK:      {{^}}test-emit-diagnostics {{ +}}emit a diagnostic at every op of a given name (driver tests) {op: str = 'func.return', severity: one of error|warning|remark = 'remark', message: str = 'here', limit: int = -1}
// CHECK-NEXT: {{^}}test-arith-identities {{ +}}fold x+0, x*1 and x*0 on integers (driver tests)
// CHECK-NOT:  {{^}}canonicalize
// XDSL:       {{^}}canonicalize{{$}}
// XDSL:       {{^}}cse{{$}}
// XDSL-NOT:   {{^}}tensor-decompose

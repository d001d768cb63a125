// RUN: not tinyir-opt %s --pass-pipeline='builtin.module(cse' 2>&1 | filecheck --strict-whitespace %s --check-prefix=PAREN
// RUN: not tinyir-opt %s --pass-pipeline='builtin.module(cse{limit=1' 2>&1 | filecheck --strict-whitespace %s --check-prefix=BRACE
// RUN: not tinyir-opt %s -p 'cse,,dce' 2>&1 | filecheck --strict-whitespace %s --check-prefix=EMPTY
// RUN: not tinyir-opt %s -p 'cse)' 2>&1 | filecheck --strict-whitespace %s --check-prefix=EXTRA
// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{message="open}' 2>&1 | filecheck --strict-whitespace %s --check-prefix=STRING
// RUN: not tinyir-opt %s -p cse --pass-pipeline='builtin.module(cse)' 2>&1 | filecheck --strict-whitespace %s --check-prefix=BOTH

// PAREN:      tinyir-opt: error: malformed pass pipeline: expected ',' or ')', found end of text
// PAREN-NEXT: {{^}}  builtin.module(cse
// PAREN-NEXT: {{^}}                    ^
// BRACE:  tinyir-opt: error: malformed pass pipeline: unterminated '{' in the options of 'cse'
// EMPTY:  tinyir-opt: error: malformed pass pipeline: expected a pass name, found ','
// EMPTY-NEXT: {{^}}  cse,,dce
// EMPTY-NEXT: {{^}}      ^
// EXTRA:  tinyir-opt: error: malformed pass pipeline: expected ',' or end of pipeline, found ')'
// STRING: tinyir-opt: error: malformed pass pipeline: unterminated string in pass options
// BOTH:   tinyir-opt: error: give either --pass-pipeline or -p, not both
func.func @f() {
  func.return
}

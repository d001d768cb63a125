// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{limit=many}' 2>&1 | filecheck %s --check-prefix=INT
// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{limit=true}' 2>&1 | filecheck %s --check-prefix=BOOL
// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{limit=1,2}' 2>&1 | filecheck %s --check-prefix=LIST
// RUN: not tinyir-opt %s -p 'test-emit-diagnostics{severity=fatal}' 2>&1 | filecheck %s --check-prefix=CHOICE
// RUN: not tinyir-opt %s -p 'scf-parallel-loop-tiling{parallel-loop-tile-sizes=4,x}' 2>&1 | filecheck %s --check-prefix=TUPLE

// INT:    tinyir-opt: error: option 'limit' of pass 'test-emit-diagnostics' expects int, got 'many'
// BOOL:   tinyir-opt: error: option 'limit' of pass 'test-emit-diagnostics' expects int, got 'true'
// LIST:   tinyir-opt: error: option 'limit' of pass 'test-emit-diagnostics' expects int, got '1,2'
// CHOICE: tinyir-opt: error: option 'severity' of pass 'test-emit-diagnostics' expects one of error|warning|remark, got 'fatal'
// TUPLE:  tinyir-opt: error: option 'parallel-loop-tile-sizes' of pass 'scf-parallel-loop-tiling' expects list of int, got '4,x'
func.func @f() {
  func.return
}

// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck --strict-whitespace %s

// Generic syntax: the failing op is found at any nesting depth.
// CHECK: verify-error-generic.mlir:9:5: error: 'arith.addi' op Expected 2 operands, but got 0
// CHECK-NEXT: {{^}}    %0 = "arith.addi"() : () -> i32
// CHECK-NEXT: {{^}}    ^
"builtin.module"() ({
  "func.func"() <{sym_name = "f", function_type = () -> i32}> ({
    %0 = "arith.addi"() : () -> i32
    "func.return"(%0) : (i32) -> ()
  }) : () -> ()
}) : () -> ()

// -----

// A block-level check is reported at the op that owns the block.
// CHECK: verify-error-generic.mlir:19:3: error: 'func.func' op Operation func.func contains empty block in single-block region that expects at least a terminator
"builtin.module"() ({
  "func.func"() <{sym_name = "g", function_type = () -> ()}> ({
  ^bb0:
  }) : () -> ()
}) : () -> ()

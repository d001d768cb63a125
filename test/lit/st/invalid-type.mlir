// RUN: not tinyir-opt %s 2>&1 | filecheck %s
// A buffer type with an element type tinyir does not have is rejected while parsing.

// CHECK: !st.buffer element type f64 is not one of f32, f16, i32, i8, ui8, i1
%t = st.alloc : !st.buffer<4xf64>

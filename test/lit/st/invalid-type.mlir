// RUN: not tinyir-opt %s 2>&1 | filecheck %s
// A buffer type with an element type tinyir does not have is rejected while parsing.

// CHECK: !st.buffer element type i128 is not one of f32, f16, i32, i8, ui8, i1, f64, bf16, i64, i16, ui16, ui32, ui64
%t = st.alloc : !st.buffer<4xi128>

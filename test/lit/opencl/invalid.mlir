// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per ocl verifier check.

func.func @param_not_buffer(%a: f32) {
  // expected-error@+1 {{expected an !st.buffer, got f32}}
  ocl.kernel "k" global [4] (%a) : f32 {
  ^bb0(%p: f32):
  }
  func.return
}

// -----

func.func @empty_grid(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.kernel: global sizes must be positive, got [0]}}
  ocl.kernel "k" global [0] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @id_outside_grid(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.get_global_id: dimension 1 is outside the kernel's 1-d global size}}
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_global_id 1 : i32
  }
  func.return
}

// -----

func.func @fourth_dim(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [1, 1, 1, 4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    // expected-error@+1 {{ocl.get_global_id: dimension must be 0, 1 or 2, got 3}}
    %g = ocl.get_global_id 3 : i32
  }
  func.return
}

// -----

func.func @crossed_loops(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.endfor: does not close the innermost open ocl.for}}
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %i = ocl.for 0 to 4 : i32
    %j = ocl.for 0 to 4 : i32
    ocl.endfor %i
    ocl.endfor %j
  }
  func.return
}

// -----

func.func @unclosed_loop(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.kernel: an ocl.for has no matching ocl.endfor}}
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %i = ocl.for 0 to 4 : i32
  }
  func.return
}

// -----

func.func @backwards_loop(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    // expected-error@+1 {{ocl.for: empty range 5 to 2}}
    %i = ocl.for 5 to 2 : i32
    ocl.endfor %i
  }
  func.return
}

// -----

func.func @endfor_of_a_value(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_global_id 0 : i32
    // expected-error@+1 {{ocl.endfor: operand must be the index of an ocl.for}}
    ocl.endfor %g
  }
  func.return
}

// -----

func.func @load_wrong_type(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_global_id 0 : i32
    // expected-error@+1 {{ocl.load: value type i32 does not match the buffer's element type f32}}
    %v = ocl.load %p[%g] : i32
  }
  func.return
}

// -----

func.func @store_bad_index(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_global_id 0 : i32
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.store: value type i32 does not match the buffer's element type f32}}
    ocl.store %p[%g], %g : i32
  }
  func.return
}

// -----

func.func @assign_to_value(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.assign: the first operand must be an ocl.var}}
    ocl.assign %x, %x : f32
  }
  func.return
}

// -----

func.func @rem_on_float(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.rem: type of the operands is f32, expected one of i32, ui32, i8, ui8}}
    %r = ocl.rem %x, %x : f32
  }
  func.return
}

// -----

func.func @not_on_int(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1 : i32
    // expected-error@+1 {{ocl.not: type of the operand is i32, expected one of i1}}
    %r = ocl.not %x : i32
  }
  func.return
}

// -----

func.func @unknown_builtin(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.call: unknown built-in 'cos'; known: copysign, exp2, fmax, fmin, fmod, log2, max, sin, sqrt}}
    %r = ocl.call "cos"(%x) : f32
  }
  func.return
}

// -----

func.func @builtin_arity(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.call: exp2 takes 1 argument(s), got 2}}
    %r = ocl.call "exp2"(%x, %x) : f32
  }
  func.return
}

// -----

func.func @fmax_on_ints(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1 : i32
    // expected-error@+1 {{ocl.call: type of the argument of fmax is i32, expected one of f32, f16}}
    %r = ocl.call "fmax"(%x, %x) : i32
  }
  func.return
}

// -----

func.func @as_type_width(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.as_type: f32 and i8 differ in width}}
    %r = ocl.as_type %x : f32 to i8
  }
  func.return
}

// -----

func.func @as_type_bool(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1 : i8
    // expected-error@+1 {{ocl.as_type: bool has no defined bit pattern; use ocl.convert}}
    %r = ocl.as_type %x : i8 to i1
  }
  func.return
}

// -----

func.func @no_f80(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ocl.const 1.0 : f32
    // expected-error@+1 {{ocl.convert: type of the result is f80, expected one of f32, f16, i32, ui32, i8, ui8, i1, f64, i64, ui64, i16, ui16, bf16}}
    %r = ocl.convert %x : f32 to f80
  }
  func.return
}

// -----

func.func @load_half_from_f32(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_global_id 0 : i32
    // expected-error@+1 {{ocl.load_half: needs an f16 buffer and an f32 value, got f32 and f32}}
    %v = ocl.load_half %p[%g] : f32
  }
  func.return
}

// -----

func.func @store_half_of_half(%a: !st.buffer<4xf16>) {
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf16> {
  ^bb0(%p: !st.buffer<4xf16>):
    %g = ocl.get_global_id 0 : i32
    %x = ocl.const 1.0 : f16
    // expected-error@+1 {{ocl.store_half: needs an f16 buffer and an f32 value, got f16 and f16}}
    ocl.store_half %p[%g], %x : f16
  }
  func.return
}

// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per llir verifier check.

func.func @param_not_pointer(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{kernel parameter 0 must be an !llir.ptr, got f32}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: f32):
    llir.ret
  }
  func.return
}

// -----

func.func @no_ret(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    // expected-error@+1 {{Operation llir.constant terminates block in single-block region but is not a terminator}}
    %c = llir.constant 1.0 : f32
  }
  func.return
}

// -----

func.func @unclosed_loop(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{llir.loop_begin is never closed}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %i = llir.loop_begin 0 to 4 : i32
    llir.ret
  }
  func.return
}

// -----

func.func @crossed_loops(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{llir.loop_end does not close the innermost open llir.loop_begin}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %i = llir.loop_begin 0 to 4 : i32
    %j = llir.loop_begin 0 to 4 : i32
    llir.loop_end %i : i32
    llir.loop_end %j : i32
    llir.ret
  }
  func.return
}

// -----

func.func @escaping_value(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{llir.store uses a value defined inside a loop or if that has ended}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %i = llir.loop_begin 0 to 4 : i32
    %q = llir.gep %p[%i] : !llir.ptr<f32>, i32
    %v = llir.load %q : !llir.ptr<f32> -> f32
    llir.loop_end %i : i32
    llir.store %v, %p : f32, !llir.ptr<f32>
    llir.ret
  }
  func.return
}

// -----

func.func @stray_if_end(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{llir.if_end does not close an open llir.if_begin}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    llir.if_end
    llir.ret
  }
  func.return
}

// -----

func.func @empty_loop() {
  llir.kernel "k" () global [1] {
  ^bb0:
    // expected-error@+1 {{empty loop: upper 0 <= lower 0}}
    %i = llir.loop_begin 0 to 0 : i32
    llir.loop_end %i : i32
    llir.ret
  }
  func.return
}

// -----

func.func @float_add_on_ints() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1 : i32
    // expected-error@+1 {{llir.fadd needs float operands, got i32}}
    %d = llir.fadd %c, %c : i32
    llir.ret
  }
  func.return
}

// -----

func.func @int_add_on_floats() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.sdiv needs int operands, got f32}}
    %d = llir.sdiv %c, %c : f32
    llir.ret
  }
  func.return
}

// -----

func.func @unsigned_value_type() {
  llir.kernel "k" () global [1] {
  ^bb0:
    // expected-error@+1 {{constant type must be a signless integer or float type, got ui8}}
    %c = llir.constant 1 : ui8
    llir.ret
  }
  func.return
}

// -----

func.func @bad_predicate() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.fcmp: unknown predicate 'slt'}}
    %d = llir.fcmp slt %c, %c : f32
    llir.ret
  }
  func.return
}

// -----

func.func @icmp_on_floats() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.icmp needs integer operands, got f32}}
    %d = llir.icmp eq %c, %c : f32
    llir.ret
  }
  func.return
}

// -----

func.func @ext_must_widen() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1 : i32
    // expected-error@+1 {{llir.sext: result width 8 must be wider than source width 32}}
    %d = llir.sext %c : i32 to i8
    llir.ret
  }
  func.return
}

// -----

func.func @fptrunc_must_narrow() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f16
    // expected-error@+1 {{llir.fptrunc: result width 32 must be narrower than source width 16}}
    %d = llir.fptrunc %c : f16 to f32
    llir.ret
  }
  func.return
}

// -----

func.func @sitofp_from_float() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.sitofp: source type must be int, got f32}}
    %d = llir.sitofp %c : f32 to f32
    llir.ret
  }
  func.return
}

// -----

func.func @bitcast_width() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.bitcast: source and result widths differ (32 vs 8)}}
    %d = llir.bitcast %c : f32 to i8
    llir.ret
  }
  func.return
}

// -----

func.func @load_wrong_type(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    // expected-error@+1 {{llir.load of !llir.ptr<f32> cannot give i32}}
    %v = llir.load %p : !llir.ptr<f32> -> i32
    llir.ret
  }
  func.return
}

// -----

func.func @store_wrong_type(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %c = llir.constant 1 : i8
    // expected-error@+1 {{llir.store of i8 through !llir.ptr<f32>}}
    llir.store %c, %p : i8, !llir.ptr<f32>
    llir.ret
  }
  func.return
}

// -----

func.func @call_not_intrinsic() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.call may only call LLVM intrinsics (llvm.*), got 'expf'}}
    %d = llir.call "expf"(%c) : (f32) -> f32
    llir.ret
  }
  func.return
}

// -----

func.func @loop_outside_kernel() {
  // expected-error@+1 {{'llir.loop_begin' expects parent op 'llir.kernel'}}
  %i = llir.loop_begin 0 to 4 : i32
  func.return
}

// -----

func.func @fastmath_on_ints() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1 : i32
    // expected-error@+1 {{llir.add: fastmath flags are for float instructions only}}
    %d = llir.add %c, %c {fastmath = "reassoc"} : i32
    llir.ret
  }
  func.return
}

// -----

func.func @unknown_fastmath() {
  llir.kernel "k" () global [1] {
  ^bb0:
    %c = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.fadd: unknown fastmath flags ['quick']}}
    %d = llir.fadd %c, %c {fastmath = "quick"} : f32
    llir.ret
  }
  func.return
}

// -----

func.func @foreign_op(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{kernel body may only hold llir ops, got arith.constant}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %c = arith.constant 1.0 : f32
    llir.ret
  }
  func.return
}

// -----

func.func @nested_parallel(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{a parallel llir.loop_begin must be at the top level of the kernel}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %i = llir.loop_begin 0 to 2 : i32
    %j = llir.loop_begin 0 to 2 {parallel} : i32
    llir.loop_end %j : i32
    llir.loop_end %i : i32
    llir.ret
  }
  func.return
}

// -----

func.func @two_parallel(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{a kernel has at most one parallel llir.loop_begin}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %i = llir.loop_begin 0 to 2 {parallel} : i32
    llir.loop_end %i : i32
    %j = llir.loop_begin 0 to 2 {parallel} : i32
    llir.loop_end %j : i32
    llir.ret
  }
  func.return
}

// -----

func.func @parallel_i64(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    // expected-error@+1 {{a parallel loop's induction variable must be i32 (its bounds are i32 parameters)}}
    %i = llir.loop_begin 0 to 2 {parallel} : i64
    llir.loop_end %i : i64
    llir.ret
  }
  func.return
}

// -----

func.func @bad_vectorize(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    // expected-error@+1 {{vectorize must be true or false, got 1 : i32}}
    %i = llir.loop_begin 0 to 2 {vectorize = 1 : i32} : i32
    llir.loop_end %i : i32
    llir.ret
  }
  func.return
}

// -----

func.func @overflow_on_float(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1.0 : f32
    // expected-error@+1 {{llir.fadd: overflow flags are for llir.add, llir.sub, llir.mul, llir.shl only}}
    %y = llir.fadd %x, %x {overflow = "nsw"} : f32
    llir.ret
  }
  func.return
}

// -----

func.func @unknown_overflow_flag(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1 : i32
    // expected-error@+1 {{llir.add: unknown overflow flags ['exact'] (known: nsw, nuw)}}
    %y = llir.add %x, %x {overflow = "exact"} : i32
    llir.ret
  }
  func.return
}

// -----

func.func @parallel_not_the_grid(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{the parallel loop must run over 0 to 4 (the last global_size entry), not 0 to 2}}
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [3, 4] {
  ^bb0(%p: !llir.ptr<f32>):
    %i = llir.loop_begin 0 to 2 {parallel} : i32
    llir.loop_end %i : i32
    llir.ret
  }
  func.return
}

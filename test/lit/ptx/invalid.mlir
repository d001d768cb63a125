// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per ptx verifier check.

func.func @bad_arch(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ptx.kernel: target sm_70 is not one of sm_80, sm_86, sm_89, sm_90, sm_90a}}
  ptx.kernel "k" target "sm_70" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @bad_version(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ptx.kernel: PTX version 9.1 is not one of 8.0}}
  ptx.kernel "k" target "sm_90" version "9.1" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @big_block(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ptx.kernel: a block has at most 1024 threads, got [2048, 1, 1]}}
  ptx.kernel "k" target "sm_90" version "8.0" global [4096] block [2048, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @missing_label(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ptx.bra: no label "L9" in kernel "k"}}
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    ptx.bra "L9"
  }
  func.return
}

// -----

func.func @wrong_register_class(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 1.0 : f32
    %y = ptx.const 2 : s32
    // expected-error@+1 {{ptx.add: operand 1 must be a f32 register, got i32}}
    %z = "ptx.add"(%x, %y) <{ty = "f32", operandSegmentSizes = array<i32: 2, 0>}> : (f32, i32) -> f32
  }
  func.return
}

// -----

func.func @int_mul_needs_half(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 3 : s32
    // expected-error@+1 {{ptx.mul.s32 needs a modifier, one of lo, hi, wide}}
    %y = ptx.mul %x, %x : s32
  }
  func.return
}

// -----

func.func @bad_modifier(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 3 : s32
    // expected-error@+1 {{ptx.add: modifier .rn is not allowed with .s32 (allowed: none)}}
    %y = ptx.add rn %x, %x : s32
  }
  func.return
}

// -----

func.func @cvt_needs_rounding(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 3.5 : f32
    // expected-error@+1 {{ptx.cvt .f32 to .s32 needs a rounding modifier, one of rni, rzi, rmi, rpi}}
    %y = ptx.cvt %x : f32 to s32
  }
  func.return
}

// -----

func.func @cvt_widening_takes_none(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 1.0 : f16
    // expected-error@+1 {{ptx.cvt .f16 to .f32 takes no rounding modifier, got .rn}}
    %y = ptx.cvt rn %x : f16 to f32
  }
  func.return
}

// -----

func.func @param_must_be_kernel_arg(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 0 : u64
    // expected-error@+1 {{ptx.ld: a .param access must name a parameter of the enclosing ptx.kernel}}
    %y = ptx.ld param %x : u64
  }
  func.return
}

// -----

func.func @global_needs_64bit_address(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 0 : s32
    // expected-error@+1 {{ptx.ld: a .global address must be an i64 register, got i32}}
    %y = ptx.ld global %x : f32
  }
  func.return
}

// -----

func.func @assign_needs_reg(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 0.0 : f32
    // expected-error@+1 {{ptx.assign: the first operand must be a ptx.reg register}}
    ptx.assign %x, %x : f32
  }
  func.return
}

// -----

func.func @bad_sreg(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    // expected-error@+1 {{ptx.sreg: unknown special register %laneid.x}}
    %x = ptx.sreg laneid.x : i32
  }
  func.return
}

// -----

func.func @mov_width(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %x = ptx.const 0.0 : f32
    // expected-error@+1 {{ptx.mov: moves bits between registers of one width, got f32 to i64}}
    %y = ptx.mov %x : f32 to i64
  }
  func.return
}

// -----

func.func @duplicate_label(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ptx.kernel: label "L0" is defined twice}}
  ptx.kernel "k" target "sm_90" version "8.0" global [4] block [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    ptx.label "L0"
    ptx.label "L0"
  }
  func.return
}

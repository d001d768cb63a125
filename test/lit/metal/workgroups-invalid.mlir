// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// Verifier checks of the metal threadgroup ops.

func.func @group_not_dividing(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{metal.kernel: threadgroup [3, 1, 1] must have 3 positive sizes, each dividing the 3-d grid (grid [4, 1, 1])}}
  metal.kernel "k" msl "3.0" grid [4, 1, 1] threadgroup [3, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @barrier_without_group(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{metal.barrier: needs a metal.kernel with a threadgroup}}
  metal.kernel "k" msl "3.0" grid [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    metal.barrier
  }
  func.return
}

// -----

func.func @gid_with_group(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{metal.thread_position: a kernel with a threadgroup reads the threadgroup positions instead}}
  metal.kernel "k" msl "3.0" grid [4, 1, 1] threadgroup [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = metal.thread_position 0 : i32
  }
  func.return
}

// -----

func.func @array_2d(%a: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4, 1, 1] threadgroup [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    // expected-error@+1 {{metal.threadgroup_array: needs a 1-D non-empty buffer type, got !st.buffer<2x2xf32>}}
    %t = metal.threadgroup_array : !st.buffer<2x2xf32>
  }
  func.return
}

// -----

func.func @position_dim(%a: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4, 1, 1] threadgroup [4, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    // expected-error@+1 {{metal.thread_position_in_threadgroup: dim must be 0, 1 or 2 (x, y, z), got 3}}
    %l = metal.thread_position_in_threadgroup 3 : i32
  }
  func.return
}

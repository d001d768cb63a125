// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// Verifier checks of the ptx work-group ops.

func.func @shared_2d(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_80" version "8.0" global [32, 1, 1] block [32, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{ptx.shared: needs a 1-D non-empty buffer type, got !st.buffer<2x2xf32>}}
    %s = ptx.shared !st.buffer<2x2xf32> : i64
  }
  func.return
}

// -----

func.func @shared_outside() {
  // expected-error@+1 {{ptx.shared: must be directly inside a ptx.kernel}}
  %s = ptx.shared !st.buffer<4xf32> : i64
  func.return
}

// -----

func.func @shared_in_loop(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ptx.shared: must come before the first label (not inside a loop)}}
  ptx.kernel "k" target "sm_80" version "8.0" global [32, 1, 1] block [32, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    ptx.label "L"
    %s = ptx.shared !st.buffer<4xf32> : i64
  }
  func.return
}

// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// Verifier checks of the llir ops work-group kernels use (llir.global_array, llir.fence, void calls).

func.func @array_outside() {
  // expected-error@+1 {{llir.global_array must be at the top level of an llir.kernel}}
  %a = llir.global_array 4 : !llir.ptr<f32, 3>
  func.return
}

// -----

func.func @array_empty(%b: !st.buffer<4xf32>) {
  llir.kernel "k" (%b) : !st.buffer<4xf32> global [1] {
  ^bb0(%p: !llir.ptr<f32>):
    // expected-error@+1 {{llir.global_array needs a positive size, got 0}}
    %a = llir.global_array 0 : !llir.ptr<f32, 3>
    llir.ret
  }
  func.return
}

// -----

func.func @fence_ordering(%b: !st.buffer<4xf32>) {
  llir.kernel "k" (%b) : !st.buffer<4xf32> global [1] {
  ^bb0(%p: !llir.ptr<f32>):
    // expected-error@+1 {{llir.fence ordering must be one of acquire, release, acq_rel, seq_cst, got 'monotonic'}}
    llir.fence monotonic "workgroup"
    llir.ret
  }
  func.return
}

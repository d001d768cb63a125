// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per verifier check of the ocl work-group ops.

func.func @local_not_dividing(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.kernel: local size [3] must have one positive entry per global dimension, each dividing it (global [4])}}
  ocl.kernel "k" global [4] local [3] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @local_wrong_rank(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.kernel: local size [4, 1] must have one positive entry per global dimension}}
  ocl.kernel "k" global [4] local [4, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----

func.func @barrier_without_local(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.barrier: needs an ocl.kernel with a local size}}
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    ocl.barrier
  }
  func.return
}

// -----

func.func @local_id_without_local(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.get_local_id: needs an ocl.kernel with a local size}}
  ocl.kernel "k" global [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %l = ocl.get_local_id 0 : i32
  }
  func.return
}

// -----

func.func @group_id_dim(%a: !st.buffer<4xf32>) {
  // expected-error@+1 {{ocl.get_group_id: dimension 1 is outside the kernel's 1-d global size}}
  ocl.kernel "k" global [4] local [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_group_id 1 : i32
  }
  func.return
}

// -----

func.func @local_array_2d(%a: !st.buffer<4xf32>) {
  ocl.kernel "k" global [4] local [4] (%a) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    // expected-error@+1 {{ocl.local_array: needs a 1-D non-empty buffer type, got !st.buffer<2x2xf32>}}
    %t = ocl.local_array : !st.buffer<2x2xf32>
  }
  func.return
}

// -----

func.func @local_array_outside() {
  // expected-error@+1 {{ocl.local_array: must be directly inside a ocl.kernel}}
  %t = ocl.local_array : !st.buffer<4xf32>
  func.return
}

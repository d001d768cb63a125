// RUN: tinyir-opt %s --split-input-file --verify-diagnostics -p uop-to-ptx
// What uop-to-ptx refuses, with the op it points at.

func.func @local_ids(%o: !st.buffer<4xf32>) {
  uop.kernel "k" (%o) : !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>):
    // expected-error@+1 {{uop-to-ptx: local indices (lidx0) are not supported yet; use global indices only}}
    %l = uop.special "lidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %out[%l], %c : f32
  }
  func.return
}

// -----

func.func @four_dims(%o: !st.buffer<4xf32>) {
  uop.kernel "k" (%o) : !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>):
    // expected-error@+1 {{uop-to-ptx: CUDA grids have 3 dimensions, got gidx3}}
    %g = uop.special "gidx3" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %out[%g], %c : f32
  }
  func.return
}

// RUN: tinyir-opt %s --split-input-file --verify-diagnostics -p uop-to-ptx
// What uop-to-ptx refuses, with the op it points at.

func.func @block_too_large(%o: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop-to-ptx: a work-group of [32, 64, 1] (lidx0, 1, 2) exceeds CUDA's block limit (1024 threads, [1024, 1024, 64] per dim)}}
  uop.kernel "k" (%o) : !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>):
    %y = uop.special "lidx1" 64 : i32
    %x = uop.special "lidx0" 32 : i32
    %c = uop.const 1.0 : f32
    uop.store %out[%x], %c : f32
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

// -----

func.func @shared_too_large(%o: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop-to-ptx: 233472 bytes of local memory exceed the 166912 bytes of shared memory a block may use on sm_80}}
  uop.kernel "k" (%o) : !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>):
    %x = uop.special "lidx0" 32 : i32
    %t = uop.define_local : !st.buffer<58368xf32>
    %c = uop.const 1.0 : f32
    uop.store %t[%x], %c : f32
    uop.barrier
    %v = uop.load %t[%x] : f32
    uop.store %out[%x], %v : f32
  }
  func.return
}

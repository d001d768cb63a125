// RUN: tinyir-opt %s --split-input-file --verify-diagnostics -p uop-to-opencl
// What uop-to-opencl refuses, with the op it points at.

func.func @four_dims(%o: !st.buffer<4xf32>) {
  uop.kernel "k" (%o) : !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf32>):
    // expected-error@+1 {{uop-to-opencl: OpenCL has 3 global dimensions, got gidx3}}
    %g = uop.special "gidx3" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %out[%g], %c : f32
  }
  func.return
}

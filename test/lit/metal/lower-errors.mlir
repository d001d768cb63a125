// RUN: not tinyir-opt %s -p 'uop-to-metal{msl_version="1.0"}' 2>&1 | filecheck %s --check-prefix=VERSION
// RUN: tinyir-opt %s --verify-diagnostics -p uop-to-metal
// VERSION: error: 'builtin.module' op uop-to-metal: unknown MSL version '1.0' (known: 2.0, 2.1, 2.2, 2.3, 2.4, 3.0, 3.1, 3.2)

func.func @threadgroup_too_large(%out: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop-to-metal: a threadgroup of [64, 32, 1] (lidx0, 1, 2) exceeds Metal's 1024 threads}}
  uop.kernel "l0" (%out) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %y = uop.special "lidx1" 32 : i32
    %l = uop.special "lidx0" 64 : i32
    %c = uop.const 1.0 : f32
    uop.store %o[%l], %c : f32
  }
  func.return
}

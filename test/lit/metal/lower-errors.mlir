// RUN: not tinyir-opt %s -p 'uop-to-metal{msl_version="1.0"}' 2>&1 | filecheck %s --check-prefix=VERSION
// RUN: tinyir-opt %s --verify-diagnostics -p uop-to-metal
// VERSION: error: 'builtin.module' op uop-to-metal: unknown MSL version '1.0' (known: 2.0, 2.1, 2.2, 2.3, 2.4, 3.0, 3.1, 3.2)

func.func @local_ids(%out: !st.buffer<4xf32>) {
  uop.kernel "l0" (%out) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop-to-metal: local indices (lidx0) are not supported yet; use global indices only}}
    %l = uop.special "lidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %o[%l], %c : f32
  }
  func.return
}

// RUN: not tinyir-opt %s -t llvm 2>&1 | filecheck %s
// -t llvm before uop-to-llvm: one clear error, no traceback.
// CHECK: error: 'builtin.module' op no llir.kernel to print as LLVM IR (run uop-to-llvm first)
// CHECK-NOT: Traceback

func.func @not_lowered(%a: !st.buffer<4xf32>) {
  uop.kernel "k" (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %i = uop.special "gidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %o[%i], %c : f32
  }
  func.return
}

// RUN: not tinyir-opt %s 2>&1 | filecheck %s
// An unknown range kind is a located parse error.

func.func @f(%buf: !st.buffer<4xf32>) {
  loop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // CHECK: parse-error.mlir:8:23: error: Expected `global`, `local`, `reduce`, `upcast`, `unroll`, `group`, `stage`, `serial`{{.*}}.
    %k = loop.range 4 sideways : i32
  }
  func.return
}

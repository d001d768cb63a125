// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s
// Verifier errors of the c dialect, one per chunk.

// CHECK: c.call: unknown helper 'pow' (known: add, mul, max,
func.func @f(%o: !st.buffer<4xf32>) {
  c.kernel "k" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %c = c.const 2.0 : f32
    %d = c.call "pow"(%c, %c) : (f32, f32) -> f32
  }
  func.return
}

// -----
// CHECK: c.call: 'where' takes 3 argument(s), got 2
func.func @f(%o: !st.buffer<4xf32>) {
  c.kernel "k" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %c = c.const 2.0 : f32
    %d = c.call "where"(%c, %c) : (f32, f32) -> f32
  }
  func.return
}

// -----
// CHECK: c.kernel: '2k' is not a C identifier
func.func @f(%o: !st.buffer<4xf32>) {
  c.kernel "2k" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----
// CHECK: c.store: buffer of f32 written with i32
func.func @f(%o: !st.buffer<4xf32>) {
  c.kernel "k" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %i = c.const 0 : i32
    c.store %p[%i], %i : !st.buffer<4xf32>, i32
  }
  func.return
}

// -----
// CHECK: c.for: empty loop 4 to 4
func.func @f(%o: !st.buffer<4xf32>) {
  c.kernel "k" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %i = c.for 4 to 4 : i32
    c.endfor %i
  }
  func.return
}

// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s
// Verifier errors of the metal dialect, one per chunk.

// CHECK: metal.kernel: unknown MSL version '1.2' (known: 2.0, 2.1, 2.2, 2.3, 2.4, 3.0, 3.1, 3.2)
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "1.2" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
  }
  func.return
}

// -----
// CHECK: metal.binary: unknown operator '**' (known: + - * / % & | ^ << >>)
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %c = metal.const 2.0 : f32
    %d = metal.binary "**" %c, %c : f32
  }
  func.return
}

// -----
// CHECK: metal.binary: operator '%' operand has type f32, expected one of i32, i8, ui8
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %c = metal.const 2.0 : f32
    %d = metal.binary "%" %c, %c : f32
  }
  func.return
}

// -----
// CHECK: metal.call: metal::fmax takes 2 argument(s), got 1
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %c = metal.const 2.0 : f32
    %d = metal.call "fmax"(%c) : f32 -> f32
  }
  func.return
}

// -----
// CHECK: metal.load: buffer of f32 accessed as i32
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %i = metal.thread_position 0 : i32
    %v = metal.load %p[%i] : !st.buffer<4xf32> -> i32
  }
  func.return
}

// -----
// CHECK: metal.thread_position: dim must be 0, 1 or 2 (x, y, z), got 3
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %i = metal.thread_position 3 : i32
  }
  func.return
}

// -----
// CHECK: metal.as_type: needs two non-bool types of one width, got f16 and i32
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %h = metal.const 1.0 : f16
    %i = metal.as_type %h : f16 to i32
  }
  func.return
}

// -----
// CHECK: metal.kernel: body may only hold metal ops, got uop.const
func.func @f(%o: !st.buffer<4xf32>) {
  metal.kernel "k" msl "3.0" grid [4] (%o) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %c = uop.const 1.0 : f32
  }
  func.return
}

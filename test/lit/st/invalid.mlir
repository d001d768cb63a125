// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per verifier check of the st dialect.

// load: the last view's shape must be the result shape
func.func @f0(%a: !st.buffer<4xf32>) {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>):
    // expected-error@+1 {{the last view has shape [2, 2], the tensor [4]}}
    %v = st.load %x [#st.view<[2, 2], [2, 1], 0>] : tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// load: the first view must stay inside the buffer
func.func @f1(%a: !st.buffer<4xf32>) {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>):
    // expected-error@+1 {{the views reach buffer positions [1, 4], outside !st.buffer<4xf32> (size 4)}}
    %v = st.load %x [#st.view<[4], [1], 1>] : tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// load: element types must match the buffer
func.func @f2(%a: !st.buffer<4xi32>) {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xi32>):
    // expected-error@+1 {{st.load of !st.buffer<4xi32> gives i32 elements, not tensor<4xf32>}}
    %v = st.load %x [#st.view<[4], [1], 0>] : tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// a stacked view must stay inside the shape of the view below it
func.func @f3(%a: !st.buffer<4xf32>) {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>):
    // expected-error@+1 {{bad shapetracker: view View(shape=(4,), strides=(2,), offset=0, mask=None) reads outside the (4,) view below it}}
    %v = st.load %x [#st.view<[4], [1], 0>, #st.view<[4], [2], 0>] : tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// store: only inside st.kernel
func.func @f4(%o: !st.buffer<4xf32>, %v: tensor<4xf32>) {
  // expected-error@+1 {{'st.store' expects parent op 'st.kernel'}}
  st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  func.return
}

// -----

// store: writes operand 0 of its kernel
func.func @f5(%a: !st.buffer<4xf32>) {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>):
    %v = st.load %x [#st.view<[4], [1], 0>] : tensor<4xf32>
    // expected-error@+1 {{st.store must write the kernel's first block argument (operand 0)}}
    st.store %x [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// kernel: block arguments mirror the operands
func.func @f6(%a: !st.buffer<4xf32>) {
  %t = st.alloc : !st.buffer<4xf32>
  // expected-error@+1 {{st.kernel block arguments must mirror the operands: operands have types (!st.buffer<4xf32>, !st.buffer<4xf32>), block arguments (!st.buffer<4xf32>)}}
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %v = st.arange [#st.view<[4], [1], 0>] : tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// kernel: the body ends with its only store
func.func @f7() {
  %t = st.alloc : !st.buffer<4xf32>
  // expected-error@+1 {{st.kernel body must end with its only st.store (found 0)}}
  st.kernel "k0" (%t) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %v = st.arange [#st.view<[4], [1], 0>] : tensor<4xf32>
  }
  func.return
}

// -----

// const: the value must fit the element type
func.func @f8() {
  %t = st.alloc : !st.buffer<4xi32>
  st.kernel "k0" (%t) : !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xi32>):
    // expected-error@+1 {{st.const value 1.000000e+00 : f32 must be a scalar of the element type of tensor<4xi32>}}
    %v = "st.const"() <{value = 1.0 : f32, views = [#st.view<[4], [0], 0>]}> : () -> tensor<4xi32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xi32>
  }
  func.return
}

// -----

// view attribute: mask ranges inside the shape
func.func @f9() {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{#st.view mask range [0, 5) of dim 0 is not inside [0, 4]}}
    %v = st.arange [#st.view<[4], [1], 0, [[0, 5]]>] : tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %v : tensor<4xf32>
  }
  func.return
}

// -----

// buffer constant: element count
// expected-error@+1 {{3 values for !st.buffer<4xf32> (4 elements)}}
%c = st.buffer_constant dense<[1.0, 2.0, 3.0]> : !st.buffer<4xf32>


// RUN: tinyir-opt %s | filecheck %s
// RUN: tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s
// Every loop op and range kind in its custom syntax; printed back identically, also after a trip
// through the generic form.

// CHECK-LABEL: func.func @matvec
func.func @matvec(%a: !st.buffer<4xf32>, %b: !st.buffer<4x8xf32>) {
  // CHECK: loop.kernel "k0"(%a, %b) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  // CHECK-NEXT: ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>):
  // CHECK-NEXT: %i = loop.range 4 global : i32
  // CHECK-NEXT: %k = loop.range 8 reduce : i32
  // CHECK-NEXT: %c8 = uop.const 8 : i32
  // CHECK-NEXT: %base = uop.mul %i, %c8 : i32
  // CHECK-NEXT: %idx = uop.add %base, %k : i32
  // CHECK-NEXT: %v = uop.load %x[%idx] : f32
  // CHECK-NEXT: %s = loop.reduce add %v over %k : f32
  // CHECK-NEXT: %m = loop.reduce max %v over %k : f32
  // CHECK-NEXT: %r = uop.add %s, %m : f32
  // CHECK-NEXT: uop.store %o[%i], %r : f32
  // CHECK-NEXT: }
  loop.kernel "k0" (%a, %b) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>):
    %i = loop.range 4 global : i32
    %k = loop.range 8 reduce : i32
    %c8 = uop.const 8 : i32
    %base = uop.mul %i, %c8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %x[%idx] : f32
    %s = loop.reduce add %v over %k : f32
    %m = loop.reduce max %v over %k : f32
    %r = uop.add %s, %m : f32
    uop.store %o[%i], %r : f32
  }
  func.return
}

// CHECK-LABEL: func.func @kinds
func.func @kinds(%a: !st.buffer<1xi32>) {
  // CHECK: %g = loop.range 2 global : i32
  // CHECK-NEXT: %l = loop.range 2 local : i32
  // CHECK-NEXT: %u = loop.range 4 upcast : i32
  // CHECK-NEXT: %n = loop.range 4 unroll : i32
  // CHECK-NEXT: %gr = loop.range 8 group : i32
  // CHECK-NEXT: %r1 = loop.range 3 reduce : i32
  // CHECK-NEXT: %sum = uop.add %gr, %r1 : i32
  // CHECK-NEXT: %s = loop.reduce add %sum over %gr, %r1 : i32
  loop.kernel "k1" (%a) : !st.buffer<1xi32> {
  ^bb0(%o: !st.buffer<1xi32>):
    %g = loop.range 2 global : i32
    %l = loop.range 2 local : i32
    %u = loop.range 4 upcast : i32
    %n = loop.range 4 unroll : i32
    %gr = loop.range 8 group : i32
    %r1 = loop.range 3 reduce : i32
    %sum = uop.add %gr, %r1 : i32
    %s = loop.reduce add %sum over %gr, %r1 : i32
    %z = uop.const 0 : i32
    uop.store %o[%z], %s : i32
  }
  func.return
}

// RUN: tinyir-opt %s | filecheck %s
// RUN: tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s
// Every uop op in its custom syntax; printed back identically, also after a trip through the
// generic form.

// CHECK-LABEL: func.func @all_ops
func.func @all_ops(%a: !st.buffer<4xf32>, %b: !st.buffer<4x8xf32>, %n: !st.buffer<4xi32>) {
  // CHECK: uop.kernel "k0"(%a, %b, %n) : !st.buffer<4xf32>, !st.buffer<4x8xf32>, !st.buffer<4xi32> {
  // CHECK-NEXT: ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>, %y: !st.buffer<4xi32>):
  uop.kernel "k0" (%a, %b, %n) : !st.buffer<4xf32>, !st.buffer<4x8xf32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>, %y: !st.buffer<4xi32>):
    // CHECK-NEXT: %g = uop.special "gidx0" 4 : i32
    // CHECK-NEXT: %acc = uop.define_acc -inf : f32
    // CHECK-NEXT: %sum = uop.define_acc 0.0 : f32
    // CHECK-NEXT: %c8 = uop.const 8 : i32
    // CHECK-NEXT: %t = uop.const true : i1
    // CHECK-NEXT: %h = uop.const 0.5 : f16
    // CHECK-NEXT: %base = uop.mul %g, %c8 : i32
    // CHECK-NEXT: %k = uop.range 0, 8 : i32
    // CHECK-NEXT: %idx = uop.add %base, %k : i32
    // CHECK-NEXT: %inb = uop.cmplt %k, %c8 : i32
    // CHECK-NEXT: %v = uop.load %x[%idx], %inb : f32
    // CHECK-NEXT: %m = uop.max %acc, %v : f32
    // CHECK-NEXT: uop.assign %acc, %m : f32
    // CHECK-NEXT: %s = uop.add %sum, %v : f32
    // CHECK-NEXT: uop.assign %sum, %s : f32
    // CHECK-NEXT: uop.endrange %k
    %g = uop.special "gidx0" 4 : i32
    %acc = uop.define_acc -inf : f32
    %sum = uop.define_acc 0.0 : f32
    %c8 = uop.const 8 : i32
    %t = uop.const true : i1
    %h = uop.const 0.5 : f16
    %base = uop.mul %g, %c8 : i32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %inb = uop.cmplt %k, %c8 : i32
    %v = uop.load %x[%idx], %inb : f32
    %m = uop.max %acc, %v : f32
    uop.assign %acc, %m : f32
    %s = uop.add %sum, %v : f32
    uop.assign %sum, %s : f32
    uop.endrange %k
    // CHECK-NEXT: %e = uop.exp2 %acc : f32
    // CHECK-NEXT: %l = uop.log2 %e : f32
    // CHECK-NEXT: %sn = uop.sin %l : f32
    // CHECK-NEXT: %sq = uop.sqrt %sn : f32
    // CHECK-NEXT: %r = uop.recip %sq : f32
    // CHECK-NEXT: %ng = uop.neg %r : f32
    // CHECK-NEXT: %mu = uop.mul %ng, %sum : f32
    // CHECK-NEXT: %ne = uop.cmpne %mu, %sum : f32
    // CHECK-NEXT: %w = uop.where %ne, %mu, %sum : f32
    %e = uop.exp2 %acc : f32
    %l = uop.log2 %e : f32
    %sn = uop.sin %l : f32
    %sq = uop.sqrt %sn : f32
    %r = uop.recip %sq : f32
    %ng = uop.neg %r : f32
    %mu = uop.mul %ng, %sum : f32
    %ne = uop.cmpne %mu, %sum : f32
    %w = uop.where %ne, %mu, %sum : f32
    // CHECK-NEXT: %i = uop.cast %w : f32 to i32
    // CHECK-NEXT: %q = uop.idiv %i, %c8 : i32
    // CHECK-NEXT: %md = uop.mod %q, %c8 : i32
    // CHECK-NEXT: %an = uop.and %md, %c8 : i32
    // CHECK-NEXT: %or = uop.or %an, %c8 : i32
    // CHECK-NEXT: %xo = uop.xor %or, %c8 : i32
    // CHECK-NEXT: %sl = uop.shl %xo, %c8 : i32
    // CHECK-NEXT: %sr = uop.shr %sl, %c8 : i32
    // CHECK-NEXT: %bb = uop.and %t, %t : i1
    // CHECK-NEXT: %f = uop.bitcast %sr : i32 to f32
    // CHECK-NEXT: %hf = uop.cast %h : f16 to f32
    // CHECK-NEXT: %fs = uop.add %f, %hf : f32
    // CHECK-NEXT: uop.store %o[%g], %fs, %t : f32
    // CHECK-NEXT: uop.store %y[%g], %sr : i32
    // CHECK-NEXT: }
    %i = uop.cast %w : f32 to i32
    %q = uop.idiv %i, %c8 : i32
    %md = uop.mod %q, %c8 : i32
    %an = uop.and %md, %c8 : i32
    %or = uop.or %an, %c8 : i32
    %xo = uop.xor %or, %c8 : i32
    %sl = uop.shl %xo, %c8 : i32
    %sr = uop.shr %sl, %c8 : i32
    %bb = uop.and %t, %t : i1
    %f = uop.bitcast %sr : i32 to f32
    %hf = uop.cast %h : f16 to f32
    %fs = uop.add %f, %hf : f32
    uop.store %o[%g], %fs, %t : f32
    uop.store %y[%g], %sr : i32
  }
  func.return
}

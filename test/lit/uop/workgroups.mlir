// RUN: tinyir-opt %s | filecheck %s
// RUN: tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s
// Work-group kernels: wgid/lidx specials, local memory and barriers, printed back identically
// (also after a trip through the generic form).

// CHECK-LABEL: func.func @group_sum
func.func @group_sum(%out: !st.buffer<4xf32>, %in: !st.buffer<1024xf32>) {
  // CHECK: uop.kernel "k0"(%out, %in) : !st.buffer<4xf32>, !st.buffer<1024xf32> {
  uop.kernel "k0" (%out, %in) : !st.buffer<4xf32>, !st.buffer<1024xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<1024xf32>):
    // CHECK-NEXT: ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<1024xf32>):
    // CHECK-NEXT: %g = uop.special "wgid0" 4 : i32
    // CHECK-NEXT: %l = uop.special "lidx0" 256 : i32
    // CHECK-NEXT: %tmp = uop.define_local : !st.buffer<256xf32>
    // CHECK-NEXT: %flags = uop.define_local : !st.buffer<256xi1>
    // CHECK-NEXT: %c256 = uop.const 256 : i32
    // CHECK-NEXT: %base = uop.mul %g, %c256 : i32
    // CHECK-NEXT: %i = uop.add %base, %l : i32
    // CHECK-NEXT: %v = uop.load %x[%i] : f32
    // CHECK-NEXT: uop.store %tmp[%l], %v : f32
    // CHECK-NEXT: uop.barrier
    // CHECK-NEXT: %c0 = uop.const 0 : i32
    // CHECK-NEXT: %first = uop.cmpne %l, %c0 : i32
    // CHECK-NEXT: %acc = uop.define_acc 0.0 : f32
    // CHECK-NEXT: %k = uop.range 0, 256 : i32
    // CHECK-NEXT: %t = uop.load %tmp[%k] : f32
    // CHECK-NEXT: %s = uop.add %acc, %t : f32
    // CHECK-NEXT: uop.assign %acc, %s : f32
    // CHECK-NEXT: uop.endrange %k
    // CHECK-NEXT: %not_first = uop.neg %first : i1
    // CHECK-NEXT: uop.store %o[%g], %acc, %not_first : f32
    // CHECK-NEXT: }
    %g = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 256 : i32
    %tmp = uop.define_local : !st.buffer<256xf32>
    %flags = uop.define_local : !st.buffer<256xi1>
    %c256 = uop.const 256 : i32
    %base = uop.mul %g, %c256 : i32
    %i = uop.add %base, %l : i32
    %v = uop.load %x[%i] : f32
    uop.store %tmp[%l], %v : f32
    uop.barrier
    %c0 = uop.const 0 : i32
    %first = uop.cmpne %l, %c0 : i32
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 256 : i32
    %t = uop.load %tmp[%k] : f32
    %s = uop.add %acc, %t : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    %not_first = uop.neg %first : i1
    uop.store %o[%g], %acc, %not_first : f32
  }
  func.return
}

// A 2-D work-group with only local ids (one group), and a 3-D grid of groups.
// CHECK-LABEL: func.func @dims
func.func @dims(%out: !st.buffer<8x4xi32>, %big: !st.buffer<2x3x4xi8>) {
  // CHECK: uop.special "lidx1" 8 : i32
  // CHECK-NEXT: uop.special "lidx0" 4 : i32
  uop.kernel "k1" (%out) : !st.buffer<8x4xi32> {
  ^bb0(%o: !st.buffer<8x4xi32>):
    %y = uop.special "lidx1" 8 : i32
    %x = uop.special "lidx0" 4 : i32
    %c4 = uop.const 4 : i32
    %row = uop.mul %y, %c4 : i32
    %i = uop.add %row, %x : i32
    uop.store %o[%i], %i : i32
  }
  // CHECK: uop.special "wgid2" 2 : i32
  // CHECK-NEXT: uop.special "wgid1" 3 : i32
  // CHECK-NEXT: uop.special "wgid0" 4 : i32
  uop.kernel "k2" (%big) : !st.buffer<2x3x4xi8> {
  ^bb0(%b: !st.buffer<2x3x4xi8>):
    %z = uop.special "wgid2" 2 : i32
    %y = uop.special "wgid1" 3 : i32
    %x = uop.special "wgid0" 4 : i32
    %c = uop.const 1 : i8
    %c12 = uop.const 12 : i32
    %c4 = uop.const 4 : i32
    %zz = uop.mul %z, %c12 : i32
    %yy = uop.mul %y, %c4 : i32
    %i0 = uop.add %zz, %yy : i32
    %i = uop.add %i0, %x : i32
    uop.store %b[%i], %c : i8
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-to-metal | filecheck %s --check-prefix=LOWER
// RUN: tinyir-opt %s -p uop-to-metal --mlir-print-op-generic | tinyir-opt | filecheck %s --check-prefix=LOWER
// RUN: tinyir-opt %s -p uop-to-metal -t metal | filecheck %s
// Threadgroup kernels: wgid -> threadgroup_position_in_grid, lidx -> thread_position_in_threadgroup,
// an exact dispatch (grid = threadgroups * group, threadgroup = the lidx sizes), define_local ->
// a threadgroup array (bool as uchar), barrier -> threadgroup_barrier(mem_flags::mem_threadgroup).
// The lowered IR also round-trips through the generic form.

// LOWER-LABEL: func.func @stage
// LOWER:         metal.kernel "stage" msl "3.0" grid [256, 3, 1] threadgroup [64, 1, 1] (%a, %b) : !st.buffer<3x256xf32>, !st.buffer<3x256xf16> {
// LOWER-NEXT:    ^bb0(%out: !st.buffer<3x256xf32>, %in: !st.buffer<3x256xf16>):
// LOWER-NEXT:      %y = metal.threadgroup_position 1 : i32
// LOWER-NEXT:      %w = metal.threadgroup_position 0 : i32
// LOWER-NEXT:      %l = metal.thread_position_in_threadgroup 0 : i32
// LOWER-NEXT:      %tmp = metal.threadgroup_array : !st.buffer<64xf16>
// LOWER-NEXT:      %flags = metal.threadgroup_array : !st.buffer<64xi1>
// LOWER:           metal.store %tmp[%l], %v : !st.buffer<64xf16>, f16
// LOWER:           metal.store %flags[%l], %pos : !st.buffer<64xi1>, i1
// LOWER-NEXT:      metal.barrier
// LOWER-NEXT:      %nl = metal.unary "-" %l : i32
// LOWER:           %r = metal.load %tmp[%j] : !st.buffer<64xf16> -> f16
// LOWER-NEXT:      %f = metal.load %flags[%j] : !st.buffer<64xi1> -> i1

// CHECK-LABEL: kernel void stage(device float* data0 {{\[\[}}buffer(0)]], device const half* data1 {{\[\[}}buffer(1)]], uint3 tgid {{\[\[}}threadgroup_position_in_grid]], uint3 lid {{\[\[}}thread_position_in_threadgroup]]) {
// CHECK-NEXT:    int wgid1 = int(tgid.y);
// CHECK-NEXT:    int wgid0 = int(tgid.x);
// CHECK-NEXT:    int lidx0 = int(lid.x);
// CHECK-NEXT:    threadgroup half lmem0[64];
// CHECK-NEXT:    threadgroup uchar lmem1[64];
// CHECK:         lmem0[lidx0] = [[V:val[0-9]+]];
// CHECK:         lmem1[lidx0] = uchar([[P:val[0-9]+]]);
// CHECK-NEXT:    threadgroup_barrier(mem_flags::mem_threadgroup);
// CHECK:         half {{val[0-9]+}} = lmem0{{\[}}[[J:val[0-9]+]]];
// CHECK-NEXT:    bool {{val[0-9]+}} = bool(lmem1{{\[}}[[J]]]);

func.func @stage(%a: !st.buffer<3x256xf32>, %b: !st.buffer<3x256xf16>) {
  uop.kernel "stage" (%a, %b) : !st.buffer<3x256xf32>, !st.buffer<3x256xf16> {
  ^bb0(%out: !st.buffer<3x256xf32>, %in: !st.buffer<3x256xf16>):
    %y = uop.special "wgid1" 3 : i32
    %w = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 64 : i32
    %tmp = uop.define_local : !st.buffer<64xf16>
    %flags = uop.define_local : !st.buffer<64xi1>
    %c64 = uop.const 64 : i32
    %c256 = uop.const 256 : i32
    %c63 = uop.const 63 : i32
    %zero = uop.const 0.0 : f16
    %row = uop.mul %y, %c256 : i32
    %col0 = uop.mul %w, %c64 : i32
    %col = uop.add %col0, %l : i32
    %i = uop.add %row, %col : i32
    %v = uop.load %in[%i] : f16
    uop.store %tmp[%l], %v : f16
    %pos = uop.cmplt %zero, %v : f16
    uop.store %flags[%l], %pos : i1
    uop.barrier
    %nl = uop.neg %l : i32
    %j = uop.add %c63, %nl : i32
    %r = uop.load %tmp[%j] : f16
    %f = uop.load %flags[%j] : i1
    %z = uop.where %f, %r, %zero : f16
    %zf = uop.cast %z : f16 to f32
    uop.store %out[%i], %zf : f32
  }
  func.return
}

// Local ids only: no threadgroup position parameter.
// LOWER-LABEL: func.func @one_group
// LOWER: metal.kernel "one_group" msl "3.0" grid [4, 8, 1] threadgroup [4, 8, 1]
// CHECK-LABEL: kernel void one_group(device int* data0 {{\[\[}}buffer(0)]], uint3 lid {{\[\[}}thread_position_in_threadgroup]]) {
// CHECK-NEXT:    int lidx1 = int(lid.y);
// CHECK-NEXT:    int lidx0 = int(lid.x);
func.func @one_group(%a: !st.buffer<8x4xi32>) {
  uop.kernel "one_group" (%a) : !st.buffer<8x4xi32> {
  ^bb0(%o: !st.buffer<8x4xi32>):
    %y = uop.special "lidx1" 8 : i32
    %x = uop.special "lidx0" 4 : i32
    %c4 = uop.const 4 : i32
    %r = uop.mul %y, %c4 : i32
    %i = uop.add %r, %x : i32
    uop.store %o[%i], %i : i32
  }
  func.return
}

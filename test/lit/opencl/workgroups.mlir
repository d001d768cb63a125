// RUN: tinyir-opt %s -p uop-to-opencl | filecheck %s --check-prefix=LOWER
// RUN: tinyir-opt %s -p uop-to-opencl -t opencl | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-opencl{fp16=native}' -t opencl | filecheck %s --check-prefix=HALF
// Work-group kernels: wgid/lidx -> get_group_id/get_local_id, an exact launch (global = grid * group,
// local = group), define_local -> __local arrays (bool as uchar; f16 as float in storage mode),
// barrier -> barrier(CLK_LOCAL_MEM_FENCE). A gidx kernel keeps no local size.

// LOWER-LABEL: func.func @stage
// LOWER:         ocl.kernel "stage" global [512, 3, 1] local [128, 1, 1] (%a, %b) : !st.buffer<3x512xf32>, !st.buffer<3x512xf32> {
// LOWER-NEXT:    ^bb0(%out: !st.buffer<3x512xf32>, %in: !st.buffer<3x512xf32>):
// LOWER-NEXT:      %y = ocl.get_group_id 1 : i32
// LOWER-NEXT:      %w = ocl.get_group_id 0 : i32
// LOWER-NEXT:      %l = ocl.get_local_id 0 : i32
// LOWER-NEXT:      %tmp = ocl.local_array : !st.buffer<128xf32>
// LOWER-NEXT:      %flags = ocl.local_array : !st.buffer<128xi1>
// LOWER-NEXT:      %halves = ocl.local_array : !st.buffer<128xf32>
// LOWER:           %v = ocl.load %in[%{{.*}}] : f32
// LOWER-NEXT:      ocl.store %tmp[%l], %v : f32
// LOWER:           ocl.store %flags[%l], %pos : i1
// LOWER:           ocl.store %halves[%l], %{{.*}} : f32
// LOWER-NEXT:      ocl.barrier
// LOWER:           %r = ocl.load %tmp[%{{.*}}] : f32
// LOWER-NEXT:      %f = ocl.load %flags[%{{.*}}] : i1
// LOWER-NEXT:      %h = ocl.load %halves[%{{.*}}] : f32

// CHECK-LABEL: __kernel void stage(__global float* restrict data0, __global const float* restrict data1) {
// CHECK-NEXT:    int wgid1 = get_group_id(1);
// CHECK-NEXT:    int wgid0 = get_group_id(0);
// CHECK-NEXT:    int lidx0 = get_local_id(0);
// CHECK-NEXT:    __local float lmem0[128];
// CHECK-NEXT:    __local uchar lmem1[128];
// CHECK-NEXT:    __local float lmem2[128];
// CHECK:         lmem0[lidx0] = [[V:val[0-9]+]];
// CHECK:         lmem1[lidx0] = (uchar)[[P:val[0-9]+]];
// CHECK-NEXT:    float [[H:val[0-9]+]] = tinyir_round_half([[V]]);
// CHECK-NEXT:    lmem2[lidx0] = [[H]];
// CHECK-NEXT:    barrier(CLK_LOCAL_MEM_FENCE);
// CHECK:         float [[R:val[0-9]+]] = lmem0[[[J:val[0-9]+]]];
// CHECK-NEXT:    bool {{val[0-9]+}} = (bool)lmem1[[[J]]];
// CHECK-NEXT:    float {{val[0-9]+}} = lmem2[[[J]]];

// fp16=native: an f16 local array is `half`.
// HALF: __local half lmem2[128];
// HALF: half [[H:val[0-9]+]] = (half)val4;
// HALF-NEXT: lmem2[lidx0] = [[H]];
// HALF: half {{val[0-9]+}} = lmem2[

func.func @stage(%a: !st.buffer<3x512xf32>, %b: !st.buffer<3x512xf32>) {
  uop.kernel "stage" (%a, %b) : !st.buffer<3x512xf32>, !st.buffer<3x512xf32> {
  ^bb0(%out: !st.buffer<3x512xf32>, %in: !st.buffer<3x512xf32>):
    %y = uop.special "wgid1" 3 : i32
    %w = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 128 : i32
    %tmp = uop.define_local : !st.buffer<128xf32>
    %flags = uop.define_local : !st.buffer<128xi1>
    %halves = uop.define_local : !st.buffer<128xf16>
    %c128 = uop.const 128 : i32
    %c512 = uop.const 512 : i32
    %c127 = uop.const 127 : i32
    %zero = uop.const 0.0 : f32
    %row = uop.mul %y, %c512 : i32
    %col0 = uop.mul %w, %c128 : i32
    %col = uop.add %col0, %l : i32
    %i = uop.add %row, %col : i32
    %v = uop.load %in[%i] : f32
    uop.store %tmp[%l], %v : f32
    %pos = uop.cmplt %zero, %v : f32
    uop.store %flags[%l], %pos : i1
    %vh = uop.cast %v : f32 to f16
    uop.store %halves[%l], %vh : f16
    uop.barrier
    %nl = uop.neg %l : i32
    %j = uop.add %c127, %nl : i32
    %r = uop.load %tmp[%j] : f32
    %f = uop.load %flags[%j] : i1
    %h = uop.load %halves[%j] : f16
    %hf = uop.cast %h : f16 to f32
    %s = uop.add %r, %hf : f32
    %z = uop.where %f, %s, %zero : f32
    uop.store %out[%i], %z : f32
  }
  func.return
}

// Local ids only (one work-group): global = local.
// LOWER-LABEL: func.func @one_group
// LOWER: ocl.kernel "one_group" global [4, 8, 1] local [4, 8, 1]
// CHECK-LABEL: __kernel void one_group(
// CHECK-NEXT:    int lidx1 = get_local_id(1);
// CHECK-NEXT:    int lidx0 = get_local_id(0);
// CHECK-NOT:     barrier
// CHECK:         }
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

// A gidx kernel is left as before: no local size, get_global_id.
// LOWER-LABEL: func.func @global_ids
// LOWER: ocl.kernel "global_ids" global [16] (%a) : !st.buffer<16xi32> {
// LOWER-NEXT: ^bb0
// LOWER-NEXT: ocl.get_global_id 0 : i32
func.func @global_ids(%a: !st.buffer<16xi32>) {
  uop.kernel "global_ids" (%a) : !st.buffer<16xi32> {
  ^bb0(%o: !st.buffer<16xi32>):
    %g = uop.special "gidx0" 16 : i32
    uop.store %o[%g], %g : i32
  }
  func.return
}

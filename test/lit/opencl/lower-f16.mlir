// RUN: tinyir-opt %s -p uop-to-opencl | filecheck %s --check-prefix=STORAGE
// RUN: tinyir-opt %s -p 'uop-to-opencl{fp16=storage}' | filecheck %s --check-prefix=STORAGE
// RUN: tinyir-opt %s -p 'uop-to-opencl{fp16=native}' | filecheck %s --check-prefix=NATIVE
// RUN: not tinyir-opt %s -p 'uop-to-opencl{fp16=fast}' 2>&1 | filecheck %s --check-prefix=BAD
// uop-to-opencl's fp16 option. storage (default): f16 lives only in buffers, values are f32.
// native: f16 values stay f16 (`half`, needs cl_khr_fp16).

// BAD: option 'fp16' of pass 'uop-to-opencl' expects one of storage|native, got 'fast'

// STORAGE-LABEL: func.func @half_sum
// STORAGE:         %g = ocl.get_global_id 0 : i32
// STORAGE-NEXT:    %acc = ocl.var 0.0 : f32
// STORAGE-NEXT:    %k = ocl.for 0 to 4 : i32
// STORAGE:         %x = ocl.load_half %in[%{{.*}}] : f32
// STORAGE-NEXT:    %s = ocl.add %acc, %x : f32
// STORAGE-NEXT:    ocl.assign %acc, %s : f32
// STORAGE-NEXT:    ocl.endfor %k
// STORAGE-NEXT:    %c = ocl.const 0.0999755859375 : f32
// STORAGE-NEXT:    %y = ocl.mul %acc, %c : f32
// STORAGE-NEXT:    %w = ocl.round_half %y : f32
// STORAGE-NEXT:    ocl.store_half %out[%g], %w : f32
// STORAGE:         ocl.convert %{{.*}} : f32 to i32
// STORAGE:         ocl.select
// STORAGE-NEXT:    %[[N:.*]] = ocl.select
// STORAGE-NEXT:    ocl.store %ints[%g], %[[N]] : i32
// NATIVE-LABEL: func.func @half_sum
// NATIVE:          %acc = ocl.var 0.0 : f16
// NATIVE:          %x = ocl.load %in[%{{.*}}] : f16
// NATIVE-NEXT:     %s = ocl.add %acc, %x : f16
// NATIVE:          %y = ocl.mul %acc, %c : f16
// NATIVE-NEXT:     %w = ocl.convert %y : f16 to f16
// NATIVE-NEXT:     ocl.store %out[%g], %w : f16
// NATIVE-NEXT:     %n = ocl.convert %w : f16 to f32
func.func @half_sum(%o: !st.buffer<2xf16>, %i: !st.buffer<2xi32>, %a: !st.buffer<8xf16>) {
  uop.kernel "half_sum" (%o, %i, %a) : !st.buffer<2xf16>, !st.buffer<2xi32>, !st.buffer<8xf16> {
  ^bb0(%out: !st.buffer<2xf16>, %ints: !st.buffer<2xi32>, %in: !st.buffer<8xf16>):
    %g = uop.special "gidx0" 2 : i32
    %acc = uop.define_acc 0.0 : f16
    %k = uop.range 0, 4 : i32
    %c4 = uop.const 4 : i32
    %row = uop.mul %g, %c4 : i32
    %idx = uop.add %row, %k : i32
    %x = uop.load %in[%idx] : f16
    %s = uop.add %acc, %x : f16
    uop.assign %acc, %s : f16
    uop.endrange %k
    %c = uop.const 0.1 : f16
    %y = uop.mul %acc, %c : f16
    %w = uop.cast %y : f16 to f16
    uop.store %out[%g], %w : f16
    %n = uop.cast %w : f16 to i32
    uop.store %ints[%g], %n : i32
  }
  func.return
}

// f32 kernels are the same in both modes.
// STORAGE-LABEL: func.func @floats_alone
// STORAGE:         %x = ocl.load %in[%g] : f32
// STORAGE-NEXT:    ocl.store %out[%g], %x : f32
// NATIVE-LABEL: func.func @floats_alone
// NATIVE:          %x = ocl.load %in[%g] : f32
// NATIVE-NEXT:     ocl.store %out[%g], %x : f32
func.func @floats_alone(%o: !st.buffer<2xf32>, %a: !st.buffer<2xf32>) {
  uop.kernel "floats_alone" (%o, %a) : !st.buffer<2xf32>, !st.buffer<2xf32> {
  ^bb0(%out: !st.buffer<2xf32>, %in: !st.buffer<2xf32>):
    %g = uop.special "gidx0" 2 : i32
    %x = uop.load %in[%g] : f32
    uop.store %out[%g], %x : f32
  }
  func.return
}

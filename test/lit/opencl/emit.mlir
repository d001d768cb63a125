// RUN: tinyir-opt %s -p uop-to-opencl -t opencl | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-opencl{fp16=native}' -t opencl | filecheck %s --check-prefix=HALF
// RUN: tinyir-opt %s -p uop-to-opencl -t opencl | filecheck %s --check-prefix=STORAGE
// OpenCL C text: one statement per uop, signed wrap-around as one statement through uint,
// gated loads as `gate ? p[i] : 0`, bool buffers as uchar, constants inline.

// fp16=native: the fp16 pragma comes once, first, because one kernel uses half.
// HALF:      #pragma OPENCL EXTENSION cl_khr_fp16 : enable
// HALF-NOT:  #pragma
// fp16=storage (default): no pragma, f16 math in float; the rounding helper comes once, first.
// STORAGE-NOT: #pragma
// STORAGE:      float tinyir_round_half(float x) {
// STORAGE-NEXT:   ushort bits;
// STORAGE-NEXT:   vstore_half_rte(x, 0, (__private half*)&bits);
// STORAGE-NEXT:   return vload_half(0, (const __private half*)&bits);
// STORAGE-NEXT: }
// STORAGE-NOT: tinyir_round_half(float

// CHECK-LABEL: __kernel void sum_rows(__global float* restrict data0, __global const float* restrict data1) {
// CHECK-NEXT:    int gidx0 = get_global_id(0);
// CHECK-NEXT:    float acc0 = (-INFINITY);
// CHECK-NEXT:    for (int ridx0 = 0; ridx0 < 8; ridx0++) {
// CHECK-NEXT:      uint val0 = (uint)gidx0 * 8u;
// CHECK-NEXT:      int val1 = (int)(val0 + (uint)ridx0);
// CHECK-NEXT:      bool val2 = ridx0 < 7;
// CHECK-NEXT:      float val3 = val2 ? data1[val1] : 0.0f;
// CHECK-NEXT:      bool val4 = acc0 != acc0;
// CHECK-NEXT:      bool val5 = val3 != val3;
// CHECK-NEXT:      bool val6 = acc0 != val3;
// CHECK-NEXT:      bool val7 = !val6;
// CHECK-NEXT:      float val8 = acc0 + val3;
// CHECK-NEXT:      float val9 = copysign(acc0, val8);
// CHECK-NEXT:      float val10 = fmax(acc0, val3);
// CHECK-NEXT:      float val11 = val7 ? val9 : val10;
// CHECK-NEXT:      float val12 = val5 ? val3 : val11;
// CHECK-NEXT:      float val13 = val4 ? acc0 : val12;
// CHECK-NEXT:      acc0 = val13;
// CHECK-NEXT:    }
// CHECK-NEXT:    float val14 = 1.0f / acc0;
// CHECK-NEXT:    float val15 = val14 * 0.1f;
// CHECK-NEXT:    data0[gidx0] = val15;
// CHECK-NEXT:  }
func.func @reduce(%o: !st.buffer<4xf32>, %a: !st.buffer<4x8xf32>) {
  uop.kernel "sum_rows" (%o, %a) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %in: !st.buffer<4x8xf32>):
    %g = uop.special "gidx0" 4 : i32
    %c8 = uop.const 8 : i32
    %c7 = uop.const 7 : i32
    %acc = uop.define_acc -inf : f32
    %k = uop.range 0, 8 : i32
    %row = uop.mul %g, %c8 : i32
    %idx = uop.add %row, %k : i32
    %valid = uop.cmplt %k, %c7 : i32
    %v = uop.load %in[%idx], %valid : f32
    %m = uop.max %acc, %v : f32
    uop.assign %acc, %m : f32
    uop.endrange %k
    %r = uop.recip %acc : f32
    %tenth = uop.const 0.1 : f32
    %s = uop.mul %r, %tenth : f32
    uop.store %out[%g], %s : f32
  }
  func.return
}

// CHECK-LABEL: __kernel void ints(__global uchar* restrict data0, __global const char* restrict data1, __global const int* restrict data2) {
// CHECK-NEXT:    int gidx0 = get_global_id(0);
// CHECK-NEXT:    char val0 = data1[gidx0];
// CHECK-NEXT:    int val1 = data2[gidx0];
// CHECK-NEXT:    char val2 = (char)((uchar)val0 + ((uchar)253));
// CHECK-NEXT:    int val3 = val1 / (-7);
// CHECK-NEXT:    int val4 = val1 % (-2147483647-1);
// CHECK-NEXT:    bool val5 = (uint)val4 < 32u;
// CHECK-NEXT:    int val6 = (int)((uint)val3 << (uint)val4);
// CHECK-NEXT:    int val7 = val5 ? val6 : 0;
// CHECK-NEXT:    float val8 = (float)val2;
// CHECK-NEXT:    int val9 = as_int(val8);
// CHECK-NEXT:    int val10 = val7 >> 2;
// CHECK-NEXT:    int val11 = max(val10, val9);
// CHECK-NEXT:    bool val12 = val11 != 0;
// CHECK-NEXT:    data0[gidx0] = (uchar)val12;
// CHECK-NEXT:  }
func.func @ints(%o: !st.buffer<5xi1>, %a: !st.buffer<5xi8>, %b: !st.buffer<5xi32>) {
  uop.kernel "ints" (%o, %a, %b) : !st.buffer<5xi1>, !st.buffer<5xi8>, !st.buffer<5xi32> {
  ^bb0(%out: !st.buffer<5xi1>, %bytes: !st.buffer<5xi8>, %words: !st.buffer<5xi32>):
    %g = uop.special "gidx0" 5 : i32
    %x = uop.load %bytes[%g] : i8
    %w = uop.load %words[%g] : i32
    %m3 = uop.const -3 : i8
    %s = uop.add %x, %m3 : i8
    %m7 = uop.const -7 : i32
    %q = uop.idiv %w, %m7 : i32
    %min = uop.const -2147483648 : i32
    %r = uop.mod %w, %min : i32
    %sh = uop.shl %q, %r : i32
    %c2 = uop.const 2 : i32
    %sr = uop.shr %sh, %c2 : i32
    %f = uop.cast %s : i8 to f32
    %bits = uop.bitcast %f : f32 to i32
    %mx = uop.max %sr, %bits : i32
    %z = uop.const 0 : i32
    %nz = uop.cmpne %mx, %z : i32
    uop.store %out[%g], %nz : i1
  }
  func.return
}

// HALF-LABEL: __kernel void halves(__global half* restrict data0, __global const uchar* restrict data1) {
// HALF-NEXT:    int gidx0 = get_global_id(0);
// HALF-NEXT:    bool val0 = (bool)data1[gidx0];
// HALF-NEXT:    half val1 = val0 ? (half)1.5f : (half)0.0f;
// HALF-NEXT:    half val2 = sqrt(val1);
// HALF-NEXT:    if (val0) data0[gidx0] = val2;
// HALF-NEXT:  }
// STORAGE-LABEL: __kernel void halves(__global half* restrict data0, __global const uchar* restrict data1) {
// STORAGE-NEXT:    int gidx0 = get_global_id(0);
// STORAGE-NEXT:    bool val0 = (bool)data1[gidx0];
// STORAGE-NEXT:    float val1 = val0 ? 1.5f : 0.0f;
// STORAGE-NEXT:    float val2 = sqrt(val1);
// STORAGE-NEXT:    if (val0) vstore_half_rte(val2, gidx0, data0);
// STORAGE-NEXT:  }
func.func @halves(%o: !st.buffer<2xf16>, %m: !st.buffer<2xi1>) {
  uop.kernel "halves" (%o, %m) : !st.buffer<2xf16>, !st.buffer<2xi1> {
  ^bb0(%out: !st.buffer<2xf16>, %mask: !st.buffer<2xi1>):
    %g = uop.special "gidx0" 2 : i32
    %b = uop.load %mask[%g] : i1
    %one = uop.const 1.5 : f16
    %zero = uop.const 0.0 : f16
    %v = uop.where %b, %one, %zero : f16
    %r = uop.sqrt %v : f16
    uop.store %out[%g], %r, %b : f16
  }
  func.return
}

// f16 loads and casts. Native: half values and C casts. Storage: vload_half (gated: `g ? ... : 0.0f`),
// a cast f16 -> f32 is no code, f32 -> f16 rounds with the helper, f16 -> int converts the float
// (clamped first and saturating, NaN -> 0, as the ALU table says).
// HALF-LABEL: __kernel void half_casts(__global half* restrict data0, __global int* restrict data1, __global const half* restrict data2, __global const float* restrict data3) {
// HALF-NEXT:    int gidx0 = get_global_id(0);
// HALF-NEXT:    bool val0 = gidx0 < 3;
// HALF-NEXT:    half val1 = val0 ? data2[gidx0] : (half)0.0f;
// HALF-NEXT:    float val2 = (float)val1;
// HALF-NEXT:    float val3 = data3[gidx0];
// HALF-NEXT:    float val4 = val2 * val3;
// HALF-NEXT:    half val5 = (half)val4;
// HALF-NEXT:    data0[gidx0] = val5;
// HALF-NEXT:    float val6 = (float)val1;
// HALF-NEXT:    bool val7 = val6 != val6;
// HALF-NEXT:    bool val8 = val6 < 2.1474836e+09f;
// HALF-NEXT:    float val9 = fmax(val6, (-2.1474836e+09f));
// HALF-NEXT:    float val10 = fmin(val9, 2.1474835e+09f);
// HALF-NEXT:    int val11 = (int)val10;
// HALF-NEXT:    int val12 = val8 ? val11 : 2147483647;
// HALF-NEXT:    int val13 = val7 ? 0 : val12;
// HALF-NEXT:    data1[gidx0] = val13;
// HALF-NEXT:  }
// STORAGE-LABEL: __kernel void half_casts(__global half* restrict data0, __global int* restrict data1, __global half* restrict data2, __global const float* restrict data3) {
// STORAGE-NEXT:    int gidx0 = get_global_id(0);
// STORAGE-NEXT:    bool val0 = gidx0 < 3;
// STORAGE-NEXT:    float val1 = val0 ? vload_half(gidx0, data2) : 0.0f;
// STORAGE-NEXT:    float val2 = data3[gidx0];
// STORAGE-NEXT:    float val3 = val1 * val2;
// STORAGE-NEXT:    float val4 = tinyir_round_half(val3);
// STORAGE-NEXT:    vstore_half_rte(val4, gidx0, data0);
// STORAGE-NEXT:    bool val5 = val1 != val1;
// STORAGE-NEXT:    bool val6 = val1 < 2.1474836e+09f;
// STORAGE-NEXT:    float val7 = fmax(val1, (-2.1474836e+09f));
// STORAGE-NEXT:    float val8 = fmin(val7, 2.1474835e+09f);
// STORAGE-NEXT:    int val9 = (int)val8;
// STORAGE-NEXT:    int val10 = val6 ? val9 : 2147483647;
// STORAGE-NEXT:    int val11 = val5 ? 0 : val10;
// STORAGE-NEXT:    data1[gidx0] = val11;
// STORAGE-NEXT:  }
func.func @half_casts(%o: !st.buffer<4xf16>, %n: !st.buffer<4xi32>, %a: !st.buffer<4xf16>, %s: !st.buffer<4xf32>) {
  uop.kernel "half_casts" (%o, %n, %a, %s) : !st.buffer<4xf16>, !st.buffer<4xi32>, !st.buffer<4xf16>, !st.buffer<4xf32> {
  ^bb0(%out: !st.buffer<4xf16>, %ints: !st.buffer<4xi32>, %in: !st.buffer<4xf16>, %scale: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %c3 = uop.const 3 : i32
    %valid = uop.cmplt %g, %c3 : i32
    %x = uop.load %in[%g], %valid : f16
    %w = uop.cast %x : f16 to f32
    %k = uop.load %scale[%g] : f32
    %p = uop.mul %w, %k : f32
    %h = uop.cast %p : f32 to f16
    uop.store %out[%g], %h : f16
    %i = uop.cast %x : f16 to i32
    uop.store %ints[%g], %i : i32
  }
  func.return
}

// A ui8 result is its own uchar statement before a widening conversion reads it: inlined as
// `(int)(val0 + 100)` C would promote to int and give 300 for 200 + 100, not the wrapped 44.
// CHECK-LABEL: __kernel void widen(__global int* restrict data0, __global const uchar* restrict data1) {
// CHECK:         uchar val1 = val0 + ((uchar)100);
// CHECK-NEXT:    int val2 = (int)val1;
func.func @widen(%o: !st.buffer<4xi32>, %a: !st.buffer<4xui8>) {
  uop.kernel "widen" (%o, %a) : !st.buffer<4xi32>, !st.buffer<4xui8> {
  ^bb0(%out: !st.buffer<4xi32>, %in: !st.buffer<4xui8>):
    %g = uop.special "gidx0" 4 : i32
    %x = uop.load %in[%g] : ui8
    %c = uop.const 100 : ui8
    %s = uop.add %x, %c : ui8
    %w = uop.cast %s : ui8 to i32
    uop.store %out[%g], %w : i32
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-to-c -t c | filecheck %s
// -t c: the helpers a kernel uses, then the kernel: restrict pointers (const when only read), the grid
// loops named gidxN around the body, the reduction loop, gated loads and stores, bools as bytes.

// CHECK:       #include <math.h>
// CHECK:       static inline bool cast_i8_to_bool(int8_t a) { return a != 0; }
// CHECK:       static inline float exp2_f32(float a) { return exp2f(a); }
// CHECK:       static inline int32_t idiv_i32(int32_t a, int32_t b) { if (b == 0) return 0; if (b == -1) return (int32_t)((uint32_t)0 - (uint32_t)a); return (int32_t)(a / b); }
// CHECK:       static inline float max_f32(float a, float b) { return a != a ? a : b != b ? b : a == b ? copysignf(a, (a + b)) : fmaxf(a, b); }
// CHECK:       static inline int32_t mul_i32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
// CHECK:       static inline int8_t shl_i8(int8_t a, int8_t b) { return (uint8_t)b < 8 ? (int8_t)((uint32_t)(uint8_t)a << b) : 0; }
// CHECK-LABEL: void r0(float* restrict data0, const float* restrict data1) {
// CHECK-NEXT:    for (int32_t gidx0 = 0; gidx0 < 300; gidx0++) {
// CHECK-NEXT:      int32_t val0 = mul_i32(gidx0, 8);
// CHECK-NEXT:      float acc0 = (-INFINITY);
// CHECK-NEXT:      for (int32_t ridx0 = 0; ridx0 < 8; ridx0++) {
// CHECK-NEXT:        int32_t val1 = add_i32(val0, ridx0);
// CHECK-NEXT:        float val2 = data1[val1];
// CHECK-NEXT:        float val3 = max_f32(acc0, val2);
// CHECK-NEXT:        acc0 = val3;
// CHECK-NEXT:      }
// CHECK-NEXT:      float val4 = exp2_f32(acc0);
// CHECK-NEXT:      data0[gidx0] = val4;
// CHECK-NEXT:    }
// CHECK-NEXT:  }
func.func @reduce(%out: !st.buffer<300xf32>, %x: !st.buffer<300x8xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<300xf32>, !st.buffer<300x8xf32> {
  ^bb0(%o: !st.buffer<300xf32>, %a: !st.buffer<300x8xf32>):
    %g = uop.special "gidx0" 300 : i32
    %c8 = uop.const 8 : i32
    %base = uop.mul %g, %c8 : i32
    %acc = uop.define_acc -inf : f32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f32
    %m = uop.max %acc, %v : f32
    uop.assign %acc, %m : f32
    uop.endrange %k
    %e = uop.exp2 %acc : f32
    uop.store %o[%g], %e : f32
  }
  func.return
}

// CHECK-LABEL: void g0(uint8_t* restrict data0, const int8_t* restrict data1, const int32_t* restrict data2) {
// CHECK:           bool val0 = cmplt_i32(gidx0, 6);
// CHECK-NEXT:      int8_t val1 = val0 ? data1[gidx0] : ((int8_t)0);
// CHECK-NEXT:      int8_t val2 = shl_i8(val1, val1);
// CHECK-NEXT:      bool val3 = cast_i8_to_bool(val2);
// CHECK-NEXT:      int32_t val4 = data2[gidx0];
// CHECK-NEXT:      int32_t val5 = idiv_i32(val4, val4);
// CHECK:           if (val0) data0[gidx0] = (uint8_t)val3;
func.func @gated(%out: !st.buffer<8xi1>, %x: !st.buffer<8xi8>, %y: !st.buffer<8xi32>) {
  uop.kernel "g0" (%out, %x, %y) : !st.buffer<8xi1>, !st.buffer<8xi8>, !st.buffer<8xi32> {
  ^bb0(%o: !st.buffer<8xi1>, %a: !st.buffer<8xi8>, %b: !st.buffer<8xi32>):
    %i = uop.special "gidx0" 8 : i32
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    %v = uop.load %a[%i], %valid : i8
    %s = uop.shl %v, %v : i8
    %t = uop.cast %s : i8 to i1
    %w = uop.load %b[%i] : i32
    %q = uop.idiv %w, %w : i32
    %z = uop.const 0 : i32
    %nz = uop.cmpne %q, %z : i32
    %both = uop.and %t, %nz : i1
    uop.store %o[%i], %t, %valid : i1
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-to-metal -t metal | filecheck %s
// -t metal: an MSL compute kernel. Buffer parameters in the device address space with their
// [[buffer(n)]] slots, the thread position, the reduction loop, gated loads and stores, bool buffers
// as uchar, wrapping i32 arithmetic through uint, half and metal:: math.

// CHECK:       // Metal Shading Language 3.0
// CHECK-NEXT:  #include <metal_stdlib>
// CHECK-NEXT:  using namespace metal;
// CHECK-LABEL: kernel void r0(device half* data0 {{\[\[}}buffer(0)]], device const half* data1 {{\[\[}}buffer(1)]], uint3 gid {{\[\[}}thread_position_in_grid]]) {
// CHECK-NEXT:    int gidx0 = int(gid.x);
// CHECK-NEXT:    int val0 = as_type<int>(as_type<uint>(gidx0) * as_type<uint>(8));
// CHECK-NEXT:    half acc0 = half(0.0f);
// CHECK-NEXT:    for (int ridx0 = 0; ridx0 < 8; ridx0++) {
// CHECK-NEXT:      int val1 = as_type<int>(as_type<uint>(val0) + as_type<uint>(ridx0));
// CHECK-NEXT:      half val2 = data1[val1];
// CHECK-NEXT:      half val3 = metal::exp2(val2);
// CHECK-NEXT:      half val4 = acc0 + val3;
// CHECK-NEXT:      acc0 = val4;
// CHECK-NEXT:    }
// CHECK-NEXT:    data0[gidx0] = acc0;
// CHECK-NEXT:  }
func.func @reduce(%out: !st.buffer<300xf16>, %x: !st.buffer<300x8xf16>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<300xf16>, !st.buffer<300x8xf16> {
  ^bb0(%o: !st.buffer<300xf16>, %a: !st.buffer<300x8xf16>):
    %g = uop.special "gidx0" 300 : i32
    %c8 = uop.const 8 : i32
    %base = uop.mul %g, %c8 : i32
    %acc = uop.define_acc 0.0 : f16
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f16
    %e = uop.exp2 %v : f16
    %s = uop.add %acc, %e : f16
    uop.assign %acc, %s : f16
    uop.endrange %k
    uop.store %o[%g], %acc : f16
  }
  func.return
}

// CHECK-LABEL: kernel void g0(device uchar* data0 {{\[\[}}buffer(0)]], device const uchar* data1 {{\[\[}}buffer(1)]], device const char* data2 {{\[\[}}buffer(2)]], uint3 gid {{\[\[}}thread_position_in_grid]]) {
// CHECK:         bool val0 = gidx0 < 6;
// CHECK-NEXT:    bool val1 = val0 ? bool(data1[gidx0]) : false;
// CHECK-NEXT:    bool val2 = !val1;
// CHECK-NEXT:    char val3 = data2[gidx0];
// CHECK-NEXT:    char val4 = static_cast<char>(-val3);
// CHECK-NEXT:    bool val5 = val3 < char(0);
// CHECK-NEXT:    bool val6 = !val5;
// CHECK-NEXT:    bool val7 = val3 < char(8);
// CHECK-NEXT:    bool val8 = val6 & val7;
// CHECK-NEXT:    char val9 = static_cast<char>(uint(val4) << (val3 & 7));
// CHECK-NEXT:    char val10 = val8 ? val9 : char(0);
// CHECK-NEXT:    bool val11 = val10 != char(-3);
// CHECK-NEXT:    bool val12 = val2 & val11;
// CHECK-NEXT:    if (val0) data0[gidx0] = uchar(val12);
func.func @gated(%out: !st.buffer<8xi1>, %x: !st.buffer<8xi1>, %y: !st.buffer<8xi8>) {
  uop.kernel "g0" (%out, %x, %y) : !st.buffer<8xi1>, !st.buffer<8xi1>, !st.buffer<8xi8> {
  ^bb0(%o: !st.buffer<8xi1>, %a: !st.buffer<8xi1>, %b: !st.buffer<8xi8>):
    %i = uop.special "gidx0" 8 : i32
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    %v = uop.load %a[%i], %valid : i1
    %n = uop.neg %v : i1
    %w = uop.load %b[%i] : i8
    %m = uop.neg %w : i8
    %sh = uop.shl %m, %w : i8
    %c = uop.const -3 : i8
    %ne = uop.cmpne %sh, %c : i8
    %both = uop.and %n, %ne : i1
    uop.store %o[%i], %both, %valid : i1
  }
  func.return
}

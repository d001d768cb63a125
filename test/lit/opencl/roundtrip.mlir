// RUN: %roundtrip
// Every ocl op prints in its custom form and reads back from the generic form unchanged.

// CHECK-LABEL: func.func @all_ops
// CHECK:         ocl.kernel "k0" global [16, 2] (%o, %a, %mk) : !st.buffer<2x16xf32>, !st.buffer<32xf32>, !st.buffer<32xi1> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<2x16xf32>, %in: !st.buffer<32xf32>, %mask: !st.buffer<32xi1>):
// CHECK-NEXT:      %g0 = ocl.get_global_id 0 : i32
// CHECK-NEXT:      %g1 = ocl.get_global_id 1 : i32
// CHECK-NEXT:      %c16 = ocl.const 16 : i32
// CHECK-NEXT:      %u = ocl.const 7 : ui32
// CHECK-NEXT:      %ninf = ocl.const -inf : f32
// CHECK-NEXT:      %nan = ocl.const nan : f32
// CHECK-NEXT:      %t = ocl.const true : i1
// CHECK-NEXT:      %row = ocl.mul %g1, %c16 : i32
// CHECK-NEXT:      %i = ocl.add %row, %g0 : i32
// CHECK-NEXT:      %m = ocl.load %mask[%i] : i1
// CHECK-NEXT:      %nm = ocl.not %m : i1
// CHECK-NEXT:      %acc = ocl.var -inf : f32
// CHECK-NEXT:      %k = ocl.for 0 to 4 : i32
// CHECK-NEXT:      %v = ocl.load %in[%i] if %m : f32
// CHECK-NEXT:      %mx = ocl.call "fmax"(%acc, %v) : f32
// CHECK-NEXT:      ocl.assign %acc, %mx : f32
// CHECK-NEXT:      ocl.endfor %k
// CHECK-NEXT:      %lt = ocl.lt %acc, %ninf : f32
// CHECK-NEXT:      %ne = ocl.ne %acc, %nan : f32
// CHECK-NEXT:      %both = ocl.and %lt, %ne : i1
// CHECK-NEXT:      %either = ocl.or %both, %nm : i1
// CHECK-NEXT:      %x = ocl.xor %either, %t : i1
// CHECK-NEXT:      %ui = ocl.convert %i : i32 to ui32
// CHECK-NEXT:      %sh = ocl.shl %ui, %u : ui32
// CHECK-NEXT:      %sr = ocl.shr %sh, %u : ui32
// CHECK-NEXT:      %q = ocl.div %sr, %u : ui32
// CHECK-NEXT:      %r = ocl.rem %q, %u : ui32
// CHECK-NEXT:      %d = ocl.sub %r, %u : ui32
// CHECK-NEXT:      %bits = ocl.as_type %d : ui32 to f32
// CHECK-NEXT:      %neg = ocl.neg %bits : f32
// CHECK-NEXT:      %s = ocl.select %x, %neg, %acc : f32
// CHECK-NEXT:      %e = ocl.call "exp2"(%s) : f32
// CHECK-NEXT:      ocl.store %out[%i], %e if %m : f32
// CHECK-NEXT:    }
func.func @all_ops(%o: !st.buffer<2x16xf32>, %a: !st.buffer<32xf32>, %mk: !st.buffer<32xi1>) {
  ocl.kernel "k0" global [16, 2] (%o, %a, %mk) : !st.buffer<2x16xf32>, !st.buffer<32xf32>, !st.buffer<32xi1> {
  ^bb0(%out: !st.buffer<2x16xf32>, %in: !st.buffer<32xf32>, %mask: !st.buffer<32xi1>):
    %g0 = ocl.get_global_id 0 : i32
    %g1 = ocl.get_global_id 1 : i32
    %c16 = ocl.const 16 : i32
    %u = ocl.const 7 : ui32
    %ninf = ocl.const -inf : f32
    %nan = ocl.const nan : f32
    %t = ocl.const true : i1
    %row = ocl.mul %g1, %c16 : i32
    %i = ocl.add %row, %g0 : i32
    %m = ocl.load %mask[%i] : i1
    %nm = ocl.not %m : i1
    %acc = ocl.var -inf : f32
    %k = ocl.for 0 to 4 : i32
    %v = ocl.load %in[%i] if %m : f32
    %mx = ocl.call "fmax"(%acc, %v) : f32
    ocl.assign %acc, %mx : f32
    ocl.endfor %k
    %lt = ocl.lt %acc, %ninf : f32
    %ne = ocl.ne %acc, %nan : f32
    %both = ocl.and %lt, %ne : i1
    %either = ocl.or %both, %nm : i1
    %x = ocl.xor %either, %t : i1
    %ui = ocl.convert %i : i32 to ui32
    %sh = ocl.shl %ui, %u : ui32
    %sr = ocl.shr %sh, %u : ui32
    %q = ocl.div %sr, %u : ui32
    %r = ocl.rem %q, %u : ui32
    %d = ocl.sub %r, %u : ui32
    %bits = ocl.as_type %d : ui32 to f32
    %neg = ocl.neg %bits : f32
    %s = ocl.select %x, %neg, %acc : f32
    %e = ocl.call "exp2"(%s) : f32
    ocl.store %out[%i], %e if %m : f32
  }
  func.return
}

// The f16-storage ops: loads widen an f16 element to f32, stores narrow f32 to f16.
// CHECK-LABEL: func.func @half_storage
// CHECK:           %v = ocl.load_half %in[%g] if %t : f32
// CHECK-NEXT:      %r = ocl.round_half %v : f32
// CHECK-NEXT:      ocl.store_half %out[%g], %r : f32
func.func @half_storage(%o: !st.buffer<4xf16>, %a: !st.buffer<4xf16>) {
  ocl.kernel "k1" global [4] (%o, %a) : !st.buffer<4xf16>, !st.buffer<4xf16> {
  ^bb0(%out: !st.buffer<4xf16>, %in: !st.buffer<4xf16>):
    %g = ocl.get_global_id 0 : i32
    %t = ocl.const true : i1
    %v = ocl.load_half %in[%g] if %t : f32
    %r = ocl.round_half %v : f32
    ocl.store_half %out[%g], %r : f32
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-to-opencl | filecheck %s
// uop-to-opencl: one rule per uop op; signed add/mul/neg wrap through the unsigned type.

// CHECK-LABEL: func.func @reduce_rows
// CHECK:         ocl.kernel "sum_rows" global [4] (%o, %a) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<4xf32>, %in: !st.buffer<4x8xf32>):
// CHECK-NEXT:      %g = ocl.get_global_id 0 : i32
// CHECK-NEXT:      %c8 = ocl.const 8 : i32
// CHECK-NEXT:      %acc = ocl.var 0.0 : f32
// CHECK-NEXT:      %k = ocl.for 0 to 8 : i32
// The wrapped multiply stays unsigned into the add that uses it (no (uint)(int) round trip).
// CHECK-NEXT:      %[[GU:.*]] = ocl.convert %g : i32 to ui32
// CHECK-NEXT:      %[[C8U:.*]] = ocl.const 8 : ui32
// CHECK-NEXT:      %[[ROW:.*]] = ocl.mul %[[GU]], %[[C8U]] : ui32
// CHECK-NEXT:      %[[KU:.*]] = ocl.convert %k : i32 to ui32
// CHECK-NEXT:      %[[SUM:.*]] = ocl.add %[[ROW]], %[[KU]] : ui32
// CHECK-NEXT:      %[[IDX:.*]] = ocl.convert %[[SUM]] : ui32 to i32
// CHECK-NEXT:      %valid = ocl.lt %k, %c8 : i32
// CHECK-NEXT:      %v = ocl.load %in[%[[IDX]]] if %valid : f32
// CHECK-NEXT:      %s = ocl.add %acc, %v : f32
// CHECK-NEXT:      ocl.assign %acc, %s : f32
// CHECK-NEXT:      ocl.endfor %k
// CHECK-NEXT:      %e = ocl.call "exp2"(%acc) : f32
// CHECK-NEXT:      %[[ONE:.*]] = ocl.const 1.0 : f32
// CHECK-NEXT:      %[[R:.*]] = ocl.div %[[ONE]], %e : f32
// float -> int saturates (NaN -> 0): clamped into range before C's conversion, 2^31 on selects the maximum
// CHECK-NEXT:      %[[NAN:.*]] = ocl.ne %[[R]], %[[R]] : f32
// CHECK-NEXT:      %[[Z0:.*]] = ocl.const 0 : i32
// CHECK-NEXT:      %[[TOP:.*]] = ocl.const 2147483648.0 : f32
// CHECK-NEXT:      %[[BELOW:.*]] = ocl.lt %[[R]], %[[TOP]] : f32
// CHECK-NEXT:      %[[LO:.*]] = ocl.const -2147483648.0 : f32
// CHECK-NEXT:      %[[UP:.*]] = ocl.call "fmax"(%[[R]], %[[LO]]) : f32
// CHECK-NEXT:      %[[HI:.*]] = ocl.const 2147483520.0 : f32
// CHECK-NEXT:      %[[CL:.*]] = ocl.call "fmin"(%[[UP]], %[[HI]]) : f32
// CHECK-NEXT:      %[[CONV:.*]] = ocl.convert %[[CL]] : f32 to i32
// CHECK-NEXT:      %[[MAX:.*]] = ocl.const 2147483647 : i32
// CHECK-NEXT:      %[[SAT:.*]] = ocl.select %[[BELOW]], %[[CONV]], %[[MAX]] : i32
// CHECK-NEXT:      %[[N:.*]] = ocl.select %[[NAN]], %[[Z0]], %[[SAT]] : i32
// CHECK-NEXT:      %[[ZERO:.*]] = ocl.const 0 : ui32
// CHECK-NEXT:      %[[NU:.*]] = ocl.convert %[[N]] : i32 to ui32
// CHECK-NEXT:      %[[NEG:.*]] = ocl.sub %[[ZERO]], %[[NU]] : ui32
// CHECK-NEXT:      %[[NI:.*]] = ocl.convert %[[NEG]] : ui32 to i32
// CHECK-NEXT:      %b = ocl.as_type %[[NI]] : i32 to f32
// CHECK-NEXT:      ocl.store %out[%g], %b : f32
// CHECK-NEXT:    }
func.func @reduce_rows(%o: !st.buffer<4xf32>, %a: !st.buffer<4x8xf32>) {
  uop.kernel "sum_rows" (%o, %a) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %in: !st.buffer<4x8xf32>):
    %g = uop.special "gidx0" 4 : i32
    %c8 = uop.const 8 : i32
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 8 : i32
    %row = uop.mul %g, %c8 : i32
    %idx = uop.add %row, %k : i32
    %valid = uop.cmplt %k, %c8 : i32
    %v = uop.load %in[%idx], %valid : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    %e = uop.exp2 %acc : f32
    %r = uop.recip %e : f32
    %n = uop.cast %r : f32 to i32
    %m = uop.neg %n : i32
    %b = uop.bitcast %m : i32 to f32
    uop.store %out[%g], %b : f32
  }
  func.return
}

// Bool and unsigned: add/mul/max/neg on i1 are or/and/or/not; ui8 arithmetic is plain C
// (it wraps when stored back to uchar); max is max for ints, and fmax for floats with a NaN operand
// passed through (x != x only for NaN), as numpy and PyTorch do, and equal zeros ordered by copysign.
// CHECK-LABEL: func.func @bools_and_bytes
// CHECK:         ocl.kernel "k1" global [3, 2] (%o, %a, %m)
// CHECK:           %y = ocl.get_global_id 1 : i32
// CHECK:           %p = ocl.or %mv, %t : i1
// CHECK-NEXT:      %q = ocl.and %mv, %t : i1
// CHECK-NEXT:      %r = ocl.or %p, %q : i1
// CHECK-NEXT:      %nr = ocl.not %r : i1
// CHECK-NEXT:      %bits = ocl.convert %nr : i1 to ui8
// CHECK-NEXT:      %s = ocl.add %bv, %bits : ui8
// CHECK-NEXT:      %mx = ocl.call "max"(%s, %bv) : ui8
// CHECK-NEXT:      %sel = ocl.select %nr, %mx, %bv : ui8
// CHECK-NEXT:      %f = ocl.convert %sel : ui8 to f32
// CHECK-NEXT:      %ff = ocl.ne %f, %f : f32
// CHECK-NEXT:      %ff_1 = ocl.ne %f, %f : f32
// CHECK-NEXT:      %ff_2 = ocl.ne %f, %f : f32
// CHECK-NEXT:      %ff_3 = ocl.not %ff_2 : i1
// CHECK-NEXT:      %ff_4 = ocl.add %f, %f : f32
// CHECK-NEXT:      %ff_5 = ocl.call "copysign"(%f, %ff_4) : f32
// CHECK-NEXT:      %ff_6 = ocl.call "fmax"(%f, %f) : f32
// CHECK-NEXT:      %ff_7 = ocl.select %ff_3, %ff_5, %ff_6 : f32
// CHECK-NEXT:      %ff_8 = ocl.select %ff_1, %f, %ff_7 : f32
// CHECK-NEXT:      %ff_9 = ocl.select %ff, %f, %ff_8 : f32
// CHECK-NEXT:      ocl.store %out[%x], %ff_9 if %nr : f32
func.func @bools_and_bytes(%o: !st.buffer<3xf32>, %a: !st.buffer<3xui8>, %m: !st.buffer<3xi1>) {
  uop.kernel "k1" (%o, %a, %m) : !st.buffer<3xf32>, !st.buffer<3xui8>, !st.buffer<3xi1> {
  ^bb0(%out: !st.buffer<3xf32>, %bytes: !st.buffer<3xui8>, %mask: !st.buffer<3xi1>):
    %x = uop.special "gidx0" 3 : i32
    %y = uop.special "gidx1" 2 : i32
    %t = uop.const true : i1
    %mv = uop.load %mask[%x] : i1
    %bv = uop.load %bytes[%x] : ui8
    %p = uop.add %mv, %t : i1
    %q = uop.mul %mv, %t : i1
    %r = uop.max %p, %q : i1
    %nr = uop.neg %r : i1
    %bits = uop.bitcast %nr : i1 to ui8
    %s = uop.add %bv, %bits : ui8
    %mx = uop.max %s, %bv : ui8
    %sel = uop.where %nr, %mx, %bv : ui8
    %f = uop.cast %sel : ui8 to f32
    %ff = uop.max %f, %f : f32
    uop.store %out[%x], %ff, %nr : f32
  }
  func.return
}

// Host ops and kernels already at the OpenCL level are left alone.
// CHECK-LABEL: func.func @leave_alone
// CHECK-NEXT:    %t = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    ocl.kernel "done" global [4] (%t) : !st.buffer<4xf32> {
// CHECK-NEXT:    ^bb0(%p: !st.buffer<4xf32>):
// CHECK-NEXT:      %g = ocl.get_global_id 0 : i32
// CHECK-NEXT:      %c = ocl.const 2.5 : f32
// CHECK-NEXT:      ocl.store %p[%g], %c : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %t : !st.buffer<4xf32>
func.func @leave_alone() -> !st.buffer<4xf32> {
  %t = st.alloc : !st.buffer<4xf32>
  ocl.kernel "done" global [4] (%t) : !st.buffer<4xf32> {
  ^bb0(%p: !st.buffer<4xf32>):
    %g = ocl.get_global_id 0 : i32
    %c = ocl.const 2.5 : f32
    ocl.store %p[%g], %c : f32
  }
  func.return %t : !st.buffer<4xf32>
}

// RUN: tinyir-opt %s -p uop-to-metal | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-metal{msl_version="2.4"}' | filecheck %s --check-prefix=V24
// RUN: tinyir-opt %s -p uop-to-metal | tinyir-opt --mlir-print-op-generic | tinyir-opt | filecheck %s
// uop-to-metal: one rule per micro-op. Thread positions for grid indices, the reduction loop with its
// register, gated loads and stores, bool ops as | & !, max as metal::fmax (NaN passed through) / metal::max.

// CHECK-LABEL: func.func @reduce
// CHECK:         metal.kernel "r0" msl "3.0" grid [300] (%out, %x) : !st.buffer<300xf32>, !st.buffer<300x8xf32> {
// CHECK-NEXT:    ^bb0(%o: !st.buffer<300xf32>, %a: !st.buffer<300x8xf32>):
// CHECK-NEXT:      %g = metal.thread_position 0 : i32
// CHECK-NEXT:      %c8 = metal.const 8 : i32
// CHECK-NEXT:      %base = metal.binary "*" %g, %c8 : i32
// CHECK-NEXT:      %acc = metal.var -inf : f32
// CHECK-NEXT:      %k = metal.for 0 to 8 : i32
// CHECK-NEXT:      %idx = metal.binary "+" %base, %k : i32
// CHECK-NEXT:      %v = metal.load %a[%idx] : !st.buffer<300x8xf32> -> f32
// CHECK-NEXT:      %[[ACC_NAN:.*]] = metal.compare "!=" %acc, %acc : f32
// CHECK-NEXT:      %[[V_NAN:.*]] = metal.compare "!=" %v, %v : f32
// CHECK-NEXT:      %[[NE:.*]] = metal.compare "!=" %acc, %v : f32
// CHECK-NEXT:      %[[EQ:.*]] = metal.unary "!" %[[NE]] : i1
// CHECK-NEXT:      %[[SUM:.*]] = metal.binary "+" %acc, %v : f32
// CHECK-NEXT:      %[[ZEROS:.*]] = metal.call "copysign"(%acc, %[[SUM]]) : f32, f32 -> f32
// CHECK-NEXT:      %[[FMAX:.*]] = metal.call "fmax"(%acc, %v) : f32, f32 -> f32
// CHECK-NEXT:      %[[LARGER:.*]] = metal.select %[[EQ]], %[[ZEROS]], %[[FMAX]] : f32
// CHECK-NEXT:      %[[INNER:.*]] = metal.select %[[V_NAN]], %v, %[[LARGER]] : f32
// CHECK-NEXT:      %[[MAX:.*]] = metal.select %[[ACC_NAN]], %acc, %[[INNER]] : f32
// CHECK-NEXT:      metal.assign %acc, %[[MAX]] : f32
// CHECK-NEXT:      metal.endfor %k
// CHECK-NEXT:      metal.store %o[%g], %acc : !st.buffer<300xf32>, f32
// CHECK-NEXT:    }
// V24:           metal.kernel "r0" msl "2.4" grid [300]
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
    uop.store %o[%g], %acc : f32
  }
  func.return
}

// CHECK-LABEL: func.func @gated
// CHECK:         %i = metal.thread_position 0 : i32
// CHECK-NEXT:    %row = metal.thread_position 1 : i32
// CHECK:         %valid = metal.compare "<" %i, %six : i32
// CHECK-NEXT:    %v = metal.load %a[%i] if %valid : !st.buffer<2x8xi1> -> i1
// CHECK-NEXT:    %n = metal.unary "!" %v : i1
// CHECK-NEXT:    %both = metal.binary "&" %n, %v : i1
// CHECK-NEXT:    metal.store %o[%i], %both if %valid : !st.buffer<2x8xi1>, i1
func.func @gated(%out: !st.buffer<2x8xi1>, %x: !st.buffer<2x8xi1>) {
  uop.kernel "g0" (%out, %x) : !st.buffer<2x8xi1>, !st.buffer<2x8xi1> {
  ^bb0(%o: !st.buffer<2x8xi1>, %a: !st.buffer<2x8xi1>):
    %i = uop.special "gidx0" 8 : i32
    %row = uop.special "gidx1" 2 : i32
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    %v = uop.load %a[%i], %valid : i1
    %n = uop.neg %v : i1
    %both = uop.mul %n, %v : i1
    uop.store %o[%i], %both, %valid : i1
  }
  func.return
}

// More than 3 grid dimensions share z: gidx2 = z % 3, gidx3 = z / 3. Casts, bitcasts and ints.
// CHECK-LABEL: func.func @four_dims
// CHECK:         metal.kernel "d0" msl "3.0" grid [2, 2, 3, 5]
// CHECK:         %[[Z:.*]] = metal.thread_position 2 : i32
// CHECK-NEXT:    %[[THREE:.*]] = metal.const 3 : i32
// CHECK-NEXT:    %[[D2:.*]] = metal.binary "%" %[[Z]], %[[THREE]] : i32
// CHECK-NEXT:    %[[Z2:.*]] = metal.thread_position 2 : i32
// CHECK-NEXT:    %[[STRIDE:.*]] = metal.const 3 : i32
// CHECK-NEXT:    %[[D3:.*]] = metal.binary "/" %[[Z2]], %[[STRIDE]] : i32
// CHECK:         %f = metal.convert %s : i32 to f32
// CHECK-NEXT:    %bits = metal.as_type %f : f32 to i32
// CHECK-NEXT:    %big = metal.call "max"(%bits, %[[D3]]) : i32, i32 -> i32
// A shift by an amount not known to be in [0, 32) selects the sign fill outside it (the ALU table).
// CHECK-NEXT:    %[[ZERO:.*]] = metal.const 0 : i32
// CHECK-NEXT:    %[[NEG:.*]] = metal.compare "<" %[[D2]], %[[ZERO]] : i32
// CHECK-NEXT:    %[[NONNEG:.*]] = metal.unary "!" %[[NEG]] : i1
// CHECK-NEXT:    %[[W:.*]] = metal.const 32 : i32
// CHECK-NEXT:    %[[BELOW:.*]] = metal.compare "<" %[[D2]], %[[W]] : i32
// CHECK-NEXT:    %[[OK:.*]] = metal.binary "&" %[[NONNEG]], %[[BELOW]] : i1
// CHECK-NEXT:    %[[SH:.*]] = metal.binary ">>" %big, %[[D2]] : i32
// CHECK-NEXT:    %[[B31:.*]] = metal.const 31 : i32
// CHECK-NEXT:    %[[FILL:.*]] = metal.binary ">>" %big, %[[B31]] : i32
// CHECK-NEXT:    %{{.*}} = metal.select %[[OK]], %[[SH]], %[[FILL]] : i32
func.func @four_dims(%out: !st.buffer<5x3x2x2xi32>) {
  uop.kernel "d0" (%out) : !st.buffer<5x3x2x2xi32> {
  ^bb0(%o: !st.buffer<5x3x2x2xi32>):
    %d0 = uop.special "gidx0" 2 : i32
    %d1 = uop.special "gidx1" 2 : i32
    %d2 = uop.special "gidx2" 3 : i32
    %d3 = uop.special "gidx3" 5 : i32
    %s = uop.add %d2, %d3 : i32
    %f = uop.cast %s : i32 to f32
    %bits = uop.bitcast %f : f32 to i32
    %big = uop.max %bits, %d3 : i32
    %sh = uop.shr %big, %d2 : i32
    uop.store %o[%d0], %sh : i32
  }
  func.return
}

// Host code is left alone.
// CHECK-LABEL: func.func @host_only
// CHECK-NEXT:    %[[B:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    func.return %[[B]] : !st.buffer<4xf32>
func.func @host_only() -> !st.buffer<4xf32> {
  %b = st.alloc : !st.buffer<4xf32>
  func.return %b : !st.buffer<4xf32>
}

// RUN: tinyir-opt %s -p uop-to-llvm | filecheck %s
// RUN: tinyir-opt %s -p uop-to-llvm | tinyir-opt --mlir-print-op-generic | tinyir-opt | filecheck %s
// uop-to-llvm: grid indices become loops, accumulators allocas, gated loads selects, gated stores
// ifs, i1 buffers bytes, and unsigned types pick the unsigned instructions.

// CHECK-LABEL: func.func @reduce
// CHECK:         llir.kernel "r0" (%out, %x) : !st.buffer<3x4xf32>, !st.buffer<3x4x8xf32> global [4, 3] {
// CHECK-NEXT:    ^bb0(%o: !llir.ptr<f32>, %a: !llir.ptr<f32>):
// CHECK-NEXT:      %g1 = llir.loop_begin 0 to 3 {dim = "gidx1", parallel} : i32
// CHECK-NEXT:      %g0 = llir.loop_begin 0 to 4 {dim = "gidx0"} : i32
// CHECK-NEXT:      %acc = llir.alloca : !llir.ptr<f32>
// CHECK-NEXT:      %[[INIT:.*]] = llir.constant -inf : f32
// CHECK-NEXT:      llir.store %[[INIT]], %acc : f32, !llir.ptr<f32>
// CHECK:           %k = llir.loop_begin 0 to 8 : i32
// CHECK-NEXT:      %idx = llir.add %base, %k {overflow = "nuw nsw"} : i32
// CHECK-NEXT:      %[[P:.*]] = llir.gep %a[%idx] : !llir.ptr<f32>, i32
// CHECK-NEXT:      %[[V:.*]] = llir.load %[[P]] : !llir.ptr<f32> -> f32
// CHECK-NEXT:      %[[OLD:.*]] = llir.load %acc : !llir.ptr<f32> -> f32
// CHECK-NEXT:      %[[MAX:.*]] = llir.call "llvm.maximum.f32"(%[[OLD]], %[[V]]) : (f32, f32) -> f32
// CHECK-NEXT:      llir.store %[[MAX]], %acc : f32, !llir.ptr<f32>
// CHECK-NEXT:      llir.loop_end %k : i32
// f32 exp2 is computed inline (tinyir/targets/llvm/mathlib.py, test/lit/llvm/exp2.mlir).
// CHECK:           %[[FINAL:.*]] = llir.load %acc : !llir.ptr<f32> -> f32
// CHECK:           llir.fcmp ogt %[[FINAL]], %{{.*}} : f32
// CHECK:           llir.bitcast
// CHECK:           llir.bitcast
// CHECK-NEXT:      %[[V:.*]] = llir.fmul %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:      %[[E:.*]] = llir.select %{{.*}}, %{{.*}}, %[[V]] : f32
// CHECK-NEXT:      %[[Q:.*]] = llir.gep %o[%cell] : !llir.ptr<f32>, i32
// CHECK-NEXT:      llir.store %[[E]], %[[Q]] : f32, !llir.ptr<f32>
// CHECK-NEXT:      llir.loop_end %g0 : i32
// CHECK-NEXT:      llir.loop_end %g1 : i32
// CHECK-NEXT:      llir.ret

// CHECK-LABEL: func.func @gated
// CHECK:         ^bb0(%o: !llir.ptr<i8>, %a: !llir.ptr<i8>):
// CHECK:           %valid = llir.icmp slt %i, %six : i32
// CHECK-NEXT:      %[[ZERO:.*]] = llir.constant 0 : i32
// CHECK-NEXT:      %[[SAFE:.*]] = llir.select %valid, %i, %[[ZERO]] : i32
// CHECK-NEXT:      %[[P:.*]] = llir.gep %a[%[[SAFE]]] : !llir.ptr<i8>, i32
// CHECK-NEXT:      %[[BYTE:.*]] = llir.load %[[P]] : !llir.ptr<i8> -> i8
// CHECK-NEXT:      %[[B0:.*]] = llir.constant 0 : i8
// CHECK-NEXT:      %[[BOOL:.*]] = llir.icmp ne %[[BYTE]], %[[B0]] : i8
// CHECK-NEXT:      %[[FALSE:.*]] = llir.constant false : i1
// CHECK-NEXT:      %[[V:.*]] = llir.select %valid, %[[BOOL]], %[[FALSE]] : i1
// CHECK-NEXT:      %[[TRUE:.*]] = llir.constant true : i1
// CHECK-NEXT:      %[[NOT:.*]] = llir.xor %[[V]], %[[TRUE]] : i1
// CHECK-NEXT:      llir.if_begin %valid
// CHECK-NEXT:      %[[WIDE:.*]] = llir.zext %[[NOT]] : i1 to i8
// CHECK-NEXT:      %[[Q:.*]] = llir.gep %o[%i] : !llir.ptr<i8>, i32
// CHECK-NEXT:      llir.store %[[WIDE]], %[[Q]] : i8, !llir.ptr<i8>
// CHECK-NEXT:      llir.if_end
// CHECK-NEXT:      llir.loop_end %i : i32

// Constant divisors and shift amounts need no checks (an amount past the width is the table's 0);
// a variable divisor is guarded (x % 0 = 0, x % -1 divides by 1).
// CHECK-LABEL: func.func @ints
// CHECK:           %sd = llir.sdiv %{{.*}}, %three : i32
// CHECK-NEXT:      %[[AMOUNT:.*]] = llir.constant 3 : i32
// CHECK-NEXT:      %[[SM:.*]] = llir.ashr %sd, %[[AMOUNT]] : i32
// CHECK-NEXT:      %[[Z:.*]] = llir.constant 0 : i32
// CHECK-NEXT:      %[[ISZERO:.*]] = llir.icmp eq %[[S:.*]], %[[Z]] : i32
// CHECK-NEXT:      %[[ZERO:.*]] = llir.constant 0 : i32
// CHECK:           %[[REM:.*]] = llir.srem %[[SM]], %{{.*}} : i32
// CHECK-NEXT:      %[[DD:.*]] = llir.select %[[ISZERO]], %[[ZERO]], %[[REM]] : i32
// CHECK-NEXT:      %big = llir.constant -56 : i8
// CHECK-NEXT:      %ud = llir.udiv %{{.*}}, %big : i8
// CHECK-NEXT:      %[[USH:.*]] = llir.constant 0 : i8
// CHECK-NEXT:      %ult = llir.icmp ult %[[USH]], %big : i8
// CHECK-NEXT:      %sn = llir.trunc %[[DD]] : i32 to i8
// CHECK-NEXT:      %w = llir.select %ult, %sn, %[[USH]] : i8

// A float sum into an accumulator may be reassociated, so that LLVM vectorizes the reduction.
// CHECK-LABEL: func.func @sum
// CHECK:           %[[OLD:.*]] = llir.load %acc : !llir.ptr<f32> -> f32
// CHECK-NEXT:      %[[NEW:.*]] = llir.fadd %[[OLD]], %{{.*}} {fastmath = "reassoc"} : f32
// CHECK-NEXT:      llir.store %[[NEW]], %acc : f32, !llir.ptr<f32>
// CHECK-NEXT:      llir.loop_end %k : i32
// CHECK-NEXT:      %[[R1:.*]] = llir.load %acc : !llir.ptr<f32> -> f32
// CHECK-NEXT:      %[[R2:.*]] = llir.load %acc : !llir.ptr<f32> -> f32
// CHECK-NEXT:      %{{.*}} = llir.fadd %[[R1]], %[[R2]] {fastmath = "reassoc"} : f32

// CHECK-LABEL: func.func @host(%a: !st.buffer<4xf32>) -> !st.buffer<4xf32> {
// CHECK-NEXT:    %t = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    llir.kernel "done" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> global [4] {
// CHECK-NEXT:    ^bb0(%p: !llir.ptr<f32>, %q: !llir.ptr<f32>):
// CHECK-NEXT:      llir.ret
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %t : !st.buffer<4xf32>

// Two grid dims: loops around the whole body, gidx1 outside, gidx0 innermost; the accumulator
// becomes an alloca, its reads loads at the point of use.
func.func @reduce(%out: !st.buffer<3x4xf32>, %x: !st.buffer<3x4x8xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<3x4xf32>, !st.buffer<3x4x8xf32> {
  ^bb0(%o: !st.buffer<3x4xf32>, %a: !st.buffer<3x4x8xf32>):
    %g0 = uop.special "gidx0" 4 : i32
    %g1 = uop.special "gidx1" 3 : i32
    %acc = uop.define_acc -inf : f32
    %four = uop.const 4 : i32
    %eight = uop.const 8 : i32
    %row = uop.mul %g1, %four : i32
    %cell = uop.add %row, %g0 : i32
    %base = uop.mul %cell, %eight : i32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f32
    %m = uop.max %acc, %v : f32
    uop.assign %acc, %m : f32
    uop.endrange %k
    %r = uop.exp2 %acc : f32
    uop.store %o[%cell], %r : f32
  }
  func.return
}

// Gated load and store; bool buffers are bytes.
func.func @gated(%out: !st.buffer<8xi1>, %x: !st.buffer<6xi1>) {
  uop.kernel "g0" (%out, %x) : !st.buffer<8xi1>, !st.buffer<6xi1> {
  ^bb0(%o: !st.buffer<8xi1>, %a: !st.buffer<6xi1>):
    %i = uop.special "gidx0" 8 : i32
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    %v = uop.load %a[%i], %valid : i1
    %n = uop.neg %v : i1
    uop.store %o[%i], %n, %valid : i1
  }
  func.return
}

// Unsigned and signed integer semantics.
func.func @ints(%out: !st.buffer<4xui8>, %x: !st.buffer<4xui8>, %y: !st.buffer<4xi32>) {
  uop.kernel "i0" (%out, %x, %y) : !st.buffer<4xui8>, !st.buffer<4xui8>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xui8>, %a: !st.buffer<4xui8>, %b: !st.buffer<4xi32>):
    %i = uop.special "gidx0" 4 : i32
    %u = uop.load %a[%i] : ui8
    %s = uop.load %b[%i] : i32
    %three = uop.const 3 : i32
    %sd = uop.idiv %s, %three : i32
    %sm = uop.shr %sd, %three : i32
    %dd = uop.mod %sm, %s : i32
    %big = uop.const 200 : ui8
    %ud = uop.idiv %u, %big : ui8
    %ush = uop.shr %ud, %big : ui8
    %ult = uop.cmplt %ush, %big : ui8
    %sn = uop.cast %dd : i32 to ui8
    %w = uop.where %ult, %sn, %ush : ui8
    uop.store %o[%i], %w : ui8
  }
  func.return
}

func.func @sum(%out: !st.buffer<1xf32>, %x: !st.buffer<64xf32>) {
  uop.kernel "s0" (%out, %x) : !st.buffer<1xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<1xf32>, %a: !st.buffer<64xf32>):
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 64 : i32
    %v = uop.load %a[%k] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    %twice = uop.add %acc, %acc : f32
    %zero = uop.const 0 : i32
    uop.store %o[%zero], %twice : f32
  }
  func.return
}

// Left alone: host ops, and a kernel that is already llir.
func.func @host(%a: !st.buffer<4xf32>) -> !st.buffer<4xf32> {
  %t = st.alloc : !st.buffer<4xf32>
  llir.kernel "done" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>, %q: !llir.ptr<f32>):
    llir.ret
  }
  func.return %t : !st.buffer<4xf32>
}

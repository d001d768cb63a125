// RUN: tinyir-opt %s -p uop-to-llvm | filecheck %s
// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | filecheck %s --check-prefix=LL
// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | %python -c "import sys, llvmlite.binding as b; b.parse_assembly(sys.stdin.read()).verify(); print('VERIFIED')" | filecheck %s --check-prefix=VERIFY
// CPU lowering (tinyir/targets/llvm/masked_loads.py, hints.py): a run of 4 loads of consecutive
// elements with a gate per lane (a padded window's tile) becomes one masked vector load, whose
// lane 0 may be off the buffer (a plain GEP, no `inbounds`); an ungated lane's gate is `true`.
// Runs of plain loads, runs across a store to the buffer, and runs with a gap stay scalar.
// In a loop left to SLP (an upcast body), an accumulator's update with a product is one llvm.fma
// (hints.py, on a CPU with FMA); a product not added into an accumulator stays an fmul.

// CHECK-LABEL: func.func @window
// CHECK:         %[[TRUE:.*]] = llir.constant true
// CHECK-NEXT:    %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = llir.masked_vload %a[%{{.*}}], %left, %[[TRUE]], %[[TRUE]], %right : !llir.ptr<f32>, i32 -> 4 x f32
// CHECK-NOT:     llir.masked_vload
// CHECK:         %{{.*}} = llir.call "llvm.fma.f32"(%x0, %wk_1, %{{.*}}) : (f32, f32, f32) -> f32
// CHECK:         llir.fmul %plain, %plain_1 {fastmath = "reassoc"} : f32
// CHECK:         llir.fadd %{{.*}}, %t {fastmath = "reassoc"} : f32
// LL-LABEL: define void @w0(
// LL:         %[[M0:.*]] = insertelement <4 x i1> poison, i1 %left, i32 0
// LL:         %[[P:.*]] = getelementptr float, ptr %a, i64 %{{.*}}
// LL-NEXT:    %[[V:.*]] = call <4 x float> @llvm.masked.load.v4f32.p0(ptr %[[P]], i32 4, <4 x i1> %{{.*}}, <4 x float> zeroinitializer)
// LL-NEXT:    %{{.*}} = extractelement <4 x float> %[[V]], i32 0
// LL:         call float @llvm.fma.f32(float %x0,
// LL:       declare <4 x float> @llvm.masked.load.v4f32.p0(ptr, i32, <4 x i1>, <4 x float>)
// VERIFY: VERIFIED
func.func @window(%out: !st.buffer<8x8xf32>, %x: !st.buffer<8x8xf32>, %w: !st.buffer<4xf32>) {
  uop.kernel "w0" (%out, %x, %w) : !st.buffer<8x8xf32>, !st.buffer<8x8xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<8x8xf32>, %a: !st.buffer<8x8xf32>, %b: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 2 : i32
    %zero = uop.const 0 : i32
    %four = uop.const 4 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %m1 = uop.const -1 : i32
    %col = uop.mul %g, %four : i32
    %left = uop.cmplt %zero, %col : i32
    %seven = uop.const 7 : i32
    %right = uop.cmplt %col, %seven : i32
    %acc0 = uop.define_acc 0.0 : f32
    %acc1 = uop.define_acc 0.0 : f32
    %acc2 = uop.define_acc 0.0 : f32
    %acc3 = uop.define_acc 0.0 : f32
    %k = uop.range 0, 8 : i32
    %eight = uop.const 8 : i32
    %row = uop.mul %k, %eight : i32
    %base = uop.add %row, %col : i32
    %i0 = uop.add %base, %m1 : i32
    %i2 = uop.add %base, %c1 : i32
    %i3 = uop.add %base, %c2 : i32
    %x0 = uop.load %a[%i0], %left : f32
    %x1 = uop.load %a[%base] : f32
    %x2 = uop.load %a[%i2] : f32
    %x3 = uop.load %a[%i3], %right : f32
    %wk = uop.load %b[%zero] : f32
    %p0 = uop.mul %x0, %wk : f32
    %p1 = uop.mul %x1, %wk : f32
    %p2 = uop.mul %x2, %wk : f32
    %p3 = uop.mul %x3, %wk : f32
    %s0 = uop.add %acc0, %p0 : f32
    %s1 = uop.add %acc1, %p1 : f32
    %s2 = uop.add %acc2, %p2 : f32
    %s3 = uop.add %acc3, %p3 : f32
    uop.assign %acc0, %s0 : f32
    uop.assign %acc1, %s1 : f32
    uop.assign %acc2, %s2 : f32
    uop.assign %acc3, %s3 : f32
    uop.endrange %k
    %plain = uop.mul %acc0, %acc1 : f32
    %t = uop.add %plain, %acc2 : f32
    %u = uop.add %t, %acc3 : f32
    uop.store %o[%col], %u : f32
  }
  func.return
}

// Plain loads (SLP's), a gap, and a store to the same buffer between the loads: all scalar.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     llir.masked_vload
// CHECK:         llir.ret
func.func @left_alone(%x: !st.buffer<16xf32>, %y: !st.buffer<16xf32>) {
  uop.kernel "l0" (%x, %y) : !st.buffer<16xf32>, !st.buffer<16xf32> {
  ^bb0(%a: !st.buffer<16xf32>, %o: !st.buffer<16xf32>):
    %g = uop.special "gidx0" 2 : i32
    %four = uop.const 4 : i32
    %zero = uop.const 0 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c5 = uop.const 5 : i32
    %base = uop.mul %g, %four : i32
    %on = uop.cmplt %zero, %g : i32
    %i1 = uop.add %base, %c1 : i32
    %i2 = uop.add %base, %c2 : i32
    %i3 = uop.add %base, %c3 : i32
    %i5 = uop.add %base, %c5 : i32
    %p0 = uop.load %a[%base] : f32
    %p1 = uop.load %a[%i1] : f32
    %p2 = uop.load %a[%i2] : f32
    %p3 = uop.load %a[%i3] : f32
    %q0 = uop.load %a[%base], %on : f32
    %q1 = uop.load %a[%i1], %on : f32
    %q2 = uop.load %a[%i2], %on : f32
    %q5 = uop.load %a[%i5], %on : f32
    %r0 = uop.load %o[%base], %on : f32
    %r1 = uop.load %o[%i1], %on : f32
    uop.store %o[%i2], %p0 : f32
    %r2 = uop.load %o[%i2], %on : f32
    %r3 = uop.load %o[%i3], %on : f32
    %s = uop.add %p1, %p2 : f32
    %s1 = uop.add %s, %p3 : f32
    %s2 = uop.add %s1, %q0 : f32
    %s3 = uop.add %s2, %q1 : f32
    %s4 = uop.add %s3, %q2 : f32
    %s5 = uop.add %s4, %q5 : f32
    %s6 = uop.add %s5, %r0 : f32
    %s7 = uop.add %s6, %r1 : f32
    %s8 = uop.add %s7, %r2 : f32
    %s9 = uop.add %s8, %r3 : f32
    uop.store %o[%base], %s9 : f32
  }
  func.return
}

// RUN: tinyir-opt %s -p uop-to-llvm | filecheck %s
// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | filecheck %s --check-prefix=LL
// uop-to-llvm's hints for LLVM (tinyir/targets/llvm/hints.py): index math that cannot wrap gets
// `nsw` (and `nuw` when it is never negative); math that may wrap or reads loaded data keeps plain
// wrap-around instructions. An innermost loop updating several accumulators from loads that
// stride along it is an upcast body: `vectorize = false`, so that SLP packs its copies instead.
// Only the outermost grid loop is parallel.

// CHECK-LABEL: func.func @upcast
// CHECK:         %j = llir.loop_begin 0 to 4 {dim = "gidx1", parallel} : i32
// CHECK-NEXT:    %i = llir.loop_begin 0 to 8 {dim = "gidx0"} : i32
// CHECK:         %col = llir.mul %i, %c4 {overflow = "nuw nsw"} : i32
// CHECK:         %k = llir.loop_begin 0 to 16 {vectorize = false} : i32
// CHECK:         %row = llir.mul %k, %c32 {overflow = "nuw nsw"} : i32
// CHECK-NEXT:    %base = llir.add %row, %col {overflow = "nuw nsw"} : i32
// CHECK-NEXT:    %ix1 = llir.add %base, %c1 {overflow = "nuw nsw"} : i32
// A negative constant: never unsigned-safe, still no signed wrap.
// CHECK:         %back = llir.add %col, %m1 {overflow = "nsw"} : i32
// Too big to be proven: plain.
// CHECK:         %huge = llir.mul %j, %big : i32
// Loaded data: plain.
// CHECK:         %data = llir.add %{{.*}}, %{{.*}} : i32
// LL-LABEL: define void @u0(
// LL:         br i1 %k.done, label %{{.*}}.exit, label %{{.*}}, !llvm.loop ![[MD:[0-9]+]]
// LL:       ![[MD]] = distinct !{![[MD]], ![[PROP:[0-9]+]]}
// LL-NEXT:  ![[PROP]] = !{!"llvm.loop.vectorize.width", i32 1}
func.func @upcast(%out: !st.buffer<4x32xf32>, %x: !st.buffer<16x32xf32>, %n: !st.buffer<4xi32>) {
  uop.kernel "u0" (%out, %x, %n) : !st.buffer<4x32xf32>, !st.buffer<16x32xf32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4x32xf32>, %a: !st.buffer<16x32xf32>, %ni: !st.buffer<4xi32>):
    %i = uop.special "gidx0" 8 : i32
    %j = uop.special "gidx1" 4 : i32
    %acc0 = uop.define_acc 0.0 : f32
    %acc1 = uop.define_acc 0.0 : f32
    %c1 = uop.const 1 : i32
    %c4 = uop.const 4 : i32
    %c32 = uop.const 32 : i32
    %m1 = uop.const -1 : i32
    %big = uop.const 1000000000 : i32
    %col = uop.mul %i, %c4 : i32
    %k = uop.range 0, 16 : i32
    %row = uop.mul %k, %c32 : i32
    %base = uop.add %row, %col : i32
    %ix1 = uop.add %base, %c1 : i32
    %v0 = uop.load %a[%base] : f32
    %v1 = uop.load %a[%ix1] : f32
    %s0 = uop.add %acc0, %v0 : f32
    uop.assign %acc0, %s0 : f32
    %s1 = uop.add %acc1, %v1 : f32
    uop.assign %acc1, %s1 : f32
    uop.endrange %k
    %back = uop.add %col, %m1 : i32
    %huge = uop.mul %j, %big : i32
    %n1 = uop.load %ni[%j] : i32
    %data = uop.add %n1, %n1 : i32
    %o1 = uop.add %col, %c1 : i32
    uop.store %o[%col], %acc0 : f32
    uop.store %o[%o1], %acc1 : f32
    uop.store %ni[%j], %data : i32
  }
  func.return
}

// A reduction over a contiguous axis (row sums, two rows per thread): LLVM may vectorize it.
// CHECK-LABEL: func.func @rowsum
// CHECK:         %k = llir.loop_begin 0 to 64 : i32
// One accumulator: nothing for SLP to pack, the loop is LLVM's to vectorize (gathers or not).
// CHECK-LABEL: func.func @colsum
// CHECK:         %k = llir.loop_begin 0 to 64 : i32
func.func @rowsum(%out: !st.buffer<8xf32>, %x: !st.buffer<8x64xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<8xf32>, !st.buffer<8x64xf32> {
  ^bb0(%o: !st.buffer<8xf32>, %a: !st.buffer<8x64xf32>):
    %g = uop.special "gidx0" 4 : i32
    %acc0 = uop.define_acc 0.0 : f32
    %acc1 = uop.define_acc 0.0 : f32
    %c64 = uop.const 64 : i32
    %c128 = uop.const 128 : i32
    %r0 = uop.mul %g, %c128 : i32
    %r1 = uop.add %r0, %c64 : i32
    %k = uop.range 0, 64 : i32
    %i0 = uop.add %r0, %k : i32
    %i1 = uop.add %r1, %k : i32
    %v0 = uop.load %a[%i0] : f32
    %v1 = uop.load %a[%i1] : f32
    %s0 = uop.add %acc0, %v0 : f32
    uop.assign %acc0, %s0 : f32
    %s1 = uop.add %acc1, %v1 : f32
    uop.assign %acc1, %s1 : f32
    uop.endrange %k
    uop.store %o[%g], %acc0 : f32
  }
  func.return
}
func.func @colsum(%out: !st.buffer<64xf32>, %x: !st.buffer<64x64xf32>) {
  uop.kernel "c0" (%out, %x) : !st.buffer<64xf32>, !st.buffer<64x64xf32> {
  ^bb0(%o: !st.buffer<64xf32>, %a: !st.buffer<64x64xf32>):
    %g = uop.special "gidx0" 64 : i32
    %acc = uop.define_acc 0.0 : f32
    %c64 = uop.const 64 : i32
    %k = uop.range 0, 64 : i32
    %row = uop.mul %k, %c64 : i32
    %i = uop.add %row, %g : i32
    %v = uop.load %a[%i] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %o[%g], %acc : f32
  }
  func.return
}

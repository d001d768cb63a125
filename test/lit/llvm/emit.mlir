// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | filecheck %s
// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | %python -c "import sys, llvmlite.binding as b; b.parse_assembly(sys.stdin.read()).verify(); print('VERIFIED')" | filecheck %s --check-prefix=LLVM
// -t llvm prints real LLVM IR: rotated loops with a phi per induction variable, the accumulator
// alloca in the entry block, byte-wide bools, intrinsics declared once; LLVM parses and verifies it.
// The outermost grid loop is parallel: it runs over [%start, %end), two trailing i32 parameters,
// and skips an empty part; index math that cannot wrap is nsw. WIDE-INDEX: a host kernel prints its
// loop indices and the nsw index math built from them in i64 (%start and %end sign-extended once).

// LLVM: VERIFIED

// CHECK:       target datalayout = "{{.+}}"
// CHECK-NEXT:  target triple = "{{.+}}"

// CHECK-LABEL: define void @r0(ptr noalias %o, ptr noalias %a, i32 %start, i32 %end) #0 {
// CHECK-NEXT:  entry:
// CHECK-NEXT:    %acc = alloca float, align 4
// CHECK-NEXT:    %[[L1:loop[0-9]*]].lo = sext i32 %start to i64
// CHECK-NEXT:    %[[L1]].hi = sext i32 %end to i64
// CHECK-NEXT:    %[[L1]].any = icmp slt i32 %start, %end
// CHECK-NEXT:    br i1 %[[L1]].any, label %[[L1]], label %[[L1]].exit
// CHECK-NEXT:  [[L1]]:
// CHECK-NEXT:    %g0 = phi i64 [ %[[L1]].lo, %entry ], [ %g0.next, %[[L2:loop[0-9]*]].exit ]
// CHECK-NEXT:    store float 0xFFF0000000000000, ptr %acc, align 4
// CHECK-NEXT:    %base = mul nuw nsw i64 %g0, 8
// CHECK-NEXT:    br label %[[L2]]
// CHECK-NEXT:  [[L2]]:
// CHECK-NEXT:    %k = phi i64 [ 0, %[[L1]] ], [ %k.next, %[[L2]] ]
// CHECK-NEXT:    %idx = add nuw nsw i64 %base, %k
// CHECK-NEXT:    %[[P:.*]] = getelementptr inbounds float, ptr %a, i64 %idx
// CHECK-NEXT:    %[[V:.*]] = load float, ptr %[[P]], align 4
// CHECK-NEXT:    %[[OLD:.*]] = load float, ptr %acc, align 4
// CHECK-NEXT:    %[[MAX:.*]] = call float @llvm.maximum.f32(float %[[OLD]], float %[[V]])
// CHECK-NEXT:    store float %[[MAX]], ptr %acc, align 4
// CHECK-NEXT:    %k.next = add nuw nsw i64 %k, 1
// CHECK-NEXT:    %k.done = icmp eq i64 %k.next, 8
// CHECK-NEXT:    br i1 %k.done, label %[[L2]].exit, label %[[L2]]
// CHECK-NEXT:  [[L2]].exit:
// CHECK-NEXT:    %[[R:.*]] = load float, ptr %acc, align 4
// CHECK-NEXT:    %[[S:.*]] = call float @llvm.sqrt.f32(float %[[R]])
// CHECK-NEXT:    %[[Q:.*]] = getelementptr inbounds float, ptr %o, i64 %g0
// CHECK-NEXT:    store float %[[S]], ptr %[[Q]], align 4
// CHECK-NEXT:    %g0.next = add nuw nsw i64 %g0, 1
// CHECK-NEXT:    %g0.done = icmp eq i64 %g0.next, %[[L1]].hi
// CHECK-NEXT:    br i1 %g0.done, label %[[L1]].exit, label %[[L1]]
// CHECK-NEXT:  [[L1]].exit:
// CHECK-NEXT:    ret void
// CHECK-NEXT:  }
func.func @reduce(%out: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %a: !st.buffer<4x8xf32>):
    %g0 = uop.special "gidx0" 4 : i32
    %acc = uop.define_acc -inf : f32
    %eight = uop.const 8 : i32
    %base = uop.mul %g0, %eight : i32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f32
    %m = uop.max %acc, %v : f32
    uop.assign %acc, %m : f32
    uop.endrange %k
    %r = uop.sqrt %acc : f32
    uop.store %o[%g0], %r : f32
  }
  func.return
}

// A gated store is a branch around it; bools are stored as zero-extended bytes; f16 is half.
// CHECK-LABEL: define void @g0(ptr noalias %o, ptr noalias %a, i32 %start, i32 %end) #0 {
// CHECK:         %[[H:.*]] = load half, ptr %{{.*}}, align 2
// CHECK-NEXT:    %[[GT:.*]] = fcmp olt half 0xH3C00, %[[H]]
// CHECK-NEXT:    %valid = icmp slt i64 %i, 6
// CHECK-NEXT:    br i1 %valid, label %[[IF:if[0-9]*]], label %[[IF]].end
// CHECK-NEXT:  [[IF]]:
// CHECK-NEXT:    %[[B:.*]] = zext i1 %[[GT]] to i8
// CHECK-NEXT:    %[[P:.*]] = getelementptr inbounds i8, ptr %o, i64 %i
// CHECK-NEXT:    store i8 %[[B]], ptr %[[P]], align 1
// CHECK-NEXT:    br label %[[IF]].end
// CHECK-NEXT:  [[IF]].end:
func.func @gated(%out: !st.buffer<8xi1>, %x: !st.buffer<8xf16>) {
  uop.kernel "g0" (%out, %x) : !st.buffer<8xi1>, !st.buffer<8xf16> {
  ^bb0(%o: !st.buffer<8xi1>, %a: !st.buffer<8xf16>):
    %i = uop.special "gidx0" 8 : i32
    %h = uop.load %a[%i] : f16
    %one = uop.const 1.0 : f16
    %gt = uop.cmplt %one, %h : f16
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    uop.store %o[%i], %gt, %valid : i1
  }
  func.return
}

// CHECK-DAG: declare float @llvm.maximum.f32(float, float)
// CHECK-DAG: declare float @llvm.sqrt.f32(float)
// CHECK:     attributes #0 = { nounwind }

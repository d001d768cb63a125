// RUN: tinyir-opt %s -p uop-to-llvm | filecheck %s
// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | %python -c "import sys, llvmlite.binding as b; b.parse_assembly(sys.stdin.read()).verify(); print('VERIFIED')" | filecheck %s --check-prefix=VERIFY
// CPU lowering (tinyir/targets/llvm/masked_loads.py): loads of every other element (a stride-2
// convolution's tile) become one masked vector load whose odd lanes are gate-false (no memory is
// touched there); a run of 5 to 7 consecutive loads (a 7-wide row) is one vector of 8 whose
// extra lanes are gate-false. A run of 3 loads stays scalar.

// CHECK-LABEL: func.func @stride_two
// CHECK-DAG:     %[[TRUE:.*]] = llir.constant true
// CHECK-DAG:     %[[FALSE:.*]] = llir.constant false
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = llir.masked_vload %a[%base], %[[TRUE]], %[[FALSE]], %[[TRUE]], %[[FALSE]], %[[TRUE]], %[[FALSE]], %[[TRUE]], %[[FALSE]] : !llir.ptr<f32>, i32 -> 8 x f32
// CHECK-NOT:     llir.masked_vload
// CHECK-NOT:     llir.load
// CHECK:         llir.ret
func.func @stride_two(%x: !st.buffer<64xf32>, %y: !st.buffer<32xf32>) {
  uop.kernel "s0" (%y, %x) : !st.buffer<32xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<32xf32>, %a: !st.buffer<64xf32>):
    %g = uop.special "gidx0" 8 : i32
    %four = uop.const 4 : i32
    %eight = uop.const 8 : i32
    %c2 = uop.const 2 : i32
    %c4 = uop.const 4 : i32
    %c6 = uop.const 6 : i32
    %c1 = uop.const 1 : i32
    %c3 = uop.const 3 : i32
    %base = uop.mul %g, %eight : i32
    %col = uop.mul %g, %four : i32
    %i2 = uop.add %base, %c2 : i32
    %i4 = uop.add %base, %c4 : i32
    %i6 = uop.add %base, %c6 : i32
    %x0 = uop.load %a[%base] : f32
    %x1 = uop.load %a[%i2] : f32
    %x2 = uop.load %a[%i4] : f32
    %x3 = uop.load %a[%i6] : f32
    %o1 = uop.add %col, %c1 : i32
    %o2 = uop.add %col, %c2 : i32
    %o3 = uop.add %col, %c3 : i32
    uop.store %o[%col], %x0 : f32
    uop.store %o[%o1], %x1 : f32
    uop.store %o[%o2], %x2 : f32
    uop.store %o[%o3], %x3 : f32
  }
  func.return
}

// CHECK-LABEL: func.func @seven_wide
// CHECK-DAG:     %[[TRUE:.*]] = llir.constant true
// CHECK-DAG:     %[[FALSE:.*]] = llir.constant false
// CHECK:         llir.masked_vload %a[%base], %[[TRUE]], %[[TRUE]], %[[TRUE]], %[[TRUE]], %[[TRUE]], %[[TRUE]], %[[TRUE]], %[[FALSE]] : !llir.ptr<f32>, i32 -> 8 x f32
// CHECK-NOT:     llir.masked_vload
// CHECK:         llir.ret
func.func @seven_wide(%x: !st.buffer<56xf32>, %y: !st.buffer<8xf32>) {
  uop.kernel "w0" (%y, %x) : !st.buffer<8xf32>, !st.buffer<56xf32> {
  ^bb0(%o: !st.buffer<8xf32>, %a: !st.buffer<56xf32>):
    %g = uop.special "gidx0" 8 : i32
    %seven = uop.const 7 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %c5 = uop.const 5 : i32
    %c6 = uop.const 6 : i32
    %base = uop.mul %g, %seven : i32
    %i1 = uop.add %base, %c1 : i32
    %i2 = uop.add %base, %c2 : i32
    %i3 = uop.add %base, %c3 : i32
    %i4 = uop.add %base, %c4 : i32
    %i5 = uop.add %base, %c5 : i32
    %i6 = uop.add %base, %c6 : i32
    %x0 = uop.load %a[%base] : f32
    %x1 = uop.load %a[%i1] : f32
    %x2 = uop.load %a[%i2] : f32
    %x3 = uop.load %a[%i3] : f32
    %x4 = uop.load %a[%i4] : f32
    %x5 = uop.load %a[%i5] : f32
    %x6 = uop.load %a[%i6] : f32
    %s1 = uop.add %x0, %x1 : f32
    %s2 = uop.add %s1, %x2 : f32
    %s3 = uop.add %s2, %x3 : f32
    %s4 = uop.add %s3, %x4 : f32
    %s5 = uop.add %s4, %x5 : f32
    %s6 = uop.add %s5, %x6 : f32
    uop.store %o[%g], %s6 : f32
  }
  func.return
}

// CHECK-LABEL: func.func @three_stay_scalar
// CHECK-NOT:     llir.masked_vload
// CHECK:         llir.ret
func.func @three_stay_scalar(%x: !st.buffer<24xf32>, %y: !st.buffer<8xf32>) {
  uop.kernel "t0" (%y, %x) : !st.buffer<8xf32>, !st.buffer<24xf32> {
  ^bb0(%o: !st.buffer<8xf32>, %a: !st.buffer<24xf32>):
    %g = uop.special "gidx0" 8 : i32
    %three = uop.const 3 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %base = uop.mul %g, %three : i32
    %i1 = uop.add %base, %c1 : i32
    %i2 = uop.add %base, %c2 : i32
    %x0 = uop.load %a[%base] : f32
    %x1 = uop.load %a[%i1] : f32
    %x2 = uop.load %a[%i2] : f32
    %s1 = uop.add %x0, %x1 : f32
    %s2 = uop.add %s1, %x2 : f32
    uop.store %o[%g], %s2 : f32
  }
  func.return
}
// VERIFY: VERIFIED

// REQUIRES: ptxas
// RUN: tinyir-opt %S/workgroups.mlir -p 'uop-to-ptx{arch=sm_80 ptx-version=8.0}' -t ptx > %t.80.ptx
// RUN: ptxas -arch=sm_80 %t.80.ptx -o %t.80.cubin
// RUN: tinyir-opt %S/workgroups.mlir -p 'uop-to-ptx{arch=sm_90a ptx-version=9.0}' -t ptx > %t.90.ptx
// RUN: ptxas -arch=sm_90a %t.90.ptx -o %t.90.cubin
// RUN: tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s
// The work-group kernel of workgroups.mlir assembles for sm_80 and sm_90a; the ptx work-group ops
// round-trip through the generic form.

// CHECK-LABEL: func.func @ops
// CHECK:         %s = ptx.shared !st.buffer<32xi1> : i64
// CHECK-NEXT:    ptx.bar_sync
func.func @ops(%a: !st.buffer<4xf32>) {
  ptx.kernel "k" target "sm_80" version "8.0" global [32, 1, 1] block [32, 1, 1] (%a) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %s = ptx.shared !st.buffer<32xi1> : i64
    ptx.bar_sync
  }
  func.return
}

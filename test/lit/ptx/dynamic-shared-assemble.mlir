// REQUIRES: ptxas
// RUN: tinyir-opt %S/dynamic-shared.mlir -p 'uop-to-ptx{arch=sm_80}' -t ptx > %t.80.ptx
// RUN: ptxas -arch=sm_80 -v %t.80.ptx -o %t.80.cubin 2>&1 | filecheck %s
// RUN: tinyir-opt %S/dynamic-shared.mlir -p 'uop-to-ptx{arch=sm_90a ptx-version=9.0}' -t ptx > %t.90.ptx
// RUN: ptxas -arch=sm_90a -v %t.90.ptx -o %t.90.cubin 2>&1 | filecheck %s
// The dynamic shared array assembles: ptxas counts no static shared memory for the big kernel (its
// bytes come at launch), 49152 for the small one.
// CHECK: Compiling entry function 'small'
// CHECK: 49152 bytes smem
// CHECK: Compiling entry function 'big'
// CHECK-NOT: smem
// CHECK: Compile time

// REQUIRES: ptxas
// RUN: tinyir-opt %s --pass-pipeline='builtin.module(tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-ptx)' | filecheck %s
// RUN: tinyir-opt %s --pass-pipeline='builtin.module(tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-ptx{arch=sm_90a ptx-version=9.0})' -t ptx > %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin
// PTX has no float remainder: tir.fmod becomes exact long division (tinyir/targets/ptx/fmod.py):
// |y| scaled by 2**23 twelve times, then 13 steps from the largest scale down, each a correctly
// rounded quotient truncated (cvt.rzi), an exact fma, a fix-up where it went one past, and a select
// that skips the step unless r >= the scaled divisor; x's sign bit goes back on at the end.

// CHECK-LABEL: func.func @main
// CHECK:        %[[A:.*]] = ptx.ld global %{{.*}} : f32
// CHECK:        %[[B:.*]] = ptx.ld global %{{.*}} : f32
// CHECK:        %[[SCALE:.*]] = ptx.const 8388608.0 : f32
// CHECK-COUNT-12: ptx.mul rn %{{.*}}, %[[SCALE]] : f32
// CHECK-COUNT-13: ptx.cvt rzi %{{.*}} : f32 to f32
// CHECK-NOT:    ptx.cvt rzi
// CHECK:        ptx.setp nan %[[A]], %[[B]] : f32
// CHECK-NOT:    ptx.rem
func.func @main(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %0 = tir.fmod %a, %b : tensor<8xf32>
  func.return %0 : tensor<8xf32>
}

// GPUs have three grid dimensions: outer output dims beyond `max_global_dims` share one global
// range, split back into per-dim indices with idiv/mod. A kernel within the limit is left alone.
// RUN: tinyir-opt %s --split-input-file -p 'schedule-kernels,fold-views,shapetracker-to-loop' | filecheck %s
// RUN: tinyir-opt %s -p 'schedule-kernels,fold-views,shapetracker-to-loop{max_global_dims=5}' | filecheck %s --check-prefix=WIDE
// RUN: not tinyir-opt %s -p 'schedule-kernels,fold-views,shapetracker-to-loop{max_global_dims=0}' 2>&1 | filecheck %s --check-prefix=BAD

// CHECK-LABEL: loop.kernel "k0"
// CHECK:         %[[M:.*]] = loop.range 24 global : i32
// CHECK-NEXT:    loop.range 5 global : i32
// CHECK-NEXT:    loop.range 6 global : i32
// CHECK-NOT:     loop.range
// CHECK:         uop.mod %[[M]], %{{.*}} : i32
// CHECK:         uop.idiv %[[M]], %{{.*}} : i32
// WIDE:          loop.range 2 global : i32
// WIDE-NEXT:     loop.range 3 global : i32
// WIDE-NEXT:     loop.range 4 global : i32
// WIDE-NEXT:     loop.range 5 global : i32
// WIDE-NEXT:     loop.range 6 global : i32
// BAD: max_global_dims must be at least 1, got 0
func.func @main(%a: tensor<2x3x4x5x6xf32>) -> tensor<2x3x4x5x6xf32> {
  %e = tir.exp2 %a : tensor<2x3x4x5x6xf32>
  func.return %e : tensor<2x3x4x5x6xf32>
}

// -----
// CHECK-LABEL: loop.kernel "k0"
// CHECK:         loop.range 4 global : i32
// CHECK-NEXT:    loop.range 5 global : i32
// CHECK-NEXT:    loop.range 6 global : i32
// CHECK-NOT:     uop.idiv
func.func @three(%a: tensor<4x5x6xf32>) -> tensor<4x5x6xf32> {
  %e = tir.exp2 %a : tensor<4x5x6xf32>
  func.return %e : tensor<4x5x6xf32>
}

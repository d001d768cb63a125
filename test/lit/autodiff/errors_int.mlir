// RUN: not tinyir-opt %s -p 'tensor-autodiff{wrt=0}' 2>&1 | filecheck %s
// CHECK: tensor-autodiff: argument 0 has type tensor<4xi32>; only float arguments have gradients
func.func @main(%k: tensor<4xi32>, %x: tensor<f32>) -> tensor<f32> {
  func.return %x : tensor<f32>
}

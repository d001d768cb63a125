// Bad uses of the pass: one clear message each.
// RUN: not tinyir-opt %s -p 'tensor-autodiff' 2>&1 | filecheck %s --check-prefix=SCALAR
// RUN: not tinyir-opt %s -p 'tensor-autodiff{wrt=5}' 2>&1 | filecheck %s --check-prefix=RANGE
// RUN: not tinyir-opt %s -p 'tensor-autodiff{func=nope}' 2>&1 | filecheck %s --check-prefix=FUNC

// SCALAR: tensor-autodiff: result 0 has shape [4]; differentiate a scalar or pass seeded=true
// RANGE: tensor-autodiff: wrt index 5 is out of range (1 arguments)
// FUNC: tensor-autodiff: no function @nope
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tir.neg %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

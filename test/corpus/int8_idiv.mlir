// i8 division and remainder, recombined: (a / b) * b + a % b == a.
// NONZERO: b
// NUMPY: out = a
func.func @main(%a: tensor<16xi8>, %b: tensor<16xi8>) -> tensor<16xi8> {
  %q = tir.idiv %a, %b : tensor<16xi8>
  %r = tir.mod %a, %b : tensor<16xi8>
  %0 = tir.mul %q, %b : tensor<16xi8>
  %1 = tir.add %0, %r : tensor<16xi8>
  func.return %1 : tensor<16xi8>
}

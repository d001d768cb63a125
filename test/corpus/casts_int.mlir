// Integer widening and narrowing: i8 -> i32, i32 -> i8 wraps, ui8 -> f32.
// NUMPY: out0 = a.astype(np.int32) * 1000
// NUMPY: out1 = (a.astype(np.int32) * 1000).astype(np.int8)
// NUMPY: out2 = u.astype(np.float32)
func.func @main(%a: tensor<12xi8>, %u: tensor<12xui8>) -> (tensor<12xi32>, tensor<12xi8>, tensor<12xf32>) {
  %k = tir.constant dense<1000> : tensor<12xi32>
  %0 = tir.cast %a : tensor<12xi8> to tensor<12xi32>
  %1 = tir.mul %0, %k : tensor<12xi32>
  %2 = tir.cast %1 : tensor<12xi32> to tensor<12xi8>
  %3 = tir.cast %u : tensor<12xui8> to tensor<12xf32>
  func.return %1, %2, %3 : tensor<12xi32>, tensor<12xi8>, tensor<12xf32>
}

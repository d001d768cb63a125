// Bitcast f32 -> i32 and extract the exponent field with shr/and.
// NUMPY: out = (a.view(np.int32) >> 23) & 255
func.func @main(%a: tensor<4x8xf32>) -> tensor<4x8xi32> {
  %s = tir.constant dense<23> : tensor<4x8xi32>
  %m = tir.constant dense<255> : tensor<4x8xi32>
  %0 = tir.bitcast %a : tensor<4x8xf32> to tensor<4x8xi32>
  %1 = tir.shr %0, %s : tensor<4x8xi32>
  %2 = tir.and %1, %m : tensor<4x8xi32>
  func.return %2 : tensor<4x8xi32>
}

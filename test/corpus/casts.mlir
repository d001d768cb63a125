// Value casts: f32->i32 truncates toward zero, i32->f32, f32->i1 is != 0, i1->f32 is 0/1, f32->f16.
// NUMPY: t = (a * 3.0).astype(np.int32)
// NUMPY: out0 = t
// NUMPY: out1 = t.astype(np.float32) + (t != 0).astype(np.float32)
// NUMPY: out2 = a.astype(np.float16)
func.func @main(%a: tensor<4x4xf32>) -> (tensor<4x4xi32>, tensor<4x4xf32>, tensor<4x4xf16>) {
  %three = tir.constant dense<3.0> : tensor<4x4xf32>
  %0 = tir.mul %a, %three : tensor<4x4xf32>
  %1 = tir.cast %0 : tensor<4x4xf32> to tensor<4x4xi32>
  %2 = tir.cast %1 : tensor<4x4xi32> to tensor<4x4xf32>
  %3 = tir.cast %1 : tensor<4x4xi32> to tensor<4x4xi1>
  %4 = tir.cast %3 : tensor<4x4xi1> to tensor<4x4xf32>
  %5 = tir.add %2, %4 : tensor<4x4xf32>
  %6 = tir.cast %a : tensor<4x4xf32> to tensor<4x4xf16>
  func.return %1, %5, %6 : tensor<4x4xi32>, tensor<4x4xf32>, tensor<4x4xf16>
}

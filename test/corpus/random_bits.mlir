// Counter-based random bits, checked against the hash written out in numpy.
// NUMPY: def lsr(h, s): return (h >> s) & np.int32((1 << (32 - s)) - 1)
// NUMPY: h = np.arange(12, dtype=np.int32) + (k + np.int32(1)) * np.int32(-1640531527)
// NUMPY: h = h ^ lsr(h, 16); h = h * np.int32(0x7FEB352D)
// NUMPY: h = h ^ lsr(h, 15); h = h * np.int32(0x846CA68B - 2**32)
// NUMPY: h = h ^ lsr(h, 16)
// NUMPY: out = h.reshape(3, 4)
func.func @main(%k: tensor<i32>) -> tensor<3x4xi32> {
  %0 = tir.random_bits %k : tensor<i32> -> tensor<3x4xi32>
  func.return %0 : tensor<3x4xi32>
}

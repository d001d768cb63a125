// REQUIRES: ptxas
// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a kernel=k0 actions="tc:2:2,upcast:0:2,local:0:2,stage:2:2"}' -t ptx > %t.ptx
// RUN: ptxas -arch=sm_90a %t.ptx -o %t.cubin 2>&1 | filecheck %s --allow-empty
// RUN: env TINYIR_WGMMA_MN_MAJOR=1 TINYIR_WGMMA_SWIZZLE=0 tinyir-opt %s -p 'lower-to-ptx{arch=sm_90a kernel=k1 actions="tc:2:1,stage:2:0"}' -t ptx > %t1.ptx
// RUN: ptxas -arch=sm_90a %t1.ptx -o %t1.cubin 2>&1 | filecheck %s --allow-empty
// RUN: grep -c wgmma.mma_async %t.ptx %t1.ptx | filecheck %s --check-prefix=COUNT
// ptxas accepts the wgmma kernels (k0 bf16, two warpgroups of two m64n128 tiles; k1 one m64n64 with a
// padded m and n; the other kernel of each run is on the heuristics' mma.sync) and does not
// serialize their wgmmas for want of registers (warning C7511). k0's tiles are pipelined by cp.async
// (uop-async-copy) and its chunk's 2 k steps unrolled: 2 x 2 wgmmas.

// CHECK-NOT:  C7511
// COUNT: .tmp.ptx:4
// COUNT: .tmp1.ptx:1
func.func @main(%a: tensor<256x64xbf16>, %b: tensor<64x256xbf16>, %c: tensor<100x32xf16>, %d: tensor<32x70xf16>) -> (tensor<256x256xbf16>, tensor<100x70xf16>) {
  %0 = tir.matmul %a, %b : tensor<256x64xbf16>, tensor<64x256xbf16> -> tensor<256x256xbf16>
  %1 = tir.matmul %c, %d : tensor<100x32xf16>, tensor<32x70xf16> -> tensor<100x70xf16>
  func.return %0, %1 : tensor<256x256xbf16>, tensor<100x70xf16>
}

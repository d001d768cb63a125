// RUN: tinyir-opt %s | filecheck %s
// RUN: tinyir-opt %s | tinyir-opt | filecheck %s
// In tir.constant's custom syntax a hex literal of a float type is its bit pattern, as MLIR (and
// the printer, for inf and nan) writes it: 0x7F800000 is +inf, not 2139095040.0. (Not checked
// through the generic form: xDSL's own attribute parser reads such literals as integers.)
// Quoted hex data (how xDSL prints large values) is the elements' raw bytes, or one element's: a
// splat.

// CHECK-LABEL: func.func @main
// CHECK-NEXT: %inf = tir.constant dense<0x7f800000> : tensor<3xf32>
// CHECK-NEXT: %ninf = tir.constant dense<[0xff800000, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %h = tir.constant dense<0x7c00> : tensor<2xf16>
// CHECK-NEXT: %i = tir.constant dense<16> : tensor<2xi32>
// CHECK-NEXT: %raw = tir.constant dense<[1.000000e+00, 2.000000e+00, -3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %rawsplat = tir.constant dense<1.500000e+00> : tensor<8xf32>
func.func @main() -> (tensor<3xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xi32>, tensor<3xf32>, tensor<8xf32>) {
  %inf = tir.constant dense<0x7F800000> : tensor<3xf32>
  %ninf = tir.constant dense<[0xFF800000, 1.0]> : tensor<2xf32>
  %h = tir.constant dense<0x7C00> : tensor<2xf16>
  %i = tir.constant dense<0x10> : tensor<2xi32>
  %raw = tir.constant dense<"0x0000803F00000040000040C0"> : tensor<3xf32>
  %rawsplat = tir.constant dense<"0x0000C03F"> : tensor<8xf32>
  func.return %inf, %ninf, %h, %i, %raw, %rawsplat : tensor<3xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xi32>, tensor<3xf32>, tensor<8xf32>
}

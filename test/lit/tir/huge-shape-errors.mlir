// RUN: tinyir-opt %s -p tensor-decompose,split-reduce,schedule-kernels,fold-views,shapetracker-to-loop --verify-diagnostics
// Loops are i32: a loop past 2^31 - 1 is split in two; an extent with no factor that makes both
// parts fit (here 2^31 + 11, which has none below 2^20) is one clear error, never a wrapped index.

func.func @prime_output(%a: tensor<1xi8>) -> tensor<2147483659xi8> {
  %e = tir.expand %a : tensor<1xi8> -> tensor<2147483659xi8>
  %c = tir.constant dense<1> : tensor<2147483659xi8>
  // expected-error@+1 {{kernel "k0": a loop of 2147483659 points has no factor that splits it into two of at most 2147483647 (loops are 32-bit)}}
  %s = tir.add %e, %c : tensor<2147483659xi8>
  func.return %s : tensor<2147483659xi8>
}

// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per verifier check of the tir dialect; each names the op and the offending types.
// binary operand types differ
func.func @f0(%x: tensor<4xf32>, %y: tensor<5xf32>) {
  // expected-error@+1 {{operands must have identical types (broadcast with tir.expand), got tensor<4xf32> and tensor<5xf32>}}
  %0 = "tir.add"(%x, %y) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  func.return
}

// -----

// idiv is integer-only
func.func @f1(%x: tensor<4xf32>) {
  // expected-error@+1 {{lhs tensor<4xf32>: element type must be integer}}
  %0 = tir.idiv %x, %x : tensor<4xf32>
  func.return
}

// -----

// and is integer or bool
func.func @f2(%x: tensor<4xf16>) {
  // expected-error@+1 {{lhs tensor<4xf16>: element type must be integer or bool}}
  %0 = tir.and %x, %x : tensor<4xf16>
  func.return
}

// -----

// exp2 is float-only
func.func @f3(%x: tensor<4xi32>) {
  // expected-error@+1 {{operand tensor<4xi32>: element type must be float}}
  %0 = tir.exp2 %x : tensor<4xi32>
  func.return
}

// -----

// neg is not for bools
func.func @f4(%x: tensor<4xi1>) {
  // expected-error@+1 {{operand tensor<4xi1>: element type must be float or integer}}
  %0 = tir.neg %x : tensor<4xi1>
  func.return
}

// -----

// unary result type
func.func @f5(%x: tensor<4xf32>) {
  // expected-error@+1 {{result type tensor<4xf16> must equal operand type tensor<4xf32>}}
  %0 = "tir.sqrt"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  func.return
}

// -----

// compare result is i1
func.func @f6(%x: tensor<4xf32>) {
  // expected-error@+1 {{result type tensor<4xf32> must be tensor<4xi1>}}
  %0 = "tir.cmplt"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// where condition is i1
func.func @f7(%m: tensor<4xi32>, %x: tensor<4xf32>) {
  // expected-error@+1 {{condition must be tensor<4xi1>, got tensor<4xi32>}}
  %0 = "tir.where"(%m, %x, %x) : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// where branches
func.func @f8(%m: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error@+1 {{branches must have identical types, got tensor<4xf32> and tensor<4xi32>}}
  %0 = "tir.where"(%m, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  func.return
}

// -----

// cast keeps the shape
func.func @f9(%x: tensor<4xf32>) {
  // expected-error@+1 {{shapes differ: tensor<4xf32> to tensor<5xi32>}}
  %0 = tir.cast %x : tensor<4xf32> to tensor<5xi32>
  func.return
}

// -----

// bitcast keeps the width
func.func @f10(%x: tensor<4xf32>) {
  // expected-error@+1 {{f32 and i8 differ in bit width}}
  %0 = tir.bitcast %x : tensor<4xf32> to tensor<4xi8>
  func.return
}

// -----

// bitcast has no i1
func.func @f11(%x: tensor<4xi8>) {
  // expected-error@+1 {{i1 cannot be bitcast}}
  %0 = tir.bitcast %x : tensor<4xi8> to tensor<4xi1>
  func.return
}

// -----

// constant value type
func.func @f12() {
  // expected-error@+1 {{value type tensor<2xf32> must be tensor<3xf32> (or tensor<f32> for a splat)}}
  %0 = "tir.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  func.return
}

// -----

// unsupported element type
func.func @f13(%x: tensor<4xf80>) {
  // expected-error@+1 {{operand tensor<4xf80> has unsupported element type f80}}
  %0 = tir.neg %x : tensor<4xf80>
  func.return
}

// -----

// dynamic shape
func.func @f14(%x: tensor<?xf32>) {
  // expected-error@+1 {{operand tensor<?xf32> must have a static shape}}
  %0 = tir.neg %x : tensor<?xf32>
  func.return
}

// -----

// iota axis range
func.func @f15() {
  // expected-error@+1 {{axis 2 out of range for rank 2}}
  %0 = tir.iota 2 : tensor<2x3xi32>
  func.return
}

// -----

// iota is numeric
func.func @f16() {
  // expected-error@+1 {{result tensor<2xi1>: element type must be float or integer}}
  %0 = tir.iota 0 : tensor<2xi1>
  func.return
}

// -----

// random_bits key
func.func @f17(%k: tensor<2xi32>) {
  // expected-error@+1 {{key must be tensor<i32>, got tensor<2xi32>}}
  %0 = tir.random_bits %k : tensor<2xi32> -> tensor<4xi32>
  func.return
}

// -----

// random_bits result
func.func @f18(%k: tensor<i32>) {
  // expected-error@+1 {{result must have element type i32, got tensor<4xf32>}}
  %0 = tir.random_bits %k : tensor<i32> -> tensor<4xf32>
  func.return
}

// -----

// reduce axes sorted
func.func @f19(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{axes [1, 0] must be sorted and unique}}
  %0 = tir.reduce_sum %x [1, 0] : tensor<4x5xf32> -> tensor<f32>
  func.return
}

// -----

// reduce axes unique
func.func @f20(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{axes [1, 1] must be sorted and unique}}
  %0 = tir.reduce_sum %x [1, 1] : tensor<4x5xf32> -> tensor<4xf32>
  func.return
}

// -----

// reduce axis range
func.func @f21(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{axis 2 out of range for rank 2}}
  %0 = tir.reduce_max %x [2] : tensor<4x5xf32> -> tensor<4x5xf32>
  func.return
}

// -----

// reduce result shape
func.func @f22(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{reducing tensor<4x5xf32> over [1] gives shape [4, 1] (keepdims) or [4], not tensor<5xf32>}}
  %0 = tir.reduce_sum %x [1] : tensor<4x5xf32> -> tensor<5xf32>
  func.return
}

// -----

// reduce is numeric
func.func @f23(%x: tensor<4xi1>) {
  // expected-error@+1 {{operand tensor<4xi1>: element type must be float or integer}}
  %0 = tir.reduce_max %x [0] : tensor<4xi1> -> tensor<i1>
  func.return
}

// -----

// reduce keeps the element type
func.func @f24(%x: tensor<4xf32>) {
  // expected-error@+1 {{element types differ: tensor<4xf32> -> tensor<f16>}}
  %0 = tir.reduce_sum %x [0] : tensor<4xf32> -> tensor<f16>
  func.return
}

// -----

// reshape count
func.func @f25(%x: tensor<4x4xf32>) {
  // expected-error@+1 {{element count of tensor<4x4xf32> (16) differs from tensor<2x9xf32> (18)}}
  %0 = tir.reshape %x : tensor<4x4xf32> -> tensor<2x9xf32>
  func.return
}

// -----

// reshape element type
func.func @f26(%x: tensor<4xf32>) {
  // expected-error@+1 {{element types differ: tensor<4xf32> -> tensor<2x2xi32>}}
  %0 = tir.reshape %x : tensor<4xf32> -> tensor<2x2xi32>
  func.return
}

// -----

// expand rank
func.func @f27(%x: tensor<4xf32>) {
  // expected-error@+1 {{rank changes from tensor<4xf32> to tensor<2x4xf32>}}
  %0 = tir.expand %x : tensor<4xf32> -> tensor<2x4xf32>
  func.return
}

// -----

// expand only from 1
func.func @f28(%x: tensor<4x2xf32>) {
  // expected-error@+1 {{dim 1 of tensor<4x2xf32> is 2; only size-1 dims expand (to 6)}}
  %0 = tir.expand %x : tensor<4x2xf32> -> tensor<4x6xf32>
  func.return
}

// -----

// permute validity
func.func @f29(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{[0, 0] is not a permutation of the 2 dims of tensor<4x3xf32>}}
  %0 = tir.permute %x [0, 0] : tensor<4x3xf32> -> tensor<4x4xf32>
  func.return
}

// -----

// permute result
func.func @f30(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{permuting tensor<4x3xf32> by [1, 0] gives shape [3, 4], not tensor<4x3xf32>}}
  %0 = tir.permute %x [1, 0] : tensor<4x3xf32> -> tensor<4x3xf32>
  func.return
}

// -----

// pad non-negative
func.func @f31(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{padding [[-1, 0], [0, 0]] must be non-negative}}
  %0 = tir.pad %x [[-1, 0], [0, 0]] : tensor<4x3xf32> -> tensor<3x3xf32>
  func.return
}

// -----

// pad result
func.func @f32(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{padding tensor<4x3xf32> by [[1, 2], [0, 0]] gives shape [7, 3], not tensor<7x4xf32>}}
  %0 = tir.pad %x [[1, 2], [0, 0]] : tensor<4x3xf32> -> tensor<7x4xf32>
  func.return
}

// -----

// pad one pair per dim
func.func @f33(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{needs one [lo, hi] pair per dimension of tensor<4x3xf32>, got [[1, 2]]}}
  %0 = tir.pad %x [[1, 2]] : tensor<4x3xf32> -> tensor<7x3xf32>
  func.return
}

// -----

// shrink bounds
func.func @f34(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{bounds [1, 5] of dim 0 must satisfy 0 <= begin <= end <= 4 for tensor<4x3xf32>}}
  %0 = tir.shrink %x [[1, 5], [0, 3]] : tensor<4x3xf32> -> tensor<4x3xf32>
  func.return
}

// -----

// shrink result
func.func @f35(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{shrinking tensor<4x3xf32> to [[1, 3], [0, 3]] gives shape [2, 3], not tensor<3x3xf32>}}
  %0 = tir.shrink %x [[1, 3], [0, 3]] : tensor<4x3xf32> -> tensor<3x3xf32>
  func.return
}

// -----

// flip axis range
func.func @f36(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{axis 2 out of range for rank 2}}
  %0 = tir.flip %x [0, 2] : tensor<4x3xf32>
  func.return
}

// -----

// flip result
func.func @f37(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{result type tensor<3x4xf32> must equal tensor<4x3xf32>}}
  %0 = "tir.flip"(%x) <{axes = array<i64: 0>}> : (tensor<4x3xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

// softmax is float-only
func.func @f38(%x: tensor<4x3xi32>) {
  // expected-error@+1 {{operand tensor<4x3xi32>: element type must be float}}
  %0 = tir.softmax %x [1] : tensor<4x3xi32>
  func.return
}

// -----

// softmax needs an axis
func.func @f39(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{needs at least one axis}}
  %0 = tir.softmax %x [] : tensor<4x3xf32>
  func.return
}

// -----

// matmul contraction
func.func @f40(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error@+1 {{contraction dims differ: tensor<2x3xf32> has k=3, tensor<4x5xf32> has k=4}}
  %0 = tir.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  func.return
}

// -----

// matmul batch
func.func @f41(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) {
  // expected-error@+1 {{batch dims of tensor<2x2x3xf32> and tensor<3x3x5xf32> must match}}
  %0 = tir.matmul %a, %b : tensor<2x2x3xf32>, tensor<3x3x5xf32> -> tensor<2x2x5xf32>
  func.return
}

// -----

// matmul rank
func.func @f42(%a: tensor<3xf32>, %b: tensor<3x5xf32>) {
  // expected-error@+1 {{operands need equal rank >= 2, got tensor<3xf32> and tensor<3x5xf32>}}
  %0 = tir.matmul %a, %b : tensor<3xf32>, tensor<3x5xf32> -> tensor<5xf32>
  func.return
}

// -----

// matmul element types
func.func @f43(%a: tensor<2x3xf32>, %b: tensor<3x5xf16>) {
  // expected-error@+1 {{element types differ: tensor<2x3xf32> and tensor<3x5xf16>}}
  %0 = tir.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf16> -> tensor<2x5xf32>
  func.return
}

// -----

// matmul result
func.func @f44(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error@+1 {{result type tensor<2x4xf32> must be tensor<2x5xf32>}}
  %0 = tir.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x4xf32>
  func.return
}

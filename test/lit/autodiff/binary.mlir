// Gradient rules of the binary primitives and where (seeded: %0 is the incoming adjoint).
// RUN: tinyir-opt %s --split-input-file -p 'tensor-autodiff{seeded=true}' | filecheck %s

func.func @add(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = tir.add %x, %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}
// add passes the adjoint to both operands unchanged
// CHECK-LABEL: func.func @add
// CHECK-NEXT:    %z = tir.add %x, %y
// CHECK-NEXT:    func.return %z, %0, %0

// -----

func.func @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = tir.mul %x, %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}
// CHECK-LABEL: func.func @mul
// CHECK:         %[[GX:.*]] = tir.mul %0, %y
// CHECK-NEXT:    %[[GY:.*]] = tir.mul %0, %x
// CHECK-NEXT:    func.return %z, %[[GX]], %[[GY]]

// -----

// max: the larger operand gets the adjoint, ties split it in half
func.func @max(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = tir.max %x, %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}
// CHECK-LABEL: func.func @max
// CHECK:         %[[HALF:.*]] = tir.mul %0, %{{.*}} : tensor<4xf32>
// CHECK:         %[[NE:.*]] = tir.cmpne %x, %y
// CHECK-NEXT:    %[[TIE:.*]] = tir.xor %[[NE]], %{{.*}} : tensor<4xi1>
// CHECK-NEXT:    %[[TIEG:.*]] = tir.where %[[TIE]], %[[HALF]], %{{.*}}
// CHECK-NEXT:    %[[XBIG:.*]] = tir.cmplt %y, %x
// CHECK-NEXT:    %[[GX:.*]] = tir.where %[[XBIG]], %0, %[[TIEG]]
// CHECK:         %[[YBIG:.*]] = tir.cmplt %x, %y
// CHECK-NEXT:    %[[GY:.*]] = tir.where %[[YBIG]], %0, %{{.*}}
// CHECK-NEXT:    func.return %z, %[[GX]], %[[GY]]

// -----

// where: the mask routes the adjoint; the i1 mask itself gets no gradient (wrt defaults to float args)
func.func @where(%m: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = tir.where %m, %x, %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}
// CHECK-LABEL: func.func @where(%m: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>, %0: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:         %[[GX:.*]] = tir.where %m, %0, %{{.*}}
// CHECK:         %[[GY:.*]] = tir.where %m, %{{.*}}, %0
// CHECK-NEXT:    func.return %z, %[[GX]], %[[GY]]

// -----

// fmod: the adjoint to x; -adjoint * trunc(x / y) to y (PyTorch's), trunc through i32 below 2**23
func.func @fmod(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = tir.fmod %x, %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}
// CHECK-LABEL: func.func @fmod
// CHECK:         %z = tir.fmod %x, %y
// CHECK:         %[[Q:.*]] = tir.mul %x, %{{.*}}
// CHECK-NEXT:    %[[I:.*]] = tir.cast %[[Q]] : tensor<4xf32> to tensor<4xi32>
// CHECK-NEXT:    %[[T:.*]] = tir.cast %[[I]] : tensor<4xi32> to tensor<4xf32>
// CHECK:         %[[SMALL:.*]] = tir.cmplt
// CHECK-NEXT:    %[[TRUNC:.*]] = tir.where %[[SMALL]], %[[T]], %[[Q]]
// CHECK-NEXT:    %[[G:.*]] = tir.mul %0, %[[TRUNC]]
// CHECK-NEXT:    %[[GY:.*]] = tir.neg %[[G]]
// CHECK-NEXT:    func.return %z, %0, %[[GY]]

// RUN: %roundtrip
// RUN: tinyir-opt %s -t llvm | filecheck %s --check-prefix=TEXT
// llir.vector_call round-trips, and prints as an intrinsic call on vectors: a group of n > 1
// arguments insertelement'ed into an <n x T>, a group of 1 passed as a scalar, the vector result read
// back with one extractelement per lane.

// CHECK-LABEL: func.func @k
// CHECK:         %d0, %d1 = llir.vector_call "llvm.test.dot"(%h, %h, %x, %x, %n) groups [2, 2, 1] : (f16, f16, f32, f32, i32) -> (f32, f32)
// TEXT-LABEL: define void @k0(
// TEXT:         %[[A1:.*]] = insertelement <2 x half> poison, half %h, i32 0
// TEXT-NEXT:    %[[A2:.*]] = insertelement <2 x half> %[[A1]], half %h, i32 1
// TEXT-NEXT:    %[[C1:.*]] = insertelement <2 x float> poison, float %x, i32 0
// TEXT-NEXT:    %[[C2:.*]] = insertelement <2 x float> %[[C1]], float %x, i32 1
// TEXT-NEXT:    %[[V:.*]] = call <2 x float> @llvm.test.dot(<2 x half> %[[A2]], <2 x float> %[[C2]], i32 3)
// TEXT-NEXT:    %d0 = extractelement <2 x float> %[[V]], i32 0
// TEXT-NEXT:    %d1 = extractelement <2 x float> %[[V]], i32 1
// TEXT:       declare <2 x float> @llvm.test.dot(<2 x half>, <2 x float>, i32)
func.func @k(%b: !st.buffer<4xf32>, %c: !st.buffer<4xf16>) {
  llir.kernel "k0" (%b, %c) : !st.buffer<4xf32>, !st.buffer<4xf16> global [1] {
  ^bb0(%p: !llir.ptr<f32>, %q: !llir.ptr<f16>):
    %h = llir.load %q : !llir.ptr<f16> -> f16
    %x = llir.load %p : !llir.ptr<f32> -> f32
    %n = llir.constant 3 : i32
    %d0, %d1 = llir.vector_call "llvm.test.dot"(%h, %h, %x, %x, %n) groups [2, 2, 1] : (f16, f16, f32, f32, i32) -> (f32, f32)
    %s = llir.fadd %d0, %d1 : f32
    llir.store %s, %p : f32, !llir.ptr<f32>
    llir.ret
  }
  func.return
}

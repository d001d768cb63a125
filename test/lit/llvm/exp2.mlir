// RUN: tinyir-opt %s -p uop-to-llvm | filecheck %s
// RUN: tinyir-opt %s -p uop-to-amdgpu | filecheck %s --check-prefix=GPU
// RUN: tinyir-opt %s -p uop-to-llvm -t llvm | filecheck %s --check-prefix=LL
// On the CPU, f32 exp2 is computed inline so that loops of it vectorize (an llvm.exp2 call would
// become one libm call per vector lane): clamp to [-150, 128] by compare and select (one vector
// max/min each; a NaN input is selected back at the end, so the plain fptosi never sees a NaN, where
// the saturating one was scalarized on x86), split x = n + f with n = rint(x),
// a degree-7 polynomial for 2^f, and 2^n as two powers of two built from exponent bits. f16 keeps
// the intrinsic, and so does the AMDGPU lowering built on uop-to-llvm (the GPU has an exp2).

// CHECK-LABEL: func.func @exp2
// CHECK:         %[[X:.*]] = llir.load %{{.*}} : !llir.ptr<f32> -> f32
// CHECK-NEXT:    %[[NAN:.*]] = llir.fcmp uno %[[X]], %[[X]] : f32
// CHECK:         %[[GT:.*]] = llir.fcmp ogt %[[X]], %[[M150:.*]] : f32
// CHECK-NEXT:    %[[LO:.*]] = llir.select %[[GT]], %[[X]], %[[M150]] : f32
// CHECK:         %[[LT:.*]] = llir.fcmp olt %[[LO]], %[[P128:.*]] : f32
// CHECK-NEXT:    %[[C:.*]] = llir.select %[[LT]], %[[LO]], %[[P128]] : f32
// CHECK-NEXT:    %[[N:.*]] = llir.call "llvm.rint.f32"(%[[C]]) : (f32) -> f32
// CHECK-NEXT:    %[[F:.*]] = llir.fsub %[[C]], %[[N]] : f32
// CHECK-COUNT-7: llir.fmul %{{.*}}, %[[F]] : f32
// CHECK:         %[[NI:.*]] = llir.fptosi %[[N]] : f32 to i32
// CHECK:         %[[H:.*]] = llir.ashr %[[NI]], %{{.*}} : i32
// CHECK:         llir.shl
// CHECK-NEXT:    llir.bitcast %{{.*}} : i32 to f32
// CHECK:         llir.sub %[[NI]], %[[H]] : i32
// CHECK:         llir.bitcast %{{.*}} : i32 to f32
// CHECK-NEXT:    %[[V:.*]] = llir.fmul %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    %[[E:.*]] = llir.select %[[NAN]], %[[X]], %[[V]] : f32
// CHECK:         llir.store %[[E]]
// CHECK-NOT:     llvm.exp2.f32
// CHECK:         llir.call "llvm.exp2.f16"
// GPU-LABEL: func.func @exp2
// GPU:         llir.call "llvm.exp2.f32"
// GPU:         llir.call "llvm.exp2.f16"
// LL:          %{{.*}} = fcmp ogt float %{{.*}}, 0xC062C00000000000
// LL:          %{{.*}} = fcmp olt float %{{.*}}, 0x4060000000000000
// LL-NOT:      @llvm.fptosi.sat
// LL-NOT:      @llvm.exp2.f32
func.func @exp2(%out: !st.buffer<8xf32>, %x: !st.buffer<8xf32>, %h: !st.buffer<8xf16>) {
  uop.kernel "e0" (%out, %x, %h) : !st.buffer<8xf32>, !st.buffer<8xf32>, !st.buffer<8xf16> {
  ^bb0(%o: !st.buffer<8xf32>, %a: !st.buffer<8xf32>, %b: !st.buffer<8xf16>):
    %i = uop.special "gidx0" 8 : i32
    %v = uop.load %a[%i] : f32
    %e = uop.exp2 %v : f32
    uop.store %o[%i], %e : f32
    %w = uop.load %b[%i] : f16
    %eh = uop.exp2 %w : f16
    uop.store %b[%i], %eh : f16
  }
  func.return
}

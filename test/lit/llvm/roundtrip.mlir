// RUN: tinyir-opt %s | filecheck %s
// RUN: tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s
// Every llir op and type in its custom syntax, printed back identically (also via the generic form).

// CHECK-LABEL: func.func @main(%a: !st.buffer<16xf32>, %b: !st.buffer<16xi8>) {
// CHECK-NEXT:    llir.kernel "k0" (%a, %b) : !st.buffer<16xf32>, !st.buffer<16xi8> global [16] {
// CHECK-NEXT:    ^bb0(%out: !llir.ptr<f32>, %in: !llir.ptr<i8>):
// CHECK-NEXT:      %acc = llir.alloca : !llir.ptr<f32>
// CHECK-NEXT:      %zero = llir.constant 0.0 : f32
// CHECK-NEXT:      %half = llir.constant 0.5 : f16
// CHECK-NEXT:      %yes = llir.constant true : i1
// CHECK-NEXT:      %minus = llir.constant -3 : i32
// CHECK-NEXT:      llir.store %zero, %acc : f32, !llir.ptr<f32>
// CHECK-NEXT:      %i = llir.loop_begin 0 to 16 {dim = "gidx0"} : i32
// CHECK-NEXT:      %p = llir.gep %in[%i] : !llir.ptr<i8>, i32
// CHECK-NEXT:      %byte = llir.load %p : !llir.ptr<i8> -> i8
// CHECK-NEXT:      %wide = llir.sext %byte : i8 to i32
// CHECK-NEXT:      %uwide = llir.zext %byte : i8 to i32
// CHECK-NEXT:      %narrow = llir.trunc %wide : i32 to i8
// CHECK-NEXT:      %f = llir.sitofp %wide : i32 to f32
// CHECK-NEXT:      %uf = llir.uitofp %uwide : i32 to f32
// CHECK-NEXT:      %fi = llir.fptosi %f : f32 to i32
// CHECK-NEXT:      %fu = llir.fptoui %f : f32 to i32
// CHECK-NEXT:      %h = llir.fptrunc %f : f32 to f16
// CHECK-NEXT:      %hh = llir.fadd %h, %half : f16
// CHECK-NEXT:      %back = llir.fpext %hh : f16 to f32
// CHECK-NEXT:      %bits = llir.bitcast %back : f32 to i32
// CHECK-NEXT:      %s0 = llir.add %fi, %fu : i32
// CHECK-NEXT:      %s1 = llir.sub %s0, %minus : i32
// CHECK-NEXT:      %s2 = llir.mul %s1, %bits : i32
// CHECK-NEXT:      %s3 = llir.sdiv %s2, %minus : i32
// CHECK-NEXT:      %s4 = llir.srem %s3, %minus : i32
// CHECK-NEXT:      %s5 = llir.udiv %s4, %minus : i32
// CHECK-NEXT:      %s6 = llir.urem %s5, %minus : i32
// CHECK-NEXT:      %s7 = llir.and %s6, %s0 : i32
// CHECK-NEXT:      %s8 = llir.or %s7, %s0 : i32
// CHECK-NEXT:      %s9 = llir.xor %s8, %s0 : i32
// CHECK-NEXT:      %s10 = llir.shl %s9, %s0 : i32
// CHECK-NEXT:      %s11 = llir.ashr %s10, %s0 : i32
// CHECK-NEXT:      %s12 = llir.lshr %s11, %s0 : i32
// CHECK-NEXT:      %lt = llir.icmp slt %s12, %minus : i32
// CHECK-NEXT:      %x0 = llir.fsub %f, %uf : f32
// CHECK-NEXT:      %x1 = llir.fmul %x0, %back {fastmath = "reassoc nsz"} : f32
// CHECK-NEXT:      %x2 = llir.fdiv %x1, %back : f32
// CHECK-NEXT:      %x3 = llir.frem %x2, %back : f32
// CHECK-NEXT:      %x4 = llir.fneg %x3 : f32
// CHECK-NEXT:      %une = llir.fcmp une %x4, %zero : f32
// CHECK-NEXT:      %both = llir.and %lt, %une : i1
// CHECK-NEXT:      %sel = llir.select %both, %x4, %zero : f32
// CHECK-NEXT:      %e = llir.call "llvm.exp2.f32"(%sel) : (f32) -> f32
// CHECK-NEXT:      %m = llir.call "llvm.maximum.f32"(%e, %zero) : (f32, f32) -> f32
// CHECK-NEXT:      %old = llir.load %acc : !llir.ptr<f32> -> f32
// CHECK-NEXT:      %new = llir.fadd %old, %m : f32
// CHECK-NEXT:      llir.store %new, %acc : f32, !llir.ptr<f32>
// CHECK-NEXT:      llir.if_begin %yes
// CHECK-NEXT:      %q = llir.gep %out[%i] : !llir.ptr<f32>, i32
// CHECK-NEXT:      llir.store %new, %q : f32, !llir.ptr<f32>
// CHECK-NEXT:      llir.if_end
// CHECK-NEXT:      llir.loop_end %i : i32
// CHECK-NEXT:      llir.ret
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
func.func @main(%a: !st.buffer<16xf32>, %b: !st.buffer<16xi8>) {
  llir.kernel "k0" (%a, %b) : !st.buffer<16xf32>, !st.buffer<16xi8> global [16] {
  ^bb0(%out: !llir.ptr<f32>, %in: !llir.ptr<i8>):
    %acc = llir.alloca : !llir.ptr<f32>
    %zero = llir.constant 0.0 : f32
    %half = llir.constant 0.5 : f16
    %yes = llir.constant true : i1
    %minus = llir.constant -3 : i32
    llir.store %zero, %acc : f32, !llir.ptr<f32>
    %i = llir.loop_begin 0 to 16 {dim = "gidx0"} : i32
    %p = llir.gep %in[%i] : !llir.ptr<i8>, i32
    %byte = llir.load %p : !llir.ptr<i8> -> i8
    %wide = llir.sext %byte : i8 to i32
    %uwide = llir.zext %byte : i8 to i32
    %narrow = llir.trunc %wide : i32 to i8
    %f = llir.sitofp %wide : i32 to f32
    %uf = llir.uitofp %uwide : i32 to f32
    %fi = llir.fptosi %f : f32 to i32
    %fu = llir.fptoui %f : f32 to i32
    %h = llir.fptrunc %f : f32 to f16
    %hh = llir.fadd %h, %half : f16
    %back = llir.fpext %hh : f16 to f32
    %bits = llir.bitcast %back : f32 to i32
    %s0 = llir.add %fi, %fu : i32
    %s1 = llir.sub %s0, %minus : i32
    %s2 = llir.mul %s1, %bits : i32
    %s3 = llir.sdiv %s2, %minus : i32
    %s4 = llir.srem %s3, %minus : i32
    %s5 = llir.udiv %s4, %minus : i32
    %s6 = llir.urem %s5, %minus : i32
    %s7 = llir.and %s6, %s0 : i32
    %s8 = llir.or %s7, %s0 : i32
    %s9 = llir.xor %s8, %s0 : i32
    %s10 = llir.shl %s9, %s0 : i32
    %s11 = llir.ashr %s10, %s0 : i32
    %s12 = llir.lshr %s11, %s0 : i32
    %lt = llir.icmp slt %s12, %minus : i32
    %x0 = llir.fsub %f, %uf : f32
    %x1 = llir.fmul %x0, %back {fastmath = "reassoc nsz"} : f32
    %x2 = llir.fdiv %x1, %back : f32
    %x3 = llir.frem %x2, %back : f32
    %x4 = llir.fneg %x3 : f32
    %une = llir.fcmp une %x4, %zero : f32
    %both = llir.and %lt, %une : i1
    %sel = llir.select %both, %x4, %zero : f32
    %e = llir.call "llvm.exp2.f32"(%sel) : (f32) -> f32
    %m = llir.call "llvm.maximum.f32"(%e, %zero) : (f32, f32) -> f32
    %old = llir.load %acc : !llir.ptr<f32> -> f32
    %new = llir.fadd %old, %m : f32
    llir.store %new, %acc : f32, !llir.ptr<f32>
    llir.if_begin %yes
    %q = llir.gep %out[%i] : !llir.ptr<f32>, i32
    llir.store %new, %q : f32, !llir.ptr<f32>
    llir.if_end
    llir.loop_end %i : i32
    llir.ret
  }
  func.return
}

// A GPU-style kernel: target triple, calling convention and address spaces are attributes.
// CHECK-LABEL: func.func @gpu(%a: !st.buffer<4xf32>) {
// CHECK-NEXT:    llir.kernel "g0" (%a) : !st.buffer<4xf32> global [4] attributes {triple = "amdgcn-amd-amdhsa", calling_conv = "amdgpu_kernel"} {
// CHECK-NEXT:    ^bb0(%p: !llir.ptr<f32, 1>):
// CHECK-NEXT:      %t = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
// CHECK-NEXT:      %slot = llir.alloca : !llir.ptr<f32, 5>
func.func @gpu(%a: !st.buffer<4xf32>) {
  llir.kernel "g0" (%a) : !st.buffer<4xf32> global [4] attributes {triple = "amdgcn-amd-amdhsa", calling_conv = "amdgpu_kernel"} {
  ^bb0(%p: !llir.ptr<f32, 1>):
    %t = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
    %slot = llir.alloca : !llir.ptr<f32, 5>
    %q = llir.gep %p[%t] : !llir.ptr<f32, 1>, i32
    %v = llir.load %q : !llir.ptr<f32, 1> -> f32
    llir.store %v, %slot : f32, !llir.ptr<f32, 5>
    llir.ret
  }
  func.return
}

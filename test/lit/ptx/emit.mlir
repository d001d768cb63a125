// RUN: tinyir-opt %s -p 'uop-to-ptx{fmad=false}' -t ptx | filecheck %s
// The PTX text: header, parameters, register declarations, widths and state spaces, the loop.

// CHECK:       .version 8.0
// CHECK-NEXT:  .target sm_80
// CHECK-NEXT:  .address_size 64
// CHECK:       .visible .entry k(
// CHECK-NEXT:  .param .u64 k_param_0,
// CHECK-NEXT:  .param .u64 k_param_1,
// CHECK-NEXT:  .param .u64 k_param_2
// CHECK-NEXT:  )
// CHECK-NEXT:  .maxntid 16, 1, 1
// CHECK:       .reg .pred %p<{{[0-9]+}}>;
// CHECK-NEXT:  .reg .b16 %h<{{[0-9]+}}>;
// CHECK-NEXT:  .reg .f32 %f<{{[0-9]+}}>;
// CHECK-NEXT:  .reg .b32 %r<{{[0-9]+}}>;
// CHECK-NEXT:  .reg .b64 %rd<{{[0-9]+}}>;
// CHECK:       ld.param.u64 %rd0, [k_param_0];
// CHECK-NEXT:  cvta.to.global.u64 %rd1, %rd0;
// CHECK:       mov.u32 %r{{[0-9]+}}, %ctaid.x;
// CHECK-NEXT:  mov.u32 %r{{[0-9]+}}, %ntid.x;
// CHECK-NEXT:  mov.u32 %r{{[0-9]+}}, %tid.x;
// CHECK-NEXT:  mad.lo.s32 [[G:%r[0-9]+]]
// CHECK:       mov.f32 [[ACC:%f[0-9]+]], 0f00000000;
// CHECK-NEXT:  mov.s32 [[K:%r[0-9]+]], 0;
// CHECK-NEXT:  LOOP_k_0:
// CHECK:       mad.wide.s32 [[A:%rd[0-9]+]]
// CHECK-NEXT:  ld.global.b16 [[H:%h[0-9]+]], [[[A]]];
// CHECK-NEXT:  cvt.f32.f16 [[X:%f[0-9]+]], [[H]];
// CHECK-NEXT:  add.rn.f32 [[S:%f[0-9]+]], [[ACC]], [[X]];
// CHECK-NEXT:  mov.f32 [[ACC]], [[S]];
// CHECK:       add.s32 [[NEXT:%r[0-9]+]], [[K]]
// CHECK-NEXT:  mov.b32 [[K]], [[NEXT]];
// CHECK:       setp.lt.s32 [[AGAIN:%p[0-9]+]], [[K]]
// CHECK-NEXT:  @[[AGAIN]] bra LOOP_k_0;
// CHECK:       st.global.f32 [%rd{{[0-9]+}}], [[ACC]];
// bool: a byte in memory, a predicate in registers
// CHECK:       ld.global.u8 [[BYTE:%r[0-9]+]]
// CHECK-NEXT:  mov.s32 [[Z:%r[0-9]+]], 0;
// CHECK-NEXT:  setp.ne.s32 [[B:%p[0-9]+]], [[BYTE]], [[Z]];
// CHECK-NEXT:  not.pred [[NB:%p[0-9]+]], [[B]];
// CHECK:       selp.b32 [[STORED:%r[0-9]+]], {{%r[0-9]+}}, {{%r[0-9]+}}, [[NB]];
// CHECK-NEXT:  st.global.u8 [%rd{{[0-9]+}}], [[STORED]];
// CHECK-NEXT:  ret;
func.func @sum_f16(%o: !st.buffer<16xf32>, %a: !st.buffer<16x4xf16>, %m: !st.buffer<16xi1>) {
  uop.kernel "k" (%o, %a, %m) : !st.buffer<16xf32>, !st.buffer<16x4xf16>, !st.buffer<16xi1> {
  ^bb0(%out: !st.buffer<16xf32>, %in: !st.buffer<16x4xf16>, %mask: !st.buffer<16xi1>):
    %g = uop.special "gidx0" 16 : i32
    %c4 = uop.const 4 : i32
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 4 : i32
    %row = uop.mul %g, %c4 : i32
    %i = uop.add %row, %k : i32
    %h = uop.load %in[%i] : f16
    %x = uop.cast %h : f16 to f32
    %s = uop.add %acc, %x : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %out[%g], %acc : f32
    %b = uop.load %mask[%g] : i1
    %nb = uop.neg %b : i1
    uop.store %mask[%g], %nb : i1
  }
  func.return
}

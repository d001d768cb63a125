// RUN: tinyir-opt %s -p 'uop-vectorize{bf16_copies=true}' | filecheck %s
// RUN: tinyir-opt %s -p uop-vectorize | filecheck %s --check-prefix=PLAIN
// RUN: tinyir-opt %s -p 'uop-vectorize{bf16_copies=true},uop-emulate-bf16,uop-to-ptx' -t ptx | filecheck %s --check-prefix=PTX
// bf16_copies (cuda's pipeline, for uop-async-copy): a run of 4 bf16 loads whose values only go to
// stores, and those stores, become a vload/vstore of 4 lanes; the run whose values are added stays
// scalar, and so do consecutive stores of loads that are not consecutive (a transposing copy:
// uop-emulate-bf16 widens such loads to f32). Without the option bf16 stays scalar. uop-emulate-bf16 leaves the copy as bits, and
// uop-to-ptx copies a bf16 vector lane by lane (ld/st .u16).

// CHECK:      %[[V:.*]], %{{.*}}, %{{.*}}, %{{.*}} = uop.vload %in[%{{.*}}] : 4 x bf16
// CHECK:      uop.vstore %t[%{{.*}}], %[[V]], %{{.*}}, %{{.*}}, %{{.*}} : bf16
// CHECK-COUNT-4: uop.load %in[%{{.*}}] : bf16
// CHECK-NOT:  uop.vload
// CHECK-COUNT-4: uop.store %out[%{{.*}}], %{{.*}} : bf16
// CHECK-COUNT-4: uop.load %in[%{{.*}}] : bf16
// CHECK-COUNT-4: uop.store %t[%{{.*}}], %{{.*}} : bf16
// CHECK-NOT:  uop.vstore

// PLAIN-NOT: uop.vload
// PLAIN-NOT: uop.vstore

// PTX-COUNT-4: ld.global.u16
// PTX-COUNT-4: st.shared.u16
// PTX:         bar.sync 0
// PTX-COUNT-4: st.shared.u16
func.func @main(%a: !st.buffer<1024xbf16>, %b: !st.buffer<1024xbf16>) {
  uop.kernel "k" (%a, %b) : !st.buffer<1024xbf16>, !st.buffer<1024xbf16> {
  ^bb0(%out: !st.buffer<1024xbf16>, %in: !st.buffer<1024xbf16>):
    %l = uop.special "lidx0" 64 : i32
    %t = uop.define_local : !st.buffer<256xbf16>
    %c4 = uop.const 4 : i32
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %i0 = uop.mul %l, %c4 : i32
    %i1 = uop.add %i0, %c1 : i32
    %i2 = uop.add %i0, %c2 : i32
    %i3 = uop.add %i0, %c3 : i32
    %x0 = uop.load %in[%i0] : bf16
    %x1 = uop.load %in[%i1] : bf16
    %x2 = uop.load %in[%i2] : bf16
    %x3 = uop.load %in[%i3] : bf16
    uop.store %t[%i0], %x0 : bf16
    uop.store %t[%i1], %x1 : bf16
    uop.store %t[%i2], %x2 : bf16
    uop.store %t[%i3], %x3 : bf16
    uop.barrier
    %c256 = uop.const 256 : i32
    %j0 = uop.add %i0, %c256 : i32
    %j1 = uop.add %i1, %c256 : i32
    %j2 = uop.add %i2, %c256 : i32
    %j3 = uop.add %i3, %c256 : i32
    %y0 = uop.load %in[%j0] : bf16
    %y1 = uop.load %in[%j1] : bf16
    %y2 = uop.load %in[%j2] : bf16
    %y3 = uop.load %in[%j3] : bf16
    %z = uop.load %t[%l] : bf16
    %s0 = uop.add %y0, %z : bf16
    %s1 = uop.add %y1, %z : bf16
    %s2 = uop.add %y2, %z : bf16
    %s3 = uop.add %y3, %z : bf16
    uop.store %out[%j0], %s0 : bf16
    uop.store %out[%j1], %s1 : bf16
    uop.store %out[%j2], %s2 : bf16
    uop.store %out[%j3], %s3 : bf16
    uop.barrier
    %k1 = uop.add %i0, %c4 : i32
    %k2 = uop.add %k1, %c4 : i32
    %k3 = uop.add %k2, %c4 : i32
    %w0 = uop.load %in[%i0] : bf16
    %w1 = uop.load %in[%k1] : bf16
    %w2 = uop.load %in[%k2] : bf16
    %w3 = uop.load %in[%k3] : bf16
    uop.store %t[%i0], %w0 : bf16
    uop.store %t[%i1], %w1 : bf16
    uop.store %t[%i2], %w2 : bf16
    uop.store %t[%i3], %w3 : bf16
  }
  func.return
}

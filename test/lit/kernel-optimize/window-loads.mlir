// RUN: tinyir-opt %s -p 'kernel-optimize{target=opencl actions="local:0:8"}' | filecheck %s
// RUN: tinyir-opt %s -p 'kernel-optimize{target=cpu actions="upcast:0:8"}' | filecheck %s --check-prefix=CPU
// Window loads (tinyir/passes/window_loads.py): out[i] = in[i-1] + in[i] + in[i+1] written as a padded
// window's pieces, one gated load per point r of the window, becomes one load of in[i + r - 1] gated
// by 1 <= i + r < 9 on a target with work-groups. Two pieces at the same point are no window: left
// alone. The CPU keeps its pieces (it lowers them to masked load runs).

// CHECK-LABEL: loop.kernel "window"
// CHECK:       uop.add %i_1, %r : i32
// CHECK:       %[[S:.*]] = uop.add %i_1, %r : i32
// CHECK:       uop.cmplt %{{.*}}, %[[S]] : i32
// CHECK:       uop.cmplt %[[S]], %{{.*}} : i32
// CHECK:       uop.load %in[%{{.*}}], %{{.*}} : f32
// CHECK-NOT:   uop.load
// CHECK:       loop.reduce add
// CHECK-LABEL: loop.kernel "twice"
// CHECK-COUNT-2: uop.load %in
// CPU-LABEL: loop.kernel "window"
// CPU-COUNT-3: uop.load %in
func.func @main(%a: !st.buffer<8xf32>) -> !st.buffer<8xf32> {
  %0 = st.alloc : !st.buffer<8xf32>
  loop.kernel "window"(%0, %a) : !st.buffer<8xf32>, !st.buffer<8xf32> {
  ^bb0(%out: !st.buffer<8xf32>, %in: !st.buffer<8xf32>):
    %i = loop.range 8 global : i32
    %r = loop.range 3 reduce : i32
    %ca = uop.const -1 : i32
    %ixa = uop.add %i, %ca : i32
    %pa = uop.const -1 : i32
    %qa = uop.const 1 : i32
    %loa = uop.const 0 : i32
    %hia = uop.const 9 : i32
    %g1a = uop.cmplt %loa, %i : i32
    %g2a = uop.cmplt %i, %hia : i32
    %g3a = uop.cmplt %pa, %r : i32
    %g4a = uop.cmplt %r, %qa : i32
    %gaa = uop.and %g1a, %g2a : i1
    %gba = uop.and %g3a, %g4a : i1
    %gca = uop.and %gaa, %gba : i1
    %la = uop.load %in[%ixa], %gca : f32
    %cb = uop.const 0 : i32
    %ixb = uop.add %i, %cb : i32
    %pb = uop.const 0 : i32
    %qb = uop.const 2 : i32
    %lob = uop.const -1 : i32
    %hib = uop.const 8 : i32
    %g1b = uop.cmplt %lob, %i : i32
    %g2b = uop.cmplt %i, %hib : i32
    %g3b = uop.cmplt %pb, %r : i32
    %g4b = uop.cmplt %r, %qb : i32
    %gab = uop.and %g1b, %g2b : i1
    %gbb = uop.and %g3b, %g4b : i1
    %gcb = uop.and %gab, %gbb : i1
    %lb = uop.load %in[%ixb], %gcb : f32
    %cc = uop.const 1 : i32
    %ixc = uop.add %i, %cc : i32
    %pc = uop.const 1 : i32
    %qc = uop.const 3 : i32
    %loc = uop.const -2 : i32
    %hic = uop.const 7 : i32
    %g1c = uop.cmplt %loc, %i : i32
    %g2c = uop.cmplt %i, %hic : i32
    %g3c = uop.cmplt %pc, %r : i32
    %g4c = uop.cmplt %r, %qc : i32
    %gac = uop.and %g1c, %g2c : i1
    %gbc = uop.and %g3c, %g4c : i1
    %gcc = uop.and %gac, %gbc : i1
    %lc = uop.load %in[%ixc], %gcc : f32
    %ab = uop.add %la, %lb : f32
    %x = uop.add %ab, %lc : f32
    %s = loop.reduce add %x over %r : f32
    uop.store %out[%i], %s : f32
  }
  loop.kernel "twice"(%0, %a) : !st.buffer<8xf32>, !st.buffer<8xf32> {
  ^bb0(%out: !st.buffer<8xf32>, %in: !st.buffer<8xf32>):
    %i = loop.range 8 global : i32
    %r = loop.range 2 reduce : i32
    %ca = uop.const -1 : i32
    %ixa = uop.add %i, %ca : i32
    %pa = uop.const -1 : i32
    %qa = uop.const 1 : i32
    %loa = uop.const 0 : i32
    %hia = uop.const 9 : i32
    %g1a = uop.cmplt %loa, %i : i32
    %g2a = uop.cmplt %i, %hia : i32
    %g3a = uop.cmplt %pa, %r : i32
    %g4a = uop.cmplt %r, %qa : i32
    %gaa = uop.and %g1a, %g2a : i1
    %gba = uop.and %g3a, %g4a : i1
    %gca = uop.and %gaa, %gba : i1
    %la = uop.load %in[%ixa], %gca : f32
    %cb = uop.const 0 : i32
    %ixb = uop.add %i, %cb : i32
    %pb = uop.const -1 : i32
    %qb = uop.const 1 : i32
    %lob = uop.const -1 : i32
    %hib = uop.const 8 : i32
    %g1b = uop.cmplt %lob, %i : i32
    %g2b = uop.cmplt %i, %hib : i32
    %g3b = uop.cmplt %pb, %r : i32
    %g4b = uop.cmplt %r, %qb : i32
    %gab = uop.and %g1b, %g2b : i1
    %gbb = uop.and %g3b, %g4b : i1
    %gcb = uop.and %gab, %gbb : i1
    %lb = uop.load %in[%ixb], %gcb : f32
    %x = uop.add %la, %lb : f32
    %s = loop.reduce add %x over %r : f32
    uop.store %out[%i], %s : f32
  }
  func.return %0 : !st.buffer<8xf32>
}

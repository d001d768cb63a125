// RUN: not tinyir-opt %s -p 'kernel-optimize{beam=2}' 2>&1 | filecheck %s --check-prefix=NOTARGET
// RUN: not tinyir-opt %s -p 'kernel-optimize{beam=-1 target=cpu}' 2>&1 | filecheck %s --check-prefix=NEGATIVE
// RUN: rm -rf %t.cache
// RUN: env TINYIR_CACHE_DIR=%t.cache tinyir-opt %s -p 'kernel-optimize{beam=1 target=cpu}' -o %t.first 2>/dev/null
// RUN: filecheck %s --check-prefix=SEARCH < %t.first
// RUN: env TINYIR_CACHE_DIR=%t.cache tinyir-opt %s -p 'kernel-optimize{beam=1 target=cpu}' -o %t.second 2>&1 | filecheck %s --check-prefix=QUIET --allow-empty
// RUN: diff %t.first %t.second
// kernel-optimize{beam=N target=DEV} takes each kernel's actions from a search timed on DEV; the
// second run finds the answer in the on-disk cache (no progress bar: nothing is compiled) and gives
// the same kernel. A beam without a device to time on, or a negative width, is one located error.

// NOTARGET: beam.mlir:21:3: error: 'loop.kernel' op kernel-optimize: kernel "k0": beam=2 needs a target to time on (target=DEV)
// NEGATIVE: error: 'builtin.module' op kernel-optimize: beam is a beam width (0: no search), got -1
// SEARCH:      loop.kernel "k0"(%0, %a) : !st.buffer<4xf32>, !st.buffer<4x16xf32>
// SEARCH:        uop.load
// SEARCH:        loop.reduce add
// SEARCH:        uop.store
// QUIET-NOT: beam
func.func @main(%a: !st.buffer<4x16xf32>) -> !st.buffer<4xf32> {
  %0 = st.alloc : !st.buffer<4xf32>
  loop.kernel "k0"(%0, %a) : !st.buffer<4xf32>, !st.buffer<4x16xf32> {
  ^bb0(%out: !st.buffer<4xf32>, %1: !st.buffer<4x16xf32>):
    %i0 = loop.range 4 global : i32
    %r1 = loop.range 16 reduce : i32
    %2 = uop.const 16 : i32
    %3 = uop.mul %i0, %2 : i32
    %4 = uop.add %3, %r1 : i32
    %a_1 = uop.load %1[%4] : f32
    %c = loop.reduce add %a_1 over %r1 : f32
    uop.store %out[%i0], %c : f32
  }
  func.return %0 : !st.buffer<4xf32>
}

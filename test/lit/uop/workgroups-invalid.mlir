// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per verifier rule of work-group kernels (wgid/lidx, define_local, barrier).

// gidx and lidx in one kernel
func.func @mix(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.kernel mixes gidx with wgid/lidx specials (use one or the other)}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 2 : i32
    %l = uop.special "lidx0" 2 : i32
  }
  func.return
}

// -----

// gidx and wgid in one kernel
func.func @mix_wgid(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.kernel mixes gidx with wgid/lidx specials (use one or the other)}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %w = uop.special "wgid0" 2 : i32
    %g = uop.special "gidx1" 2 : i32
  }
  func.return
}

// -----

// one special name, two sizes
func.func @two_sizes(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.special "lidx0" has two sizes, 2 and 4}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %a = uop.special "lidx0" 2 : i32
    %b = uop.special "lidx0" 4 : i32
  }
  func.return
}

// -----

// work-groups have three dims
func.func @dim3(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    // expected-error@+1 {{uop.special "wgid3": work-groups have 3 dims (0, 1, 2)}}
    %a = uop.special "wgid3" 2 : i32
  }
  func.return
}

// -----

// local memory needs a work-group kernel
func.func @local_in_gidx(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.define_local needs a work-group kernel (wgid/lidx specials)}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %l = uop.define_local : !st.buffer<4xf32>
  }
  func.return
}

// -----

// so does a barrier (a kernel with no specials at all runs one work-item, not a group)
func.func @barrier_no_specials(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.barrier needs a work-group kernel (wgid/lidx specials)}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    uop.barrier
  }
  func.return
}

// -----

// local memory inside a loop
func.func @local_in_range(%buf: !st.buffer<4xf32>) {
  // expected-error@+1 {{uop.define_local must not be inside a uop.range}}
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %l = uop.special "lidx0" 4 : i32
    %k = uop.range 0, 2 : i32
    %t = uop.define_local : !st.buffer<4xf32>
    uop.endrange %k
  }
  func.return
}

// -----

// local buffers are 1-D
func.func @local_2d(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %l = uop.special "lidx0" 4 : i32
    // expected-error@+1 {{uop.define_local needs a 1-D non-empty buffer type, got !st.buffer<2x2xf32>}}
    %t = uop.define_local : !st.buffer<2x2xf32>
  }
  func.return
}

// -----

// and not empty
func.func @local_empty(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %l = uop.special "lidx0" 4 : i32
    // expected-error@+1 {{uop.define_local needs a 1-D non-empty buffer type, got !st.buffer<0xf32>}}
    %t = uop.define_local : !st.buffer<0xf32>
  }
  func.return
}

// -----

// the result is a buffer
func.func @local_scalar(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %l = uop.special "lidx0" 4 : i32
    // expected-error@+1 {{result 'result' at position 0 does not verify}}
    %t = "uop.define_local"() : () -> f32
  }
  func.return
}

// -----

// only in a uop.kernel body
func.func @local_outside() {
  // expected-error@+1 {{uop.define_local must be directly in a uop.kernel body}}
  %t = uop.define_local : !st.buffer<4xf32>
  func.return
}

// -----

func.func @barrier_outside() {
  // expected-error@+1 {{uop.barrier must be directly in a uop.kernel body}}
  uop.barrier
  func.return
}

// -----

// a local load's type is the local buffer's element type
func.func @local_load_type(%buf: !st.buffer<4xf32>) {
  uop.kernel "k" (%buf) : !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>):
    %l = uop.special "lidx0" 4 : i32
    %t = uop.define_local : !st.buffer<4xi32>
    // expected-error@+1 {{uop.load value type f32 does not match buffer element type i32}}
    %v = uop.load %t[%l] : f32
  }
  func.return
}

// RUN: tinyir-opt %s --split-input-file --verify-diagnostics
// One case per llir.vector_call verifier check.

func.func @groups_do_not_cover(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1.0 : f32
    %h = llir.fptrunc %x : f32 to f16
    // expected-error@+1 {{llir.vector_call: groups [1] must be positive and cover the 2 arguments}}
    %d0 = llir.vector_call "llvm.x"(%h, %h) groups [1] : (f16, f16) -> (f32)
    llir.ret
  }
  func.return
}

// -----

func.func @empty_group(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1.0 : f32
    %h = llir.fptrunc %x : f32 to f16
    // expected-error@+1 {{llir.vector_call: groups [0, 2] must be positive and cover the 2 arguments}}
    %d0 = llir.vector_call "llvm.x"(%h, %h) groups [0, 2] : (f16, f16) -> (f32)
    llir.ret
  }
  func.return
}

// -----

func.func @mixed_group(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1.0 : f32
    %h = llir.fptrunc %x : f32 to f16
    // expected-error@+1 {{llir.vector_call: the arguments of one group must have one type}}
    %d0 = llir.vector_call "llvm.x"(%h, %x) groups [2] : (f16, f32) -> (f32)
    llir.ret
  }
  func.return
}

// -----

func.func @mixed_lanes(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1.0 : f32
    %h = llir.fptrunc %x : f32 to f16
    // expected-error@+1 {{llir.vector_call: every result lane must have one type}}
    %d0, %d1 = llir.vector_call "llvm.x"(%h) groups [1] : (f16) -> (f32, f16)
    llir.ret
  }
  func.return
}

// -----

func.func @not_intrinsic(%a: !st.buffer<4xf32>) {
  llir.kernel "k" (%a) : !st.buffer<4xf32> global [4] {
  ^bb0(%p: !llir.ptr<f32>):
    %x = llir.constant 1.0 : f32
    %h = llir.fptrunc %x : f32 to f16
    // expected-error@+1 {{llir.vector_call may only call LLVM intrinsics (llvm.*), got 'printf'}}
    %d0 = llir.vector_call "printf"(%h) groups [1] : (f16) -> (f32)
    llir.ret
  }
  func.return
}

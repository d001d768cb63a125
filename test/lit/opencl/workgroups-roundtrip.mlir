// RUN: %roundtrip
// The work-group ops of ocl in their custom form, read back from the generic form unchanged.

// CHECK-LABEL: func.func @group_ops
// CHECK:         ocl.kernel "k0" global [64, 2] local [32, 1] (%a) : !st.buffer<128xf32> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<128xf32>):
// CHECK-NEXT:      %w = ocl.get_group_id 0 : i32
// CHECK-NEXT:      %l = ocl.get_local_id 0 : i32
// CHECK-NEXT:      %tmp = ocl.local_array : !st.buffer<32xf32>
// CHECK-NEXT:      %one = ocl.const 1.0 : f32
// CHECK-NEXT:      ocl.store %tmp[%l], %one : f32
// CHECK-NEXT:      ocl.barrier
// CHECK-NEXT:      %v = ocl.load %tmp[%l] : f32
// CHECK-NEXT:      ocl.store %out[%w], %v : f32
// CHECK-NEXT:    }
func.func @group_ops(%a: !st.buffer<128xf32>) {
  ocl.kernel "k0" global [64, 2] local [32, 1] (%a) : !st.buffer<128xf32> {
  ^bb0(%out: !st.buffer<128xf32>):
    %w = ocl.get_group_id 0 : i32
    %l = ocl.get_local_id 0 : i32
    %tmp = ocl.local_array : !st.buffer<32xf32>
    %one = ocl.const 1.0 : f32
    ocl.store %tmp[%l], %one : f32
    ocl.barrier
    %v = ocl.load %tmp[%l] : f32
    ocl.store %out[%w], %v : f32
  }
  func.return
}

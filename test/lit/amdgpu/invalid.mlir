// RUN: not tinyir-opt %s --split-input-file 2>&1 | filecheck %s
// Verifier errors of #amdgpu.target.

// CHECK: unknown AMDGPU arch 'gfx803' (known: gfx90a, gfx942, gfx1100)
"test.op"() {t = #amdgpu.target<"gfx803", [64, 1, 1]>} : () -> ()

// -----
// CHECK: workgroup size must be 3 positive numbers (x, y, z), got [64, 1]
"test.op"() {t = #amdgpu.target<"gfx942", [64, 1]>} : () -> ()

// -----
// CHECK: workgroup of 2048 work-items exceeds the AMDGPU limit of 1024
"test.op"() {t = #amdgpu.target<"gfx942", [1024, 2, 1]>} : () -> ()

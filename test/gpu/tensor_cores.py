"""Tensor-core matmuls on cuda (issue 10), on the GPU machine from the repository root:

    python3 test/gpu/tensor_cores.py check f16 bf16   # small shapes x action lists against float64 numpy
    python3 test/gpu/tensor_cores.py time             # 4096^3 f16 and bf16: default and tile variants vs torch
    python3 test/gpu/tensor_cores.py sanitize         # two small runs, for `compute-sanitizer --tool memcheck`
    python3 test/gpu/tensor_cores.py ptx              # the default f16 4096^3 kernel's PTX in /tmp/mm.ptx (for
                                                      # ptxas + cuobjdump -sass: HMMA and LDSM expected)

PYTHONPATH must hold the repository and build/gpu-deps (see run_on_gpu.sh); TC_VARIANTS=N times only
the first N variants. Limits are relaxed (max_upcast 512, max_copies 1024) so wide tiles can be tried."""
import sys, time, dataclasses, numpy as np
sys.path.insert(0, "tools")
import bench_gpu as bg
from tinyir.ir import parse_module
from tinyir.runtime.executor import compile_program, get_target
t = get_target("cuda")
object.__setattr__(t, "limits", dataclasses.replace(t.limits, max_upcast=512, max_copies=1024))

def mm(m, k, n, ty):
    return parse_module(f"""func.func @main(%a: tensor<{m}x{k}x{ty}>, %b: tensor<{k}x{n}x{ty}>) -> tensor<{m}x{n}x{ty}> {{
      %0 = tir.matmul %a, %b : tensor<{m}x{k}x{ty}>, tensor<{k}x{n}x{ty}> -> tensor<{m}x{n}x{ty}>
      func.return %0 : tensor<{m}x{n}x{ty}>
    }}""")

def arrays(m, k, n, ty, seed=0):
    import ml_dtypes
    dt = {"f16": np.float16, "bf16": ml_dtypes.bfloat16}[ty]
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, k)).astype(dt), rng.standard_normal((k, n)).astype(dt)

mode = sys.argv[1] if len(sys.argv) > 1 else "all"
if mode == "sanitize":  # one staged (ldmatrix) and one plain tc matmul, for compute-sanitizer
    for acts in ["tc:2:0,upcast:1:2,local:0:2,local:1:2,unroll:2:2,stage:2:2", "tc:2:0,upcast:0:2,unroll:2:2"]:
        a, b = arrays(64, 128, 64, "f16")
        got = compile_program(mm(64, 128, 64, "f16"), "cuda", f'actions="{acts}"').run([a, b])[0].astype(np.float64)
        want = a.astype(np.float64) @ b.astype(np.float64)
        print("sanitize", acts, np.abs(got - want).max() / np.abs(want).max(), flush=True)
if mode == "ptx":  # the default f16 4096^3 kernel's PTX, for ptxas + cuobjdump -sass
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.ptx.emit import emit_module
    module = mm(4096, 4096, 4096, "f16")
    run_passes(module, default_pipeline("cuda", "uop-to-ptx{arch=sm_90a}"))
    open("/tmp/mm.ptx", "w").write(emit_module(module))
if mode in ("all", "check"):
    small = ["tc:2:0", "tc:2:0,upcast:0:2,upcast:1:2,local:0:2,local:1:2,unroll:2:2", "tc:2:0,upcast:1:4,upcast:0:2,local:1:2"]
    for ty in sys.argv[2:] or ["f16"]:
        for shape in [(16, 16, 8), (64, 64, 64), (128, 96, 256), (48, 32, 80)]:
            for acts in small:
                m, k, n = shape
                a, b = arrays(m, k, n, ty)
                want = a.astype(np.float64) @ b.astype(np.float64)
                try:
                    got = compile_program(mm(m, k, n, ty), "cuda", f'actions="{acts}"').run([a, b])[0].astype(np.float64)
                    rel = np.abs(got - want).max() / np.abs(want).max()
                    print(f"check {ty} {shape} {acts}: max rel err {rel:.2e} {'OK' if rel < 1e-2 else 'BAD'}", flush=True)
                except Exception as exc:
                    print(f"check {ty} {shape} {acts}: FAILED {type(exc).__name__}: {str(exc)[:300]}", flush=True)
if mode in ("all", "time"):
    import torch
    timer = bg.Timer(True, 10)
    size = 4096
    variants = ["default",
                "tc:2:0,upcast:1:4,upcast:0:4,local:0:2,local:1:2,stage:2:4",
                "tc:2:0,upcast:1:4,upcast:0:2,local:0:2,local:1:2,unroll:2:2,stage:2:2",
                "tc:2:0,upcast:1:2,upcast:0:4,local:0:2,local:1:4,unroll:2:2,stage:2:2",
                "tc:2:0,upcast:1:4,upcast:0:4,local:0:4,local:1:2,unroll:2:2,stage:2:2",
                "tc:2:0,upcast:1:8,upcast:0:2,local:0:4,local:1:2,unroll:2:2,stage:2:2",
                "tc:2:0,upcast:0:4,upcast:1:4,local:0:2,local:1:2,unroll:2:2"]
    import os
    variants = variants[:int(os.environ.get("TC_VARIANTS", len(variants)))]
    for ty in ["f16", "bf16"]:
        if ty == "bf16":
            variants = variants[:1]
        a, b = arrays(size, size, size, ty)
        module = mm(size, size, size, ty)
        for v in variants:
            try:
                t0 = time.time()
                prog = compile_program(module, "cuda", None if v == "default" else f'actions="{v}"')
                bound = bg.Bound(prog, [a, b])
                ms = timer.median_ms(bound.launch, bound.device.synchronize)
                got = bound.result()[:64, :64].astype(np.float64)
                ref = a[:64].astype(np.float64) @ b[:, :64].astype(np.float64)
                err = np.abs(got - ref).max() / np.abs(ref).max()
                print(f"{ty} {size}^3 {v:70s} {ms:8.3f} ms {2 * size**3 / ms * 1e-9:7.1f} TFLOP/s rel err {err:.1e} (compile {time.time()-t0:.1f}s)", flush=True)
            except Exception as exc:
                print(f"{ty} {size}^3 {v:70s} FAILED {type(exc).__name__}: {str(exc)[:300]}", flush=True)
        tt = torch.float16 if ty == "f16" else torch.bfloat16
        ta, tb = torch.from_numpy(a.astype(np.float32)).cuda().to(tt), torch.from_numpy(b.astype(np.float32)).cuda().to(tt)
        ms = timer.median_ms(lambda: ta @ tb, torch.cuda.synchronize)
        print(f"{ty} {size}^3 torch {ms:8.3f} ms {2 * size**3 / ms * 1e-9:7.1f} TFLOP/s", flush=True)

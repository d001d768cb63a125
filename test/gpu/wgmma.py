"""wgmma (sm_90a) matmuls on the H200 / H100 (issue 10), from the repository root:

    PYTHONPATH=$PWD:$PWD/build/gpu-deps python3 test/gpu/wgmma.py [check] [probe] [time] [ptx]
    (build/scratch/h10wgmma/run.py runs this file)

check: small f16/bf16 shapes (some not divisible by the tile) x wgmma action lists against float64 numpy
probe: only if check fails: the same small matmul with the descriptors' leading and stride byte offsets
       swapped (tiles laid out as before): OK there means the chip reads those two fields the other way
time:  4096^3 f16 and bf16: wgmma variants, the mma.sync default, and torch, in TFLOP/s (same run)
ptx:   the first wgmma variant's f16 4096^3 PTX in /tmp/wg.ptx, then (where the tools exist)
       ptxas -arch=sm_90a + cuobjdump -sass: counts HGMMA / HMMA lines
time-vec: `time` again in a child process with TC_COPY_VECTOR=4 (staged copies in runs of 4: vector
       loads, and vector stores for A), f16 and the first 3 variants only
swizzle: `check` and then `time` (f16, 3 variants, TC_COPY_VECTOR=4) in a child process with TC_SWIZZLE=1
       (tensor_cores.SWIZZLE_WGMMA_TILES: 32/64/128-byte swizzled tiles instead of interleaved ones)
overlap: `check` and then `time` (f16, 3 variants, TC_COPY_VECTOR=4) in a child process with TC_OVERLAP=1
       (ptx lower.OVERLAP_K_STEPS: a chunk's k steps keep their wgmma groups in flight, one wait per chunk)
No mode: check, probe, time, time-vec, swizzle, overlap, ptx (about 3 minutes). TC_COPY_VECTOR=N sets stage.WGMMA_COPY_VECTOR (the mma.sync default copies in runs of stage.COPY_VECTOR);
TC_VARIANTS=N times only the first N variants, TC_TYPES=f16 checks and times f16 only. The disk cache is off (TINYIR_CACHELEVEL=0): its key
does not know COPY_VECTOR. Every line is printed as it is measured; each step catches its own failure."""
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("TINYIR_CACHELEVEL", "0")

import numpy as np

sys.path.insert(0, "tools")
import bench_gpu as bg

from tinyir import tensor_cores
from tinyir.ir import parse_module
from tinyir.passes import stage
from tinyir.runtime.executor import compile_program, get_target
from tinyir.targets.ptx import lower as ptx_lower

stage.WGMMA_COPY_VECTOR = int(os.environ.get("TC_COPY_VECTOR", stage.WGMMA_COPY_VECTOR))
tensor_cores.SWIZZLE_WGMMA_TILES = os.environ.get("TC_SWIZZLE", "0") == "1"
ptx_lower.OVERLAP_K_STEPS = os.environ.get("TC_OVERLAP", "0") == "1"
print(f"staged copies in runs of {stage.WGMMA_COPY_VECTOR}, wgmma tiles "
      f"{'swizzled' if tensor_cores.SWIZZLE_WGMMA_TILES else 'interleaved (no swizzle)'}, "
      f"{'one wait per chunk' if ptx_lower.OVERLAP_K_STEPS else 'one wait per k step'}", flush=True)
target = get_target("cuda")
MMA_LOWER = target.lower_pass
WG_LOWER = "uop-to-ptx{arch=sm_90a}"


def mm(m, k, n, ty):
    a, b, c = f"tensor<{m}x{k}x{ty}>", f"tensor<{k}x{n}x{ty}>", f"tensor<{m}x{n}x{ty}>"
    return parse_module(f"""func.func @main(%a: {a}, %b: {b}) -> {c} {{
      %0 = tir.matmul %a, %b : {a}, {b} -> {c}
      func.return %0 : {c}
    }}""")


def arrays(m, k, n, ty, seed=0):
    import ml_dtypes
    dt = {"f16": np.float16, "bf16": ml_dtypes.bfloat16}[ty]
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, k)).astype(dt), rng.standard_normal((k, n)).astype(dt)


def compiled(m, k, n, ty, actions):
    """actions None: the cuda default (mma.sync, sm_80 PTX); else wgmma actions lowered for sm_90a."""
    object.__setattr__(target, "lower_pass", MMA_LOWER if actions is None else WG_LOWER)
    try:
        return compile_program(mm(m, k, n, ty), "cuda", None if actions is None else f'actions="{actions}" arch=sm_90a')
    finally:
        object.__setattr__(target, "lower_pass", MMA_LOWER)


def rel_err(got, a, b):
    want = a.astype(np.float64) @ b.astype(np.float64)
    return np.abs(got.astype(np.float64) - want).max() / np.abs(want).max()


SMALL = ["tc:2:1,stage:2:0", "tc:2:1,stage:2:2", "tc:2:2,upcast:0:2,stage:2:2", "tc:2:1,local:1:2,upcast:0:2,stage:2:0",
         "tc:2:2,upcast:0:2,local:0:2,stage:2:4"]
BIG = ["tc:2:2,upcast:0:2,local:0:2,stage:2:4", "tc:2:2,upcast:0:2,stage:2:4", "tc:2:2,upcast:0:2,local:1:2,stage:2:4",
       "tc:2:2,local:0:2,stage:2:4", "tc:2:1,upcast:0:2,upcast:1:2,local:0:2,stage:2:2"]
modes = sys.argv[1:] or ["check", "probe", "time", "time-vec", "swizzle", "overlap", "ptx"]
BIG = BIG[:int(os.environ.get("TC_VARIANTS", len(BIG)))]
failed_check = False

if "check" in modes:
    for ty in os.environ.get("TC_TYPES", "f16,bf16").split(","):
        for shape in [(64, 32, 64), (128, 64, 256), (256, 128, 256), (100, 40, 70), (70, 48, 130)]:
            for acts in SMALL:
                a, b = arrays(*shape, ty)
                try:
                    (got,) = compiled(*shape, ty, acts).run([a, b])
                    err = rel_err(got, a, b)
                    ok = err < (3e-3 if ty == "f16" else 1e-2)
                    failed_check |= not ok
                    print(f"check {ty} {shape} {acts:45s} rel err {err:.2e} {'OK' if ok else 'BAD'}", flush=True)
                except Exception as exc:
                    msg = str(exc).splitlines()[0][:200]
                    if "not divisible" in msg or "changes nothing" in msg:
                        continue
                    failed_check = True
                    print(f"check {ty} {shape} {acts:45s} FAILED {type(exc).__name__}: {msg}", flush=True)

if "probe" in modes and (failed_check or "check" not in modes):
    from tinyir.tensor_cores import SharedOperands
    real = SharedOperands.descriptor_bits
    swapped = SharedOperands(leading_bytes=256, stride_bytes=128).descriptor_bits()
    SharedOperands.descriptor_bits = lambda self: swapped
    try:
        a, b = arrays(64, 32, 64, "f16")
        (got,) = compiled(64, 32, 64, "f16", "tc:2:1,stage:2:2").run([a, b])
        print(f"probe (LBO/SBO swapped) rel err {rel_err(got, a, b):.2e} (small: the chip reads them swapped)", flush=True)
    except Exception as exc:
        print(f"probe FAILED {type(exc).__name__}: {str(exc)[:200]}", flush=True)
    finally:
        SharedOperands.descriptor_bits = real

if "time" in modes:
    import torch
    timer = bg.Timer(True, 10)
    size = 4096
    for ty in os.environ.get("TC_TYPES", "f16,bf16").split(","):
        a, b = arrays(size, size, size, ty)
        for v in [None, *BIG] if ty == "f16" else BIG[:2]:
            try:
                t0 = time.time()
                prog = compiled(size, size, size, ty, v)
                bound = bg.Bound(prog, [a, b])
                ms = timer.median_ms(bound.launch, bound.device.synchronize)
                got = bound.result()[:64, :64]
                err = rel_err(got, a[:64], b[:, :64])
                name = v or "default (mma.sync)"
                print(f"time {ty} {size}^3 {name:50s} {ms:8.3f} ms {2 * size**3 / ms * 1e-9:7.1f} TFLOP/s "
                      f"rel err {err:.1e} (compile {time.time() - t0:.1f}s)", flush=True)
            except Exception as exc:
                print(f"time {ty} {size}^3 {v} FAILED {type(exc).__name__}: {str(exc)[:300]}", flush=True)
        tt = torch.float16 if ty == "f16" else torch.bfloat16
        ta = torch.from_numpy(a.astype(np.float32)).cuda().to(tt)
        tb = torch.from_numpy(b.astype(np.float32)).cuda().to(tt)
        ms = timer.median_ms(lambda: ta @ tb, torch.cuda.synchronize)
        print(f"time {ty} {size}^3 torch {ms:8.3f} ms {2 * size**3 / ms * 1e-9:7.1f} TFLOP/s", flush=True)

if "time-vec" in modes:
    env = dict(os.environ, TC_COPY_VECTOR="4", TC_VARIANTS="3", TC_TYPES="f16")
    subprocess.run([sys.executable, "test/gpu/wgmma.py", "time"], env=env)

if "swizzle" in modes:
    env = dict(os.environ, TC_SWIZZLE="1", TC_COPY_VECTOR="4", TC_VARIANTS="3", TC_TYPES="f16")
    subprocess.run([sys.executable, "test/gpu/wgmma.py", "check", "time"], env=env)

if "overlap" in modes:
    env = dict(os.environ, TC_OVERLAP="1", TC_COPY_VECTOR="4", TC_VARIANTS="3", TC_TYPES="f16")
    subprocess.run([sys.executable, "test/gpu/wgmma.py", "check", "time"], env=env, check=False)

if "ptx" in modes:
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.ptx.emit import emit_module
    module = mm(4096, 4096, 4096, "f16")
    run_passes(module, default_pipeline("cuda", WG_LOWER, f'actions="{BIG[0]}" arch=sm_90a'))
    open("/tmp/wg.ptx", "w").write(emit_module(module))
    print("ptx: /tmp/wg.ptx written,", BIG[0], flush=True)
    if shutil.which("ptxas"):
        done = subprocess.run(["ptxas", "-arch=sm_90a", "-v", "/tmp/wg.ptx", "-o", "/tmp/wg.cubin"],
                              capture_output=True, text=True)
        print("ptxas rc", done.returncode, done.stderr.strip()[-600:], flush=True)
        if done.returncode == 0 and shutil.which("cuobjdump"):
            sass = subprocess.run(["cuobjdump", "-sass", "/tmp/wg.cubin"], capture_output=True, text=True).stdout
            print("SASS lines with HGMMA:", sum("HGMMA" in line for line in sass.splitlines()),
                  "HMMA:", sum("HMMA" in line for line in sass.splitlines()), flush=True)

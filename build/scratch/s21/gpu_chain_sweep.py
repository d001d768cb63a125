"""Every program a set of Tensor workloads realizes, lowered by the default cuda chain (sm_90a and
sm_80) with no GPU: numerics through the uop interpreter against what the cpu device computed, and
the PTX assembled by ptxas. Usage: python build/scratch/s21/gpu_chain_sweep.py [filter]"""
import os, sys, subprocess, tempfile, traceback, time
os.environ.setdefault("TINYIR_CACHELEVEL", "0")
import numpy as np
from tinyir import Tensor, dtypes
from tinyir.frontend import realize as rz
from tinyir.runtime import executor
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.targets.ptx.emit import emit_module

CAPTURED = []
orig_program = rz._program
def _program(graph, device):
    module, _ = rz.build_function(graph)
    prog = orig_program(graph, device)
    CAPTURED.append([module.clone(), None, None])
    orig_exec = prog.execute
    def execute(ins, into=None, _slot=CAPTURED[-1]):
        arrays = [b.numpy() if hasattr(b, "numpy") else np.asarray(b) for b in ins]
        outs = orig_exec(ins, into)
        if _slot[1] is None:
            _slot[1], _slot[2] = arrays, [o.numpy() for o in outs]
        return outs
    prog.execute = execute
    return prog
rz._program = _program

rng = np.random.default_rng(0)
def T(*shape, dt=dtypes.float32, scale=1.0):
    return Tensor((rng.standard_normal(shape) * scale).astype(np.float32)).cast(dt).realize()

def workloads():
    f16, bf16 = dtypes.float16, dtypes.bfloat16
    yield "mm f16 64^3", lambda: (T(64, 64, dt=f16) @ T(64, 64, dt=f16))
    yield "mm f16 100x70x130", lambda: (T(100, 70, dt=f16) @ T(70, 130, dt=f16))
    yield "mm bf16 128x256x64", lambda: (T(128, 64, dt=bf16) @ T(64, 256, dt=bf16))
    yield "mm bf16 256x128x256 +bias relu", lambda: ((T(256, 128, dt=bf16) @ T(128, 256, dt=bf16)) + T(256, dt=bf16)).relu()
    yield "mm f16 256^3 to f32", lambda: (T(256, 256, dt=f16) @ T(256, 256, dt=f16)).float()
    yield "bmm f16 4x64x96x128", lambda: (T(4, 64, 96, dt=f16) @ T(4, 96, 128, dt=f16))
    yield "mm f16 t(a)", lambda: (T(128, 256, dt=f16).T @ T(128, 256, dt=f16))
    yield "conv f16 s1 p1", lambda: T(2, 16, 12, 12, dt=f16).conv2d(T(32, 16, 3, 3, dt=f16), padding=1)
    yield "conv bf16 s2", lambda: T(2, 16, 13, 13, dt=bf16).conv2d(T(16, 16, 3, 3, dt=bf16), stride=2)
    yield "attention f16", lambda: T(2, 4, 64, 32, dt=f16).scaled_dot_product_attention(T(2, 4, 64, 32, dt=f16), T(2, 4, 64, 32, dt=f16))
    yield "softmax bf16", lambda: T(64, 200, dt=bf16).softmax(1)
    yield "sum f16", lambda: T(1000, 37, dt=f16).sum(0)
    yield "layernorm f32", lambda: T(33, 64).layernorm()
    yield "mm f32 96x80x72", lambda: T(96, 80) @ T(80, 72)
    yield "cumsum", lambda: T(7, 300).cumsum(1)
    yield "argmax bf16", lambda: T(50, 333, dt=bf16).argmax(1)
    yield "cast bf16 edge", lambda: Tensor(np.array([0.0, -0.0, 1e-40, 3.4e38, np.inf, -np.inf, 1.00390625, 1.01171875] * 8, np.float32)).realize().cast(bf16)
    def train():
        w1, w2 = T(64, 128, dt=f16), T(128, 32, dt=f16)
        w1.requires_grad = w2.requires_grad = True
        x = T(256, 64, dt=f16)
        loss = (x @ w1).relu().matmul(w2).float().square().mean()
        loss.backward()
        return [loss, w1.grad, w2.grad]
    yield "train f16 mlp", train
    yield "mm f16 300x200x520", lambda: T(300, 200, dt=f16) @ T(200, 520, dt=f16)
    yield "mm bf16 384x64x640", lambda: T(384, 64, dt=bf16) @ T(64, 640, dt=bf16)
    def block():
        x = T(2, 64, 128, dt=f16)
        wq, wk, wv, w1, w2 = (T(128, 128, dt=f16, scale=0.1) for _ in range(5))
        for w in (wq, wk, wv, w1, w2): w.requires_grad = True
        h = x.layernorm()
        q, k, v = (h @ wq).reshape(2, 64, 4, 32).transpose(1, 2), (h @ wk).reshape(2, 64, 4, 32).transpose(1, 2), (h @ wv).reshape(2, 64, 4, 32).transpose(1, 2)
        a = q.scaled_dot_product_attention(k, v, is_causal=True).transpose(1, 2).reshape(2, 64, 128)
        y = x + a
        y = y + (y @ w1).gelu() @ w2
        loss = y.float().square().mean()
        loss.backward()
        return [loss, wq.grad, wk.grad, wv.grad, w1.grad, w2.grad]
    yield "train f16 block", block
    def convtrain():
        x = T(2, 16, 10, 10, dt=f16); w = T(32, 16, 3, 3, dt=f16, scale=0.2); w.requires_grad = True
        x.requires_grad = True
        loss = x.conv2d(w, padding=1).relu().float().sum()
        loss.backward()
        return [loss, x.grad, w.grad]
    yield "train f16 conv", convtrain
    def bftrain():
        a = T(128, 256, dt=bf16); w = T(256, 128, dt=bf16, scale=0.1); w.requires_grad = True
        loss = (a @ w).silu().float().square().mean()
        loss.backward()
        return [loss, w.grad]
    yield "train bf16 silu", bftrain

def ptxas(text, arch):
    with tempfile.TemporaryDirectory() as d:
        open(f"{d}/k.ptx", "w").write(text)
        r = subprocess.run(["ptxas", f"-arch={arch}", f"{d}/k.ptx", "-o", f"{d}/k.cubin"], capture_output=True, text=True)
        return r.returncode == 0, r.stderr[:600]

def close(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape: return False, f"shape {got.shape} vs {want.shape}"
    scale = max(1.0, float(np.nanmax(np.abs(want[np.isfinite(want)]), initial=0)))
    bad = ~((np.abs(got - want) <= 2e-2 * scale) | (np.isnan(got) & np.isnan(want)) | (got == want))
    return (not bad.any()), f"max err {np.nanmax(np.abs(got - want)):.3g} at {np.argwhere(bad)[:3].tolist()}"

failures = 0
filt = sys.argv[1] if len(sys.argv) > 1 else ""
for name, fn in workloads():
    if filt not in name: continue
    CAPTURED.clear(); rz.clear_cache()
    out = fn(); outs = out if isinstance(out, list) else [out]
    outs[0].realize(*outs[1:])
    for i, (module, ins, want) in enumerate(CAPTURED):
        if ins is None: continue
        for arch in ("sm_90a", "sm_80"):
            t0 = time.time()
            specs = default_pipeline("cuda", "uop-to-ptx", "", arch)
            lower = next(s for s in specs if s.startswith("uop-to-ptx"))
            try:
                m = module.clone(); run_passes(m, [s for s in specs if s != lower])
                acts = sorted({k.attributes["actions"].data for k in m.walk() if k.name == "uop.kernel" and "actions" in k.attributes})
                got = run_program(m, ins)
                oks = [close(g, w) for g, w in zip(got, want)]
                m2 = module.clone(); run_passes(m2, specs); ok_ptx, err = ptxas(emit_module(m2), arch)
                status = "ok" if all(o for o, _ in oks) and ok_ptx else "FAIL"
                if status == "FAIL": failures += 1
                print(f"{status} {name} #{i} {arch}: interp {[e for o, e in oks if not o] or 'match'} ptxas {'ok' if ok_ptx else err} {time.time()-t0:.1f}s {acts[:3]}", flush=True)
            except Exception as exc:
                failures += 1
                print(f"FAIL {name} #{i} {arch}: {type(exc).__name__}: {str(exc)[:400]}", flush=True)
                traceback.print_exc(limit=3)
print("failures", failures)

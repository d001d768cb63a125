"""Two-device benchmark: a small GPT's training step on one device vs sharded over two, and all-reduce
bandwidth of tinyir's collectives against NCCL's own (torch.distributed) in the same run.

    python3 tools/bench_multi_gpu.py                      # two GPUs: cuda:0 and cuda:1
    python3 tools/bench_multi_gpu.py --device cpu --small # the CPU path (cpu:0, cpu:1; gloo for torch)

On the GPU machine run it with PYTHONPATH=$PWD:$PWD/build/gpu-deps. It prints:
  * the GPT step: the median step time on one device at batch B, and on two devices at batch 2B
    (data parallel: the model replicated, the batch sharded on axis 0, gradients all-reduced), the
    throughput of each in samples/s and their ratio (the issue's goal on two GPUs: >= 1.8x), plain
    and under TinyJit; next to each, the host's own work per step (graph building, scheduling,
    launching: the step's time less kernels that run inside a CPU launch, collectives and waiting
    for the devices). Two cpu devices share the same cores, so on a CPU the ratio cannot pass ~1x:
    there the host work is the figure to read (on GPUs it must be far below the kernel time);
  * all-reduce of a float32 buffer across the two devices: tinyir's `collectives.all_reduce`
    (NCCL through cupy on CUDA, the host fallback elsewhere) and torch.distributed's all_reduce
    (NCCL on CUDA, gloo on CPU; two spawned processes), as time and bus bandwidth
    (2 (n-1)/n bytes / time, NCCL's own measure), and their ratio.
Timings are information for people; nothing asserts them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def gpt(T: Any, nn: Any, d: int, ctx: int, vocab: int, layers: int) -> Any:
    """A causal transformer whose constants (positions, mask) live on the input's device(s)."""

    class Block:
        def __init__(self) -> None:
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

        def __call__(self, x: Any) -> Any:
            q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=2)
            att = (q @ k.transpose(1, 2)) * (1.0 / d**0.5)
            mask = T.ones(ctx, ctx, device=x.device).tril()
            att = att.masked_fill(mask == 0, -1e9).softmax(-1)
            x = x + self.proj(att @ v)
            return x + self.fc2(self.fc1(self.ln2(x)).gelu())

    class GPT:
        def __init__(self) -> None:
            self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
            self.blocks = [Block() for _ in range(layers)]
            self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)

        def __call__(self, idx: Any) -> Any:
            x = self.tok(idx) + self.pos(T.arange(ctx, device=idx.device).reshape(1, ctx))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln(x))

    return GPT()


def synchronize(devices: tuple[str, ...]) -> None:
    from tinyir.runtime.executor import get_device

    for d in devices:
        get_device(d).synchronize()


class StepClock:
    """Where a step's time goes: kernels run synchronously inside `launch` (the CPU device: its
    kernels run on the host, inside the call), collectives (`collectives.all_reduce_many`), waiting
    for the devices (`synchronize`), and the rest: the host's own work per step (graph building,
    scheduling, launching), the figure that must stay far below the kernel time on GPUs. On a GPU a
    launch only queues the kernel, so its time counts as host work there."""

    def __init__(self, devices: tuple[str, ...]):
        from tinyir.runtime import collectives
        from tinyir.runtime.executor import get_device, split_device_name

        self.spent = {"kernels": 0.0, "collectives": 0.0, "sync": 0.0}
        self.patched: list[tuple[Any, str, Any]] = []
        for d in devices:
            device = get_device(d)
            if split_device_name(d)[0] == "cpu" and "launch" not in vars(device):
                self._wrap(device, "launch", "kernels")
        self._wrap(collectives, "all_reduce_many", "collectives")

    def _wrap(self, owner: Any, name: str, bucket: str) -> None:
        real = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.spent[bucket] += time.perf_counter() - start

        self.patched.append((owner, name, vars(owner).get(name)))
        setattr(owner, name, timed)

    def restore(self) -> None:
        for owner, name, before in reversed(self.patched):
            if before is None:
                delattr(owner, name)
            else:
                setattr(owner, name, before)

    def sync(self, devices: tuple[str, ...]) -> None:
        start = time.perf_counter()
        synchronize(devices)
        self.spent["sync"] += time.perf_counter() - start

    def reset(self) -> None:
        self.spent = dict.fromkeys(self.spent, 0.0)


def gpt_throughput(devices: tuple[str, ...], batch: int, cfg: dict[str, int], steps: int,
                   jit: bool = False) -> dict[str, float]:
    """An AdamW step at `batch` over `devices` (`jit`: under TinyJit): median seconds per step,
    samples per second, and the median of each part of a step's time (StepClock's buckets, "host"
    the rest)."""
    from tinyir import Tensor
    from tinyir.frontend import nn
    from tinyir.frontend.nn import optim
    from tinyir.runtime.jit import TinyJit

    np.random.seed(0)
    Tensor.manual_seed(0) if hasattr(Tensor, "manual_seed") else None
    with Tensor.train(False):
        model = gpt(Tensor, nn, **cfg)
    params = nn.state.get_parameters(model)
    if len(devices) > 1:
        for p in params:
            p.shard_(devices)
    else:
        for p in params:
            p.replace(p.to(devices[0])).realize()
    opt = optim.AdamW(params, lr=1e-3)
    rng = np.random.default_rng(0)
    x = Tensor(rng.integers(0, cfg["vocab"], (batch, cfg["ctx"])).astype(np.int32))
    y = Tensor(rng.integers(0, cfg["vocab"], (batch, cfg["ctx"])).astype(np.int32))
    x, y = (x.shard(devices, 0), y.shard(devices, 0)) if len(devices) > 1 else (x.to(devices[0]), y.to(devices[0]))

    def train_step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = model(x).sparse_categorical_crossentropy(y)
        loss.backward()
        Tensor.realize(loss, *opt.schedule_step())  # the loss and the step in one go
        return loss

    step = TinyJit(train_step) if jit else train_step
    clock = StepClock(devices)
    split: dict[str, list[float]] = {k: [] for k in ("seconds", "kernels", "collectives", "sync", "host")}
    try:
        for i in range(steps + 3):  # three warm-up steps compile everything (and capture, jitted)
            clock.reset()
            start = time.perf_counter()
            with Tensor.train():
                step(x, y)
            clock.sync(devices)
            if i >= 3:
                elapsed = time.perf_counter() - start
                split["seconds"].append(elapsed)
                for k, v in clock.spent.items():
                    split[k].append(v)
                split["host"].append(elapsed - sum(clock.spent.values()))
    finally:
        clock.restore()
    out = {k: statistics.median(v) for k, v in split.items()}  # each the median over the timed steps
    return {**out, "rate": batch / out["seconds"]}


def report(label: str, result: dict[str, float]) -> None:
    r = result
    print(f"  {label}: {r['seconds'] * 1e3:9.2f} ms/step {r['rate']:10.1f} samples/s | host work "
          f"{r['host'] * 1e3:7.2f} ms/step (kernels on the host {r['kernels'] * 1e3:.2f}, collectives "
          f"{r['collectives'] * 1e3:.2f}, waiting {r['sync'] * 1e3:.2f})")


def tinyir_all_reduce(devices: tuple[str, ...], nbytes: int, iters: int) -> float:
    """Median seconds of one all-reduce (sum) of `nbytes` of float32 on each device."""
    from tinyir.runtime import collectives
    from tinyir.runtime.buffer import allocator_for

    n = nbytes // 4
    buffers = [allocator_for(d).upload(np.full(n, i + 1, np.float32)) for i, d in enumerate(devices)]
    out = collectives.all_reduce(buffers, "sum")
    assert float(out[0].numpy()[0]) == sum(range(1, len(devices) + 1)), "all_reduce gave a wrong sum"
    times = []
    for _ in range(iters):
        synchronize(devices)
        start = time.perf_counter()
        out = collectives.all_reduce(buffers, "sum")
        synchronize(devices)
        times.append(time.perf_counter() - start)
        del out
    return statistics.median(times)


def _torch_worker(rank: int, world: int, backend: str, nbytes: int, iters: int, port: int, results: Any) -> None:
    import torch
    import torch.distributed as dist

    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group(backend, rank=rank, world_size=world)
    device = torch.device(f"cuda:{rank}") if backend == "nccl" else torch.device("cpu")
    if backend == "nccl":
        torch.cuda.set_device(device)
    x = torch.ones(nbytes // 4, dtype=torch.float32, device=device)

    def sync() -> None:
        if backend == "nccl":
            torch.cuda.synchronize(device)

    for _ in range(3):
        dist.all_reduce(x)
    times = []
    for _ in range(iters):
        sync()
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(x)
        sync()
        times.append(time.perf_counter() - start)
    if rank == 0:
        results.put(statistics.median(times))
    dist.destroy_process_group()


def torch_all_reduce(world: int, backend: str, nbytes: int, iters: int) -> float | None:
    """Median seconds of torch.distributed's all_reduce over `world` spawned processes (None: no torch)."""
    try:
        import torch.multiprocessing as mp
    except ImportError:
        return None
    ctx = mp.get_context("spawn")
    results = ctx.SimpleQueue()
    port = 29500 + os.getpid() % 1000
    mp.spawn(_torch_worker, args=(world, backend, nbytes, iters, port, results), nprocs=world, join=True)
    return results.get()


def bus_bandwidth(nbytes: int, seconds: float, world: int) -> float:
    """NCCL's bus bandwidth of an all-reduce, GB/s."""
    return 2 * (world - 1) / world * nbytes / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", help="cuda (default: cuda:0 and cuda:1) or cpu (cpu:0, cpu:1)")
    parser.add_argument("--small", action="store_true", help="a tiny model and buffers (proves the script runs)")
    parser.add_argument("--batch", type=int, default=0, help="batch per device (default: 64, 2 with --small)")
    parser.add_argument("--steps", type=int, default=0, help="timed steps (default 10, 5 small)")
    parser.add_argument("--skip-torch", action="store_true", help="no torch.distributed comparison")
    args = parser.parse_args()
    devices = (f"{args.device}:0", f"{args.device}:1")
    if args.small:
        cfg, batch, steps, nbytes, iters = {"d": 32, "ctx": 16, "vocab": 64, "layers": 1}, 2, 5, 1 << 20, 5
    else:
        cfg, batch, steps, nbytes, iters = {"d": 256, "ctx": 128, "vocab": 512, "layers": 4}, 64, 10, 256 << 20, 20
    batch, steps = args.batch or batch, args.steps or steps
    from tinyir.runtime import collectives
    from tinyir.runtime.executor import canonical_device_name, get_device

    for d in devices:
        get_device(d)
    print(f"devices: {', '.join(canonical_device_name(d) for d in devices)}; collectives: "
          f"{'NCCL (cupy)' if collectives.uses_nccl(devices) else 'host fallback'}")
    print(f"GPT d={cfg['d']} ctx={cfg['ctx']} vocab={cfg['vocab']} layers={cfg['layers']}, AdamW, {steps} timed steps")
    rates = {}
    for jit in (False, True):
        name = "jitted" if jit else "plain "
        one = gpt_throughput(devices[:1], batch, cfg, steps, jit)
        report(f"{name} 1 device,  batch {batch:4d}", one)
        two = gpt_throughput(devices, 2 * batch, cfg, steps, jit)
        report(f"{name} 2 devices, batch {2 * batch:4d}", two)
        rates[name.strip()] = two["rate"] / one["rate"]
    print(f"  throughput ratio 2 / 1 devices: plain {rates['plain']:.2f}x, jitted {rates['jitted']:.2f}x "
          "(goal on two GPUs: >= 1.8x)")
    if not collectives.uses_nccl(devices) and args.device == "cpu":
        print("  (cpu:0 and cpu:1 share this machine's cores: a ratio near 1x is all two CPU devices can give; "
              "the host work per step is the figure that carries over to GPUs)")
    print(f"all-reduce (sum) of {nbytes / 2**20:.0f} MiB float32 over 2 devices, median of {iters}:")
    ours = tinyir_all_reduce(devices, nbytes, iters)
    print(f"  tinyir collectives: {ours * 1e3:9.3f} ms  bus bandwidth {bus_bandwidth(nbytes, ours, 2):8.2f} GB/s")
    if not args.skip_torch:
        backend = "nccl" if args.device == "cuda" else "gloo"
        theirs = torch_all_reduce(2, backend, nbytes, iters)
        if theirs is None:
            print("  torch.distributed: not installed")
        else:
            print(f"  torch.distributed ({backend}): {theirs * 1e3:9.3f} ms  bus bandwidth "
                  f"{bus_bandwidth(nbytes, theirs, 2):8.2f} GB/s; tinyir / torch time: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()

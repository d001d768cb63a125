"""Two-device benchmark: a small GPT's training step on one device vs sharded over two, and all-reduce
bandwidth of tinyir's collectives against NCCL's own (torch.distributed) in the same run.

    python3 tools/bench_multi_gpu.py                      # two GPUs: cuda:0 and cuda:1
    python3 tools/bench_multi_gpu.py --device cpu --small # the CPU path (cpu:0, cpu:1; gloo for torch)

On the GPU machine run it with PYTHONPATH=$PWD:$PWD/build/gpu-deps. It prints:
  * the GPT step: the median step time on one device at batch B, and on two devices at batch 2B
    (data parallel: the model replicated, the batch sharded on axis 0, gradients all-reduced), the
    throughput of each in samples/s and their ratio (the issue's goal on two GPUs: >= 1.8x);
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


def gpt_throughput(devices: tuple[str, ...], batch: int, cfg: dict[str, int], steps: int) -> tuple[float, float]:
    """(median seconds per step, samples per second) of an AdamW step at `batch` over `devices`."""
    from tinyir import Tensor
    from tinyir.frontend import nn
    from tinyir.frontend.nn import optim

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
    times = []
    for i in range(steps + 2):  # two warm-up steps compile everything
        start = time.perf_counter()
        with Tensor.train():
            opt.zero_grad()
            loss = model(x).sparse_categorical_crossentropy(y)
            loss.backward()
            Tensor.realize(loss, *opt.schedule_step())  # the loss and the step in one go
        synchronize(devices)
        if i >= 2:
            times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return seconds, batch / seconds


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
    parser.add_argument("--steps", type=int, default=0, help="timed steps (default 10, 3 small)")
    parser.add_argument("--skip-torch", action="store_true", help="no torch.distributed comparison")
    args = parser.parse_args()
    devices = (f"{args.device}:0", f"{args.device}:1")
    if args.small:
        cfg, batch, steps, nbytes, iters = {"d": 32, "ctx": 16, "vocab": 64, "layers": 1}, 2, 3, 1 << 20, 5
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
    one_s, one_rate = gpt_throughput(devices[:1], batch, cfg, steps)
    print(f"  1 device,  batch {batch:4d}: {one_s * 1e3:9.2f} ms/step  {one_rate:10.1f} samples/s")
    two_s, two_rate = gpt_throughput(devices, 2 * batch, cfg, steps)
    print(f"  2 devices, batch {2 * batch:4d}: {two_s * 1e3:9.2f} ms/step  {two_rate:10.1f} samples/s")
    print(f"  throughput ratio 2 / 1 devices: {two_rate / one_rate:.2f}x (goal on two GPUs: >= 1.8x)")
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

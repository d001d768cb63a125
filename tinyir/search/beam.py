"""BEAM search: action lists for one kernel, chosen by timing candidates on the real device.

A candidate is an action list. The search starts from no actions and from the target's heuristic
list; each round extends every kept candidate by one more action (every kind on every axis, with
every split size in `AMOUNTS` that `check_action` accepts), lowers each new list through the rest
of the default pipeline (on worker processes for big rounds), compiles the round's kernels (in
parallel where the device allows), runs each on the same random inputs, and keeps the `width`
fastest of those whose output equals the unoptimized kernel's. It stops when a round finds
nothing faster (by more than `MIN_GAIN`) than the best so far. A candidate that fails to lower or
compile, crashes, runs past the time limit or gives a different output is discarded.

The answer is stored in the on-disk cache (tinyir/search/cache.py): a search is done once per
kernel, device and width, and later calls only look it up.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from tinyir import __version__
from tinyir.dialects import loop
from tinyir.errors import TinyirError
from tinyir.ir import to_text
from tinyir.passes.kernel_optimize import (
    ACTIONS,
    Action,
    apply_action,
    axes,
    check_action,
    check_kernel,
    format_actions,
    kernel_ranges,
    parse_actions,
)
from tinyir.runtime.executor import debug_level
from tinyir.search.cache import SearchCache, SearchKey
from tinyir.search.measure import Candidate, KernelBench, first_line
from tinyir.search.workers import LoweringPool, default_workers
from tinyir.targets.base import KernelSource

#: split sizes tried for each action; 0 takes the whole axis (for tc: the instruction's number, so 1 too)
AMOUNTS = (0, 1, 2, 3, 4, 8, 16, 32, 64, 128, 256)
#: devices whose `compile` may run on several threads at once. The others compile one kernel at a
#: time, in the searching thread: llvmlite shares one LLVM context between threads, and a CUDA
#: context is current in one thread only.
PARALLEL_COMPILE = frozenset({"opencl"})
#: a candidate whose first run is this many times slower than the best is not timed again
GIVE_UP_FACTOR = 3.0
#: a round improves when its best candidate beats the best so far by more than this fraction
#: (less is within the noise of a best-of-few timing, and would only buy another round)
MIN_GAIN = 0.01


@dataclass
class SearchReport:
    """What a search did (filled in when passed to `beam_search`): for tests and DEBUG output."""

    cached: bool = False
    rounds: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    lowered_in_workers: int = 0

    @property
    def discarded(self) -> dict[str, str]:
        return {format_actions(c.actions): c.problem for c in self.candidates if c.problem is not None}


def beam_search(kernel: loop.KernelOp, device: str, width: int, *, time_limit_s: float = 10.0,
                max_rounds: int = 8, amounts: Sequence[int] = AMOUNTS, repeats: int = 3, seed: int = 0,
                workers: int | None = None, cache: SearchCache | None = None,
                report: SearchReport | None = None) -> list[Action]:
    """The fastest action list found for `kernel` on `device` by a beam of `width` candidates.

    `time_limit_s` bounds each candidate's compile and its first run; `repeats` launches more are
    timed and the best counts; `workers` processes lower big rounds (default: a core each but one).
    The kernel itself is not changed."""
    if width < 1:
        raise TinyirError(f"beam search: the beam width must be at least 1, got {width}")
    if device == "reference":
        raise TinyirError("beam search: the reference interpreter runs no kernels to time; name a device")
    report = report if report is not None else SearchReport()
    bench = KernelBench(kernel, device, seed)
    cache = cache or SearchCache()
    key = SearchKey(bench.kernel_hash, device, bench.identity, __version__, width)
    found = _usable(bench, cache.lookup(key))
    if found is not None:
        report.cached = True
        _say(f"{format_actions(found) or '(no actions)'} (cached)", device, width)
        return found
    pool = LoweringPool(to_text(bench.module), device, default_workers() if workers is None else workers, bench.chip)
    try:
        actions = _search(bench, pool, device, width, time_limit_s, max_rounds, tuple(amounts), repeats, report)
    finally:
        pool.close()
    cache.store(key, format_actions(actions))
    timed = [c for c in report.candidates if c.ok]
    best = min(c.seconds for c in timed)
    _say(f"{format_actions(actions) or '(no actions)'}: {best * 1e3:.4f} ms, unoptimized "
         f"{report.candidates[0].seconds * 1e3:.4f} ms; {len(report.candidates)} candidates in {report.rounds} "
         f"rounds, {len(report.discarded)} discarded", device, width)
    return actions


def _usable(bench: KernelBench, stored: str | None) -> list[Action] | None:
    """A stored answer that still parses and applies (else None: the search runs again)."""
    if stored is None:
        return None
    try:
        actions = parse_actions(stored)
        kernel = bench.kernel(bench.module.clone())
        for action in actions:
            apply_action(kernel, action, bench.limits)
    except Exception:  # noqa: BLE001 - a damaged or outdated row is only a miss
        return None
    return actions


def _say(text: str, device: str, width: int) -> None:
    if debug_level() >= 2:
        print(f"*** beam {device} width {width}: {text}", file=sys.stderr)


def fits_whole(kernel, action: Action, limits) -> bool:
    """Whether the list stays within what only the whole list shows (staged tiles' local memory, and
    a stage for the matrix instruction that reads its operands from staged tiles)."""
    if action.kind != "stage" and not any(r.range_kind == loop.RangeKind.STAGE for r in kernel_ranges(kernel)):
        return True
    return check_kernel(_applied(kernel, action, limits), limits) is None


def next_actions(bench: KernelBench, actions: Sequence[Action], amounts: Sequence[int]) -> list[tuple[Action, ...]]:
    """Every step that fits the kernel once `actions` are applied: one action per distinct split, or
    an action and the stage it needs together (a `tc` whose instruction reads A and B from local
    memory, wgmma, is refused without a stage, so one step at a time never reaches it)."""
    kernel = bench.kernel(bench.module.clone())
    for action in actions:
        apply_action(kernel, action, bench.limits)
    found: list[tuple[Action, ...]] = []
    for action in fitting_actions(kernel, bench.limits, amounts):
        after = _applied(kernel, action, bench.limits) if action.kind == "tc" else None
        if after is not None and needs_stage(kernel, after):
            found += [(action, stage) for stage in fitting_actions(after, bench.limits, amounts, kinds=("stage",))]
        else:
            found.append((action,))
    return found


def fitting_actions(kernel, limits, amounts: Sequence[int], kinds: Sequence[str] = tuple(ACTIONS)) -> list[Action]:
    """The actions of `kinds` that `check_action` accepts on the kernel (one per distinct split) and
    that keep the whole list within the target (`fits_whole`)."""
    found = []
    for index, r in enumerate(axes(kernel)):
        sizes = [0, *(a for a in amounts if a not in (0, r.extent))]  # 0 and the extent are one split
        for kind in kinds:
            for amount in sizes:
                action = Action(kind, index, amount)
                if check_action(kernel, action, limits) is None and fits_whole(kernel, action, limits):
                    found.append(action)
    return found


def needs_stage(before, after) -> bool:
    """Whether a tc action (taking `before` to `after`) picked an instruction that reads its operands
    from staged tiles while the kernel has no stage range yet."""
    from tinyir.passes.tensor_core import shared_operand_instruction

    staged = any(r.range_kind == loop.RangeKind.STAGE for r in kernel_ranges(before))
    return not staged and shared_operand_instruction(after) is not None


def _applied(kernel, action: Action, limits):
    """A copy of the kernel with the action applied."""
    trial = kernel.clone()
    apply_action(trial, action, limits)
    return trial


def _search(bench: KernelBench, pool: LoweringPool, device: str, width: int, time_limit_s: float, max_rounds: int,
            amounts: tuple[int, ...], repeats: int, report: SearchReport) -> list[Action]:
    from tinyir.passes.kernel_heuristics import choose_actions

    kernels: dict[str, Candidate] = {}  # kernel text -> the candidate that produced it first
    baseline = Candidate(())
    _lower(bench, baseline, kernels)
    if baseline.problem is None:
        _compile(bench, baseline)
    bench.measure_baseline(baseline, repeats)
    report.candidates.append(baseline)
    beam = [baseline]
    tried = {baseline.actions}
    heuristic = tuple(choose_actions(bench.kernel(), device, bench.limits))
    if heuristic:
        tried.add(heuristic)
        beam += _round(bench, pool, device, [Candidate(heuristic)], kernels, beam[0].seconds, time_limit_s, repeats,
                       report, "heuristic")
        beam = sorted(beam, key=lambda c: c.seconds)[:width]
    for number in range(1, max_rounds + 1):
        children = []
        for parent in beam:
            for step in next_actions(bench, parent.actions, amounts):
                actions = (*parent.actions, *step)
                if actions not in tried:
                    tried.add(actions)
                    children.append(Candidate(actions))
        if not children:
            break
        report.rounds = number
        good = _round(bench, pool, device, children, kernels, beam[0].seconds, time_limit_s, repeats, report,
                      f"round {number}")
        if not good or min(c.seconds for c in good) >= beam[0].seconds * (1 - MIN_GAIN):
            break
        beam = sorted(beam + good, key=lambda c: c.seconds)[:width]
    return list(beam[0].actions)


def _round(bench: KernelBench, pool: LoweringPool, device: str, candidates: list[Candidate], kernels: dict[str, Candidate],
           best: float, time_limit_s: float, repeats: int, report: SearchReport, what: str) -> list[Candidate]:
    """Lower, compile (in parallel) and measure candidates; the ones that worked."""
    from tqdm import tqdm

    report.candidates.extend(candidates)
    with tqdm(total=len(candidates), desc=f"beam {device} {bench.identity[:24]} {what}", unit="kernel",
              file=sys.stderr, leave=False, dynamic_ncols=True) as bar:
        fresh = []
        lowered = (pool.lower_all([c.actions for c in candidates], time_limit_s) if pool.usable_for(len(candidates))
                   else [None] * len(candidates))
        report.lowered_in_workers += sum(1 for x in lowered if x is not None)
        for candidate, done in zip(candidates, lowered):
            if done is None:  # no worker lowered it: lower it here
                _lower(bench, candidate, kernels)
            else:
                _accept(candidate, *done, kernels)
            if candidate.problem is None:
                fresh.append(candidate)
            else:
                bar.update()
        _compile_all(bench, device, fresh, time_limit_s, bar)
        for candidate in fresh:
            if candidate.problem is None:
                bench.measure(candidate, repeats, time_limit_s, GIVE_UP_FACTOR * best)
                if candidate.ok:
                    best = min(best, candidate.seconds)
                    bar.set_postfix_str(f"best {best * 1e3:.3f} ms")
    return [c for c in candidates if c.ok]


def _lower(bench: KernelBench, candidate: Candidate, kernels: dict[str, Candidate]) -> None:
    try:
        source, problem = bench.lower(candidate.actions), None
    except Exception as exc:  # noqa: BLE001 - any failure to lower discards the candidate
        source, problem = None, f"{type(exc).__name__}: {first_line(exc)}"
    _accept(candidate, source, problem, kernels)


def _accept(candidate: Candidate, source: KernelSource | None, problem: str | None,
            kernels: dict[str, Candidate]) -> None:
    """Take a lowered kernel, unless lowering failed or another action list made the same one."""
    if source is None:
        candidate.discard(f"lowering failed: {problem}")
        return
    candidate.source = source
    twin = kernels.setdefault(source.text, candidate)
    if twin is not candidate:  # another action list made this very kernel: it is timed once
        candidate.discard(f"same kernel as [{format_actions(twin.actions)}]")


def _compile(bench: KernelBench, candidate: Candidate) -> None:
    try:
        candidate.compiled = bench.device.compile(candidate.source)
    except Exception as exc:  # noqa: BLE001 - a kernel the device rejects is discarded
        candidate.discard(f"compile failed: {type(exc).__name__}: {first_line(exc)}")


def _compile_all(bench: KernelBench, device: str, candidates: list[Candidate], time_limit_s: float, bar) -> None:
    """Compile a round. Where the device allows, on a thread pool: a compile still running
    `time_limit_s` after it began is abandoned (its thread is left to finish on its own: Python
    cannot stop it). Elsewhere one at a time in this thread (a CUDA context is current only here),
    and a compile that took over the limit is discarded once it returns."""
    if device not in PARALLEL_COMPILE:
        for candidate in candidates:
            start = time.perf_counter()
            _compile(bench, candidate)
            if candidate.problem is None and time.perf_counter() - start > time_limit_s:
                candidate.discard(f"compile took over the {time_limit_s:g} s limit")
            bar.update()
        return
    if not candidates:
        return
    began: dict[int, float] = {}

    def work(candidate: Candidate) -> None:
        began[id(candidate)] = time.perf_counter()
        _compile(bench, candidate)

    pool = ThreadPoolExecutor(max_workers=min(len(candidates), 8), thread_name_prefix="tinyir-beam")
    try:
        futures: dict[Future, Candidate] = {pool.submit(work, c): c for c in candidates}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            bar.update(len(done))
            now = time.perf_counter()
            hung = {f for f in pending if now - began.get(id(futures[f]), math.inf) > time_limit_s}
            for future in hung:
                futures[future].discard(f"compile took over the {time_limit_s:g} s limit")
            pending -= hung
            bar.update(len(hung))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

"""The looking tools (docs/viz.md): rule firings recorded by the rewrite driver, the rewrite page
(rendered in a real headless Chromium), the GRAPH=1 drawings, the PROFILE=1 trace."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tinyir.registry import default_pipeline
from tinyir.runtime import compile_program, executor
from tinyir.tools.source import load_module
from tinyir.viz.firings import FIRING_LOG
from tinyir.viz.page import diff_html, render_page
from tinyir.viz.record import VizSession, observe_compile, pass_watch, recording
from tinyir.viz.settings import SWITCHES

ROOT = Path(__file__).resolve().parents[2]
MLP = ROOT / "examples" / "mlp_forward.mlir"

TRAIN_SCRIPT = """
import numpy as np
from tinyir.frontend.tensor import Tensor
rng = np.random.default_rng(0)
w = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
x = Tensor(rng.standard_normal((2, 4)).astype(np.float32))
for _ in range(2):  # the second step has the first one's structure: drawn and compiled once
    loss = ((x @ w).exp() + 1).log().sum()
    loss.backward()
    print("loss", float(loss.numpy()), "grad", w.grad.numpy().sum())
    w.grad = None
"""


def _pass_names(device: str = "cpu") -> list[str]:
    return [spec.split("{", 1)[0] for spec in default_pipeline(device, executor.get_target(device).lower_pass)]


def _record(device: str = "cpu", run: bool = True) -> VizSession:
    session = VizSession()
    with recording(session):
        executor._PROGRAM_CACHE.clear()
        program = compile_program(load_module(str(MLP)), device)
        if run:
            program.run([np.ones(s, d) for s, d in program.input_types])
    return session


def _run_script(tmp_path: Path, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "train.py"
    script.write_text(TRAIN_SCRIPT)
    env = {**os.environ, "TINYIR_CACHE_DIR": str(tmp_path / "cache"), **env_extra}  # compiled here, not loaded
    for name in ("VIZ", "GRAPH", "PROFILE"):
        env.setdefault(name, "0")
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    return done


# ---------------------------------------------------------------- recording


def test_everything_off_by_default_costs_nothing() -> None:
    """With the switches off no observer exists: passes, launches and rule tables take their usual path."""
    assert not (SWITCHES.viz or SWITCHES.graph or SWITCHES.profile), "run the tests without VIZ/GRAPH/PROFILE"
    module = load_module(str(MLP))
    assert observe_compile(module, "cpu") is None
    assert pass_watch() is None
    assert FIRING_LOG.get() is None
    executor._PROGRAM_CACHE.clear()
    assert compile_program(module, "cpu").watch is None


def test_every_pass_and_kernel_is_recorded() -> None:
    session = _record()
    (program,) = session.programs
    assert [s.name for s in program.steps] == ["input", *_pass_names()]
    decompose = program.steps[1]
    assert decompose.firings, "tensor-decompose rewrote matmul, relu and softmax"
    rules = {f.rule for f in decompose.firings}
    assert any("softmax" in r for r in rules)
    firing = next(f for f in decompose.firings if f.root == "tir.softmax")
    assert "tir.softmax" in firing.before and "tir.softmax" not in firing.after
    assert firing.table == "tensor-decompose"
    assert program.kernels and all(k.uop.lstrip().startswith("uop.kernel") for k in program.kernels.values())
    assert all("define" in k.target for k in program.kernels.values())  # LLVM IR functions
    assert all(len(k.times) == 1 and k.times[0] > 0 for k in program.kernels.values())


ARITH = """
func.func @f(%x: i32) -> i32 {
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %a = arith.addi %x, %zero : i32
  %b = arith.muli %a, %one : i32
  func.return %b : i32
}
"""


def test_driver_records_firings_only_when_asked() -> None:
    """The shared driver (tinyir/rewrite.py) logs each firing while FIRING_LOG holds a log, and
    applies the same rewrites, logging nothing, when it does not."""
    from xdsl.parser import Parser

    from tinyir.ir import make_context, to_text
    from tinyir.tools.test_passes import TestArithIdentities
    from tinyir.viz.firings import FiringLog

    def rewritten(log: FiringLog | None) -> str:
        module = Parser(make_context(), ARITH).parse_module()
        token = FIRING_LOG.set(log)
        try:
            TestArithIdentities().apply(make_context(), module)
        finally:
            FIRING_LOG.reset(token)
        return to_text(module)

    log = FiringLog()
    assert rewritten(log) == rewritten(None)
    assert [(f.rule, f.root, f.table) for f in log.firings] == [
        ("x + 0 -> x", "arith.addi", "test-arith-identities"), ("x * 1 -> x", "arith.muli", "test-arith-identities")]
    first = log.firings[0]
    assert "arith.addi" in first.before and "arith.addi" not in first.after


def test_recording_leaves_the_result_unchanged() -> None:
    module = load_module(str(MLP))
    executor._PROGRAM_CACHE.clear()
    inputs = [np.random.default_rng(1).standard_normal(s).astype(d) for s, d in compile_program(module).input_types]
    plain = compile_program(module, "cpu").run(inputs)
    session = VizSession()
    with recording(session):
        executor._PROGRAM_CACHE.clear()
        recorded = compile_program(module, "cpu").run(inputs)
    expected = compile_program(module, "reference").run(inputs)
    for a, b, c in zip(plain, recorded, expected):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(b, c, rtol=1e-5, atol=1e-6)
    executor._PROGRAM_CACHE.clear()


def test_diff_marks_added_and_removed_lines_and_folds_long_runs() -> None:
    old = "\n".join(f"line {i}" for i in range(30))
    new = old.replace("line 15", "line fifteen")
    html, added, removed = diff_html(old, new)
    assert (added, removed) == (1, 1)
    assert '<ins class="line">line fifteen' in html and '<del class="line">line 15' in html
    assert "unchanged lines</summary>" in html


def test_page_is_self_contained() -> None:
    page = render_page(_record(run=False).programs)
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "no network resource"
    assert "<script>" in page and "<style>" in page
    assert "not run" in page  # no times without a run


# ---------------------------------------------------------------- the page in a browser


def _chromium() -> str | None:
    for name in (os.environ.get("TINYIR_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _dump_dom(page: Path, fragment: str) -> str:
    browser = _chromium()
    if browser is None:
        pytest.skip("no headless browser: install Chromium (apt-get install chromium; tools/test.sh does where it can)")
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000",
                           "--dump-dom", f"{page.as_uri()}#{fragment}"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _shown(dom: str) -> tuple[str, list[str]]:
    """The body's current step and the ids of the sections not hidden."""
    current = re.search(r'<body data-current="([^"]*)"', dom).group(1)
    visible = [m.group(1) for m in re.finditer(r'<section class="step" id="([^"]+)"([^>]*)>', dom)
               if "hidden" not in m.group(2)]
    return current, visible


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, VizSession]:
    session = _record()
    path = tmp_path_factory.mktemp("viz") / "page.html"
    session.write(str(path))
    return path, session


def test_browser_shows_every_pass_and_every_kernel(page: tuple[Path, VizSession]) -> None:
    path, session = page
    dom = _dump_dom(path, "show=p0k")
    assert _shown(dom) == ("p0k", ["p0k"])  # the script ran: it showed the step the fragment named
    nav = re.findall(r'<li class="navstep[^"]*" data-step="p0s\d+"[^>]*><a[^>]*>\d+\. ([^<]+)</a>', dom)
    assert nav == ["input", *_pass_names()]
    for name in session.programs[0].kernels:
        assert f'data-kernel="{name}"' in dom
    assert "us mean of 1 launch" in dom  # kernel times from the run


def test_clicking_next_changes_what_is_shown(page: tuple[Path, VizSession]) -> None:
    path, _ = page
    first = _shown(_dump_dom(path, "show=p0s0"))
    after_three = _shown(_dump_dom(path, "show=p0s0&clicks=3"))
    after_four = _shown(_dump_dom(path, "show=p0s0&clicks=4"))
    assert first == ("p0s0", ["p0s0"])
    assert after_three == ("p0s3", ["p0s3"])
    assert after_four == ("p0s4", ["p0s4"])
    dom = _dump_dom(path, "show=p0s0&clicks=4")
    assert re.search(r'<li class="navstep current" data-step="p0s4"', dom)
    assert re.search(rf"5 / \d+: step 4: after {_pass_names()[3]}<", dom)  # the header says where we are


def test_search_keeps_what_names_an_op(page: tuple[Path, VizSession]) -> None:
    path, _ = page
    dom = _dump_dom(path, "show=p0s0&search=uop.define_acc")
    hidden = {step for classes, step in re.findall(r'<li class="([^"]*)" data-step="([^"]+)"', dom)
              if "hidden-by-search" in classes}
    assert "p0s0" in hidden and "p0s1" in hidden  # tensor level: no accumulators yet
    assert "p0s8" not in hidden  # uop-simplify's output has them


def test_cli_writes_the_page(tmp_path: Path) -> None:
    from tinyir.tools.viz import main

    out = tmp_path / "out.html"
    assert main([str(MLP), "-o", str(out)]) == 0
    text = out.read_text()
    assert all(f">{i}. {name}</a>" in text for i, name in enumerate(_pass_names(), start=1))


def test_cli_writes_the_passes_up_to_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tinyir.errors import TinyirError
    from tinyir.tools.viz import main

    def refuse(*args: object, **kwargs: object) -> None:
        raise TinyirError("cannot execute host op test.op")

    monkeypatch.setattr(executor, "_build_plan", refuse)
    out = tmp_path / "failed.html"
    assert main([str(MLP), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "up to the failure" in err and "cannot execute host op test.op" in err and "Traceback" not in err
    assert all(f">{i}. {name}</a>" in out.read_text() for i, name in enumerate(_pass_names(), start=1))


def test_a_failing_pass_is_shown_with_its_firings_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinyir.diagnostics import DiagnosticError
    from tinyir.passes.fold_views import FoldViews

    def fail(self: object, ctx: object, op: object) -> None:
        raise DiagnosticError(None, "fold-views refused the program")  # as a pass reports bad input

    monkeypatch.setattr(FoldViews, "apply", fail)
    session = VizSession()
    with recording(session), pytest.raises(DiagnosticError):
        executor._PROGRAM_CACHE.clear()
        compile_program(load_module(str(MLP)), "cpu")
    last = session.programs[0].steps[-1]
    assert last.name == "fold-views" and "FAILED" in last.spec and "refused" in last.spec


def test_cli_bad_input_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tinyir.tools.viz import main

    assert main([str(tmp_path / "missing.mlir"), "-o", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err
    assert "missing.mlir" in err and "Traceback" not in err
    assert main([str(MLP), "--device", "reference", "-o", str(tmp_path / "x.html")]) == 1


def test_opt_pipeline_is_recorded_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`VIZ=1 tinyir-opt ...` records its pass pipeline as a program of the page."""
    from tinyir.tools.opt import main as opt_main

    session = VizSession()
    with recording(session), pytest.raises(SystemExit) as done:
        opt_main([str(MLP), "-p", "lower-to-opencl", "-o", str(tmp_path / "out.mlir")])
    assert done.value.code in (0, None)
    (program,) = session.programs
    assert [s.name for s in program.steps] == ["input", *_pass_names("opencl")]
    assert program.kernels and all(k.uop and not k.target for k in program.kernels.values())
    assert "(not lowered to a target)" in render_page(session.programs)


def test_viz_env_writes_a_page_per_script(tmp_path: Path) -> None:
    path = tmp_path / "script_page.html"
    done = _run_script(tmp_path, {"VIZ": "1", "TINYIR_VIZ_PATH": str(path)})
    assert f"to {path}" in done.stderr
    text = path.read_text()
    assert "program 0:" in text and "program 1:" in text  # the loss and its gradient
    assert "launches</span>" in text or "launch</span>" in text


# ---------------------------------------------------------------- GRAPH=1


def _svg(path: Path) -> ET.Element:
    return ET.fromstring(path.read_text())


SVG = "{http://www.w3.org/2000/svg}"


def test_graph_draws_tensor_and_kernel_graphs(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is missing (apt-get install graphviz; tools/test.sh does where it can)")
    done = _run_script(tmp_path, {"GRAPH": "1", "TINYIR_GRAPH_PATH": str(tmp_path / "g")})
    tensor_svg, kernel_svg = tmp_path / "g.svg", tmp_path / "g_kernels.svg"
    assert str(tensor_svg) in done.stderr and str(kernel_svg) in done.stderr
    root = _svg(tensor_svg)
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    labels = ["\n".join(t.text or "" for t in g.iter(f"{SVG}text")) for g in nodes]
    assert any(label.startswith("buffer\n(4, 3)\nfloat32") for label in labels)  # the weight
    assert any(label.startswith("exp2\n(2, 3)\nfloat32") for label in labels)
    edge_colours = {p.get("stroke") for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
                    for p in g.iter(f"{SVG}path")}
    assert {"black", "blue", "red"} <= edge_colours
    node_colours = {p.get("stroke") for g in nodes for p in g.iter(f"{SVG}path")}
    assert {"black", "blue", "purple"} <= node_colours
    kernels = _svg(kernel_svg)
    boxes = [g for g in kernels.iter(f"{SVG}g") if g.get("class") == "node"
             and any((t.text or "").startswith("k") for t in g.iter(f"{SVG}text"))]
    assert len(boxes) >= 2
    kernel_edges = {p.get("stroke") for g in kernels.iter(f"{SVG}g") if g.get("class") == "edge"
                    for p in g.iter(f"{SVG}path")}
    assert kernel_edges == {"black", "#666666"}  # writes black, reads grey (Graphviz spells gray40 #666666)


def test_graph_without_graphviz_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tinyir.viz.graph import write_drawing

    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    written = write_drawing("digraph g { a -> b }\n", str(tmp_path / "x.svg"))
    assert written == str(tmp_path / "x.dot") and Path(written).read_text().startswith("digraph")
    assert "Graphviz's `dot` was not found" in capsys.readouterr().err


# ---------------------------------------------------------------- PROFILE=1


def test_profile_writes_a_chrome_trace(tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    done = _run_script(tmp_path, {"PROFILE": "1", "TINYIR_PROFILE_PATH": str(path)})
    assert str(path) in done.stderr
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    for event in events:
        assert {"ph", "ts", "dur", "name", "pid", "tid"} <= set(event), event
        assert isinstance(event["ts"], (int, float)) and event["dur"] >= 0
    complete = [e for e in events if e["ph"] == "X"]
    passes = {e["name"] for e in complete if e["cat"] == "pass"}
    assert set(_pass_names()) <= passes
    launches = [e for e in complete if e["cat"] == "kernel"]
    assert len(launches) >= 4 and all(e["dur"] > 0 for e in launches)
    assert sorted(e["ts"] for e in launches) == [e["ts"] for e in launches]  # in launch order

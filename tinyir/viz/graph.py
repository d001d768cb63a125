"""`GRAPH=1`: drawings of what a script realized, through Graphviz, written at exit.

* The tensor graph: one node per lazy node the realizes computed or read (labelled op, shape,
  dtype), one edge per source. Colours: forward edges black, backward edges blue, edges from a
  forward value into the backward pass (data saved for backward) red; forward intermediates (computed,
  not realized as a result) purple, backward nodes blue.
* The kernel graph: each compiled program's buffers (ellipses) and kernels (boxes); a kernel reads
  its buffers 1.. (grey edges) and writes buffer 0 (black edge).

The tensor graph goes to `$TINYIR_GRAPH_PATH` (default tinyir_graph.svg in the temporary folder),
the kernel graph beside it (`<stem>_kernels.svg`); both paths are printed. Without Graphviz's `dot`
the DOT text is written instead (`.dot`) with a message saying how to install it. A realize whose
graph has the structure of one drawn before (a training loop's next step) is drawn once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from tinyir.viz.settings import output_path

#: past this many nodes a drawing stops growing (Graphviz takes minutes on huge graphs)
MAX_NODES = 2000

FORWARD, BACKWARD, SAVED = "black", "blue", "red"
INTERMEDIATE = "purple"


def _resolve(node: Any) -> Any:
    while node.op == "detach" and node.srcs:
        node = node.srcs[0]
    return node


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass
class TensorNode:
    number: int
    op: str
    shape: tuple[int, ...]
    dtype: str
    computed: bool
    output: bool = False


@dataclass
class TensorGraph:
    """The realized tensor graph, accumulated over the script's realizes."""

    nodes: dict[int, TensorNode] = field(default_factory=dict)  # id(lazy node) -> node
    edges: dict[tuple[int, int], None] = field(default_factory=dict)
    backward: set[int] = field(default_factory=set)
    keep: list[Any] = field(default_factory=list)  # the lazy nodes, so their ids stay theirs
    drawn_keys: set[Any] = field(default_factory=set)
    truncated: bool = False

    def note_backward(self, made: list[Any], forward: set[int]) -> None:
        """Nodes autodiff made for a gradient (those not shared with the forward graph)."""
        for node in made:
            if id(node) not in forward:
                self.backward.add(id(node))
                self.keep.append(node)

    def _node(self, node: Any, computed: bool) -> int:
        key = id(node)
        if key not in self.nodes:
            self.nodes[key] = TensorNode(len(self.nodes), node.op if computed else "buffer", tuple(node.shape),
                                         node.dtype.name, computed)
            self.keep.append(node)
        return key

    def note_realize(self, graph: Any) -> None:
        """One realize's graph (tinyir/frontend/realize.py `Graph`), before it runs."""
        if graph.key in self.drawn_keys:
            return
        self.drawn_keys.add(graph.key)
        if len(self.nodes) + len(graph.nodes) + len(graph.args) > MAX_NODES:
            self.truncated = True
            return
        for arg in graph.args:
            self._node(arg, computed=False)
        for node in graph.nodes:
            key = self._node(node, computed=True)
            for src in node.srcs:
                self.edges[(self._node(_resolve(src), computed=_resolve(src).op != "buffer"), key)] = None
        for out in graph.outputs:
            self.nodes[self._node(_resolve(out), computed=True)].output = True

    def edge_colour(self, src: int, dst: int) -> str:
        if dst in self.backward:
            return BACKWARD if src in self.backward else SAVED
        return FORWARD

    def node_colour(self, key: int) -> str:
        node = self.nodes[key]
        if key in self.backward:
            return BACKWARD
        if node.computed and not node.output and node.op not in ("const", "buffer"):
            return INTERMEDIATE
        return FORWARD

    def dot(self) -> str:
        truncated = " (truncated)" if self.truncated else ""
        lines = ["digraph tensors {",
                 '  rankdir=TB; node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
                 "  edge [arrowsize=0.6];",
                 (f'  label="tinyir tensor graph: forward black, backward blue, saved for backward red, '
                  f'forward intermediates purple{truncated}"; labelloc=t;')]
        for key, node in self.nodes.items():
            shape = "(" + ", ".join(str(s) for s in node.shape) + ("," if len(node.shape) == 1 else "") + ")"
            colour = self.node_colour(key)
            extra = ", penwidth=2" if node.output else ""
            label = _quote(f"{node.op}\n{shape}\n{node.dtype}")
            lines.append(f"  n{node.number} [label={label}, "
                         f'color="{colour}", fontcolor="{colour}"{extra}, tooltip={_quote(node.op)}];')
        for src, dst in self.edges:
            lines.append(f'  n{self.nodes[src].number} -> n{self.nodes[dst].number} [color="{self.edge_colour(src, dst)}"];')
        lines.append("}")
        return "\n".join(lines) + "\n"


@dataclass
class KernelGraph:
    """Each compiled program's kernels and the buffers they read and write."""

    clusters: list[str] = field(default_factory=list)
    drawn: set[tuple[str, ...]] = field(default_factory=set)
    count: int = 0

    def note_program(self, program: Any) -> None:
        key = (program.device_name, *program.kernel_hashes)
        if key in self.drawn or not program.kernels:
            return
        self.drawn.add(key)
        index = len(self.clusters)
        p = f"p{index}_"
        lines = [f"  subgraph cluster_{index} {{", f"    label={_quote(f'program {index} on {program.device_name}')};"]

        def buffer(slot: int, label: str, output: bool) -> None:
            extra = ", penwidth=2" if output else ""
            lines.append(f"    {p}b{slot} [shape=ellipse, label={_quote(label)}{extra}];")

        outs = set(program.out_slots)
        for i, slot in enumerate(program.arg_slots):
            shape, dtype = program.input_types[i]
            buffer(slot, f"input {i}\n{tuple(shape)}\n{dtype}", slot in outs)
        for step in program.steps:
            if step.kind in ("alloc", "const"):
                what = "buffer" if step.kind == "alloc" else "constant"
                out = " (output)" if step.result in outs else ""
                buffer(step.result, f"{what}{out}\n{tuple(step.shape)}\n{step.dtype}", step.result in outs)
        for k, step in enumerate(s for s in program.steps if s.kind == "kernel"):
            name = step.source.name if step.source is not None else f"kernel {k}"
            lines.append(f'    {p}k{k} [shape=box, style="filled", fillcolor="#e3f2fd", label={_quote(name)}];')
            for slot in step.operands[1:]:
                lines.append(f'    {p}b{slot} -> {p}k{k} [color="gray40"];')
            if step.operands:
                lines.append(f'    {p}k{k} -> {p}b{step.operands[0]} [color="black", penwidth=1.5];')
        lines.append("  }")
        self.count += sum(1 for s in program.steps if s.kind == "kernel")
        self.clusters.append("\n".join(lines))

    def dot(self) -> str:
        head = ["digraph kernels {", '  rankdir=TB; fontname="Helvetica"; node [fontname="Helvetica", fontsize=10];',
                '  label="tinyir kernel graph: kernels (boxes) read buffers (grey) and write buffer 0 (black)";',
                "  labelloc=t;"]
        return "\n".join([*head, *self.clusters, "}"]) + "\n"


@dataclass
class Drawings:
    tensors: TensorGraph = field(default_factory=TensorGraph)
    kernels: KernelGraph = field(default_factory=KernelGraph)


_ACTIVE: list[Drawings] = []


def active_drawings() -> Drawings:
    if not _ACTIVE:
        _ACTIVE.append(Drawings())
        atexit.register(_write_at_exit)
    return _ACTIVE[0]


def note_realize(graph: Any) -> None:
    active_drawings().tensors.note_realize(graph)


def note_backward(made: list[Any], forward: set[int]) -> None:
    active_drawings().tensors.note_backward(made, forward)


def note_kernel_graph(program: Any) -> None:
    active_drawings().kernels.note_program(program)


class GraphvizMissing(Exception):
    pass


def render_svg(dot_text: str) -> str:
    """SVG text for a DOT graph, through Graphviz's `dot` (raises GraphvizMissing without it)."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing("Graphviz's `dot` was not found on PATH (install it: `apt-get install graphviz`, "
                              "`brew install graphviz` or `conda install graphviz`)")
    done = subprocess.run([exe, "-Tsvg"], check=False, input=dot_text, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise GraphvizMissing(f"`dot` failed: {done.stderr.strip()[:500]}")
    return done.stdout


def write_drawing(dot_text: str, path: str) -> str:
    """Write the SVG to `path` (the DOT text beside it, `.dot`, if Graphviz is missing); returns the
    path written. The message on stderr says which."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    try:
        svg = render_svg(dot_text)
    except (GraphvizMissing, subprocess.TimeoutExpired, OSError) as exc:
        dot_path = os.path.splitext(path)[0] + ".dot"
        with open(dot_path, "w") as f:
            f.write(dot_text)
        print(f"GRAPH: cannot draw {path}: {exc}; wrote the graph as DOT text to {dot_path}", file=sys.stderr)
        return dot_path
    with open(path, "w") as f:
        f.write(svg)
    return path


def graph_paths() -> tuple[str, str]:
    """(tensor graph, kernel graph) paths, from $TINYIR_GRAPH_PATH."""
    path = output_path("TINYIR_GRAPH_PATH", "tinyir_graph.svg")
    if not path.endswith(".svg"):
        path += ".svg"
    return path, path[: -len(".svg")] + "_kernels.svg"


def _write_at_exit() -> None:
    drawings = _ACTIVE[0]
    tensor_path, kernel_path = graph_paths()
    if drawings.tensors.nodes:
        written = write_drawing(drawings.tensors.dot(), tensor_path)
        if written == tensor_path:
            print(f"GRAPH: tensor graph ({len(drawings.tensors.nodes)} nodes) at {written}", file=sys.stderr)
    if drawings.kernels.clusters:
        written = write_drawing(drawings.kernels.dot(), kernel_path)
        if written == kernel_path:
            print(f"GRAPH: kernel graph ({drawings.kernels.count} kernels) at {written}", file=sys.stderr)

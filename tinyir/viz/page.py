"""The rewrite page: one self-contained HTML file (plain HTML and CSS, a small embedded script).

For each recorded program: a step per pass with the whole module's IR after it (lines added since
the step before in green, removed ones struck through in red, long unchanged runs folded), the
rule firings of that pass (rule, comment, root op, before and after), and a kernels step with each
kernel's uop list beside its target code and its launch times. The navigation is collapsed per
program; the search box keeps the steps, firings and kernels that mention an op or kernel name.

Test hook: the URL fragment `#show=<step id>&clicks=<n>&search=<text>&firings=1&kernel=<name>`
selects a step, presses "next" n times, types a search, opens the step's firings and a kernel, so a
headless browser can be driven (and screenshots made) without input events.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from collections.abc import Sequence

from tinyir.viz.record import KernelRecord, ProgramRecord, Step, _levels

#: firings shown one by one per step (all are counted in the per-rule summary)
MAX_FIRINGS_SHOWN = 400
#: unchanged lines around a change that stay visible; longer unchanged runs fold
CONTEXT_LINES = 3

_OP_NAME = re.compile(r"^\s*(?:%[^=]*=\s*)?\"?([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_.]*)", re.MULTILINE)
_KERNEL_NAME = re.compile(r"\.kernel\s+\"([^\"]+)\"")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def search_words(text: str) -> set[str]:
    """The op names and kernel names in some IR text (what the search box matches)."""
    return set(_OP_NAME.findall(text)) | set(_KERNEL_NAME.findall(text))


def diff_html(old: str, new: str) -> tuple[str, int, int]:
    """`new` as HTML lines, with what changed from `old` marked; returns (html, added, removed)."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > 8000)
    out: list[str] = []
    added = removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            run = b[j1:j2]
            if len(run) > 2 * CONTEXT_LINES + 4:
                head, middle, tail = run[:CONTEXT_LINES], run[CONTEXT_LINES:-CONTEXT_LINES], run[-CONTEXT_LINES:]
                out.extend(_e(line) + "\n" for line in head)
                out.append(f'<details class="fold"><summary>{len(middle)} unchanged lines</summary>'
                           + "".join(_e(line) + "\n" for line in middle) + "</details>")
                out.extend(_e(line) + "\n" for line in tail)
            else:
                out.extend(_e(line) + "\n" for line in run)
            continue
        for line in a[i1:i2]:
            out.append(f'<del class="line">{_e(line)}\n</del>')
            removed += 1
        for line in b[j1:j2]:
            out.append(f'<ins class="line">{_e(line)}\n</ins>')
            added += 1
    return "".join(out), added, removed


def _firings_html(step: Step) -> str:
    if not step.firings:
        return '<p class="meta">no rule firings (no rule matched, or the pass rewrites without a rule table)</p>'
    counts = Counter(f.rule for f in step.firings)
    rows = "".join(f"<tr><td>{n}</td><td>{_e(rule)}</td></tr>" for rule, n in counts.most_common())
    items = []
    for k, f in enumerate(step.firings[:MAX_FIRINGS_SHOWN]):
        words = f"{f.rule} {f.root} {f.table} " + " ".join(search_words(f.before) | search_words(f.after))
        comment = f'<p class="comment">{_e(f.comment)}</p>' if f.comment else ""
        items.append(
            f'<details class="firing" data-search="{_e(words.lower())}"><summary><span class="n">#{k + 1}</span> '
            f'<b>{_e(f.rule)}</b> at <code>{_e(f.root)}</code> <span class="meta">({_e(f.table)})</span></summary>'
            f'{comment}<div class="side"><div><h4>before</h4><pre>{_e(f.before)}</pre></div>'
            f'<div><h4>after</h4><pre>{_e(f.after)}</pre></div></div></details>')
    more = len(step.firings) - MAX_FIRINGS_SHOWN
    if more > 0:
        items.append(f'<p class="meta">{more} more firings not shown (counted above)</p>')
    return (f'<details class="firings"><summary>{len(step.firings)} rule firings</summary>'
            f'<table class="counts"><tr><th>fired</th><th>rule</th></tr>{rows}</table>{"".join(items)}</details>')


def _step_html(pid: int, index: int, step: Step, previous: Step | None, title: str) -> tuple[str, str]:
    """The step's section and its navigation entry."""
    sid = f"p{pid}s{index}"
    levels = _levels(step.text)
    if previous is None:
        body, added, removed = "".join(_e(line) + "\n" for line in step.text.splitlines()), 0, 0
        change = "as given"
    elif step.text == previous.text:  # the same IR again would only make the page longer
        body, added, removed = f"(the same IR as step {index - 1})", 0, 0
        change = "unchanged"
    else:
        body, added, removed = diff_html(previous.text, step.text)
        change = f"+{added} &minus;{removed} lines"
    words = {step.name, *search_words(step.text), *(f.rule for f in step.firings)}
    heading = "input" if previous is None else f"after <code>{_e(step.name)}</code>"
    firings = "" if previous is None else _firings_html(step)
    time = f" &middot; {step.seconds * 1e3:.2f} ms" if previous is not None else ""
    section = (
        f'<section class="step" id="{sid}" data-pass="{_e(step.name)}" hidden>'
        f'<h2>{_e(title)}</h2><h3>step {index}: {heading}</h3>'
        f'<p class="meta">{_e(step.spec)} &middot; levels: {_e(levels or "?")}{time} &middot; {change}</p>'
        f'{firings}<details class="irview" open><summary>IR after this step'
        f'{" (changes from the step before highlighted)" if previous is not None else ""}</summary>'
        f'<pre class="ir">{body}</pre></details></section>')
    nfire = f"{len(step.firings)} firings, " if previous is not None else ""
    nav = (f'<li class="navstep" data-step="{sid}" data-search="{_e(" ".join(sorted(words)).lower())}">'
           f'<a href="#show={sid}">{index}. {_e(step.name)}</a> <span class="meta">{nfire}{change}</span></li>')
    return section, nav


def _time_text(k: KernelRecord) -> str:
    if not k.times:
        return "not run"
    mean = sum(k.times) / len(k.times)
    return f"{mean * 1e6:.1f} us mean of {len(k.times)} launch{'es' if len(k.times) != 1 else ''}"


def _kernels_html(pid: int, program: ProgramRecord) -> tuple[str, str]:
    sid = f"p{pid}k"
    rows, items = [], []
    for k in program.kernels.values():
        rate = ""
        if k.times:
            mean = sum(k.times) / len(k.times)
            if mean > 0:
                rate = f"{k.flops / mean * 1e-9:.2f} GFLOP/s, {k.bytes / mean * 1e-9:.2f} GB/s"
        rows.append(f'<tr class="krow" data-search="{_e(k.name.lower())}"><td><a href="#show={sid}&amp;kernel='
                    f'{_e(k.name)}">{_e(k.name)}</a></td><td>{_time_text(k)}</td><td>{rate}</td>'
                    f'<td>{_e(k.actions)}</td></tr>')
        items.append(
            f'<details class="kernel" id="{sid}-{_e(k.name)}" data-kernel="{_e(k.name)}" '
            f'data-search="{_e(k.name.lower())}"><summary><b>{_e(k.name)}</b> '
            f'<span class="meta">{_time_text(k)}</span></summary><div class="side">'
            f'<div><h4>uop list</h4><pre>{_e(k.uop)}</pre></div>'
            f'<div><h4>{_e(program.device)} code</h4><pre>{_e(k.target or "(not lowered to a target)")}</pre></div>'
            '</div></details>')
    table = ('<table class="counts"><tr><th>kernel</th><th>time</th><th>rate</th><th>actions</th></tr>'
             + "".join(rows) + "</table>")
    section = (f'<section class="step" id="{sid}" data-pass="kernels" hidden><h2>{_e(program.title)}</h2>'
               f'<h3>kernels ({len(program.kernels)}): uop list and {_e(program.device)} code</h3>'
               f'{table}{"".join(items)}</section>')
    names = " ".join(k.name for k in program.kernels.values()).lower()
    nav = (f'<li class="navstep" data-step="{sid}" data-search="kernels {_e(names)}"><a href="#show={sid}">'
           f'kernels ({len(program.kernels)})</a></li>')
    return section, nav


def render_page(programs: Sequence[ProgramRecord]) -> str:
    sections: list[str] = []
    navs: list[str] = []
    for pid, program in enumerate(programs):
        entries = []
        previous = None
        for index, step in enumerate(program.steps):
            section, nav = _step_html(pid, index, step, previous, program.title)
            sections.append(section)
            entries.append(nav)
            previous = step
        section, nav = _kernels_html(pid, program)
        sections.append(section)
        entries.append(nav)
        opened = " open" if pid == 0 else ""
        navs.append(f'<details class="program" data-program="{pid}"{opened}><summary>{_e(program.title)}</summary>'
                    f'<ol start="0">{"".join(entries)}</ol></details>')
    empty = "" if programs else '<p class="meta">no program was compiled</p>'
    return (_HEAD + '<body data-current=""><header><h1>tinyir: what the compiler did</h1>'
            '<input id="search" type="search" placeholder="search an op or kernel name" size="32">'
            '<button id="prev" type="button">&#9664; prev</button><button id="next" type="button">next &#9654;</button>'
            '<span id="where" class="meta"></span></header>'
            f'<div id="layout"><nav id="nav">{"".join(navs)}{empty}</nav><main id="main">{"".join(sections)}</main></div>'
            f"<script>{_SCRIPT}</script></body></html>\n")


_HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tinyir rewrites</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#222;background:#fafafa}
header{position:sticky;top:0;z-index:2;background:#263238;color:#eee;padding:6px 12px;display:flex;gap:8px;align-items:center}
header h1{font-size:16px;margin:0 12px 0 0}header .meta{color:#b0bec5}
#layout{display:flex;align-items:flex-start}
nav{width:330px;flex:none;max-height:calc(100vh - 44px);overflow:auto;position:sticky;top:44px;border-right:1px solid #ddd;padding:6px}
nav ol{margin:4px 0;padding-left:8px;list-style:none}nav li.current{background:#ffe082}nav a{color:#0d47a1;text-decoration:none}
main{flex:1;min-width:0;padding:8px 16px}
h2{font-size:15px;margin:4px 0}h3{font-size:14px;margin:4px 0}h4{margin:2px 0;font-size:12px;color:#555}
.meta{color:#666;font-size:12px}pre{background:#fff;border:1px solid #e0e0e0;padding:6px;overflow:auto;font:12px/1.35 ui-monospace,monospace;margin:2px 0}
pre.ir{max-height:75vh}ins.line{display:block;background:#dcffe4;text-decoration:none}del.line{display:block;background:#ffdce0;color:#8a1f2b}
details.fold{display:inline;color:#777}details.fold>summary{cursor:pointer;color:#1565c0;font-style:italic}
.side{display:flex;gap:8px}.side pre{max-height:60vh}.side>div{flex:1;min-width:0}
details.firing{border-left:3px solid #90caf9;margin:3px 0;padding-left:6px}details.kernel{border-left:3px solid #a5d6a7;margin:4px 0;padding-left:6px}
table.counts{border-collapse:collapse;font-size:12px;margin:4px 0}table.counts td,table.counts th{border:1px solid #ddd;padding:1px 6px;text-align:left}
.comment{margin:2px 0;font-style:italic}.hidden-by-search{display:none}
</style></head>
"""

_SCRIPT = r"""
(function(){
  const steps = Array.from(document.querySelectorAll('section.step'));
  const navItems = Array.from(document.querySelectorAll('li.navstep'));
  const where = document.getElementById('where');
  let current = -1;
  function show(i){
    if (i < 0 || i >= steps.length) return;
    steps.forEach(function(s, k){ s.hidden = (k !== i); });
    current = i;
    const id = steps[i].id;
    document.body.dataset.current = id;
    navItems.forEach(function(li){
      const on = li.dataset.step === id;
      li.classList.toggle('current', on);
      if (on) { li.closest('details').open = true; }
    });
    where.textContent = (i + 1) + ' / ' + steps.length + ': ' + steps[i].querySelector('h3').textContent;
  }
  function indexOf(id){ return steps.findIndex(function(s){ return s.id === id; }); }
  function visible(k){ const li = navItems.find(function(n){ return n.dataset.step === steps[k].id; });
    return !li || !li.classList.contains('hidden-by-search'); }
  function step(delta){
    let k = current + delta;
    while (k >= 0 && k < steps.length && !visible(k)) k += delta;
    show(k);
  }
  document.getElementById('next').addEventListener('click', function(){ step(1); });
  document.getElementById('prev').addEventListener('click', function(){ step(-1); });
  document.addEventListener('keydown', function(ev){
    if (ev.target.tagName === 'INPUT') return;
    if (ev.key === 'ArrowRight' || ev.key === 'j') step(1);
    if (ev.key === 'ArrowLeft' || ev.key === 'k') step(-1);
  });
  navItems.forEach(function(li){
    li.querySelector('a').addEventListener('click', function(ev){
      ev.preventDefault(); show(indexOf(li.dataset.step));
    });
  });
  function search(text){
    const q = text.trim().toLowerCase();
    document.querySelectorAll('[data-search]').forEach(function(el){
      el.classList.toggle('hidden-by-search', q !== '' && el.dataset.search.indexOf(q) < 0);
    });
    if (q !== '') {
      document.querySelectorAll('details.program').forEach(function(d){
        d.open = d.querySelector('li.navstep:not(.hidden-by-search)') !== null;
      });
      document.querySelectorAll('details.firings').forEach(function(d){
        d.open = d.querySelector('details.firing:not(.hidden-by-search)') !== null;
      });
    }
  }
  const box = document.getElementById('search');
  box.addEventListener('input', function(){ search(box.value); });
  function fromHash(){
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const target = params.get('show');
    show(target && indexOf(target) >= 0 ? indexOf(target) : Math.max(current, 0));
    const clicks = parseInt(params.get('clicks') || '0', 10);
    for (let c = 0; c < clicks; c++) document.getElementById('next').click();
    if (params.has('search')) { box.value = params.get('search'); search(box.value); }
    if (params.get('firings')) {
      const list = steps[current].querySelector('details.firings');
      if (list) { list.open = true; list.querySelectorAll('details.firing').forEach(function(d, k){ d.open = k < 2; }); }
    }
    const kernel = params.get('kernel');
    if (kernel) { const d = document.getElementById(steps[current].id + '-' + kernel); if (d) { d.open = true; } }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
"""

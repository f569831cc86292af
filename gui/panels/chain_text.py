"""The chain-rule panel's text: paths, products and sums in the seeds' form, as rich text.

One path reads ``∂y/∂x = ∂y/∂u · ∂u/∂sq · ∂sq/∂x = 31.6875 · 1 · 3 = 95.0625`` (the loss end
first, as the seeds write ∂L/∂out · ∂out/∂h · ∂h/∂w); several paths read as their products,
and the total as their sum. A tensor step has no single local derivative: it reads ``VJP`` (the
gradient passes back as a vector–Jacobian product) or ``⊙[a … b]`` (one derivative per
element), never a made-up number. Pure functions: no widgets here.
"""
from __future__ import annotations

from html import escape

import numpy as np

from gui import theme
from gui.formatting import fmt_number, grad_symbol, norm, norm_text, shape_text

DIGITS = 6           # the panel has room: 95.0625, not 95.06
MAX_FACTORS = 8      # a longer path shows its first and last factors around "… k more …"
SYMBOLIC_SUM_UP_TO = 4   # the total spells the sum symbolically for at most this many paths


def esc(text) -> str:
    return escape(str(text), quote=False)


def number(x) -> str:
    return fmt_number(float(x), DIGITS)


def array_text(array) -> str:
    """A scalar as a number; a tensor as its shape and norm (``2×3, ‖·‖ = 1.225``)."""
    a = np.asarray(array, dtype=float)
    if a.size == 1:
        return number(a.reshape(-1)[0])
    return f"{shape_text(a.shape)}, {norm_text(a, 4)}"


def factor_symbol(factor) -> str:
    """∂target/∂source: the one notation (``grad_symbol``) with the edge's ends."""
    return grad_symbol(factor.target, factor.source)


def factor_number(factor) -> str:
    """The local derivative's number, or what stands for it on a tensor step."""
    if factor.kind == "scalar":
        return number(factor.number)
    if factor.kind == "elementwise":
        a = np.asarray(factor.value, dtype=float)
        lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
        inner = fmt_number(lo, 3) if lo == hi else f"{fmt_number(lo, 3)} … {fmt_number(hi, 3)}"
        return f"⊙[{inner}]"
    return "VJP"


def _elided(items, show, limit: int = MAX_FACTORS) -> list:
    """``show(item)`` for every item, or for the first and last few around ``… k more …``
    (only what is shown is formatted: a path may have hundreds of steps)."""
    items = list(items)
    if len(items) <= limit:
        return [show(item) for item in items]
    head = limit // 2
    tail = limit - head - 1
    gap = (f"<span style='color:{theme.MUTED}'>… {len(items) - head - tail} more …</span>")
    return [show(i) for i in items[:head]] + [gap] + [show(i) for i in items[-tail:]]


def route_text(path, port_names=None, parallel=frozenset()) -> str:
    """``t → x → z`` (rich text); ``x → m (b) → L`` where the input port must be named because
    ``(source, target)`` is in ``parallel`` (one source feeding two inputs of a node, as in
    x·x); ``n0 → n1 → … → n499`` for a long path. ``port_names(target)`` gives the names."""
    def show(edge) -> str:
        source, target, port = edge
        label = esc(target)
        if (source, target) in parallel:
            names = tuple(port_names(target)) if port_names is not None else ()
            label += f" ({esc(names[port] if port < len(names) else port)})"
        return label
    return " → ".join([esc(path.nodes[0])] + _elided(path.edges, show, MAX_FACTORS))


def _join(parts: list, operator: str, keep_together: int = 4) -> str:
    """``a · b · c``; a few parts stay on one line (no break inside "31.6875 · 1 · 3")."""
    if len(parts) <= keep_together:
        return f"&nbsp;{operator}&nbsp;".join(parts)
    return f" {operator} ".join(parts)


def equation_html(path, loss: str, node: str, with_lhs: bool) -> str:
    """The path as a product: symbols, then numbers, then the contribution, in rich text."""
    factors = list(path.factors)
    if not factors:   # the loss itself
        return (f"{esc(grad_symbol(loss, node))} = <b>1</b>  "
                f"<span style='color:{theme.MUTED}'>(the loss itself: the backward pass starts "
                "here)</span>")
    symbols = _elided(factors, lambda f: esc(factor_symbol(f)))
    numbers = _elided(factors, lambda f: f"<span style='color:{theme.GRAD}'>"
                                         f"{esc(factor_number(f))}</span>")
    lhs = f"{esc(grad_symbol(loss, node))} = " if with_lhs else ""
    result = f"<b>{esc(array_text(path.contribution))}</b>"
    if len(factors) == 1 and factors[0].kind == "scalar":
        return f"{lhs}{symbols[0]} = {result}"
    joined_numbers = _join(numbers, "·")
    if not path.scalar:
        joined_numbers = f"{joined_numbers} <span style='color:{theme.MUTED}'>(passed back " \
                         "step by step)</span>"
    if path.scalar:
        return f"{lhs}{' · '.join(symbols)} = {joined_numbers}&nbsp;=&nbsp;{result}"
    return f"{lhs}{' · '.join(symbols)} = {joined_numbers} = {result}"


def sum_html(report) -> str:
    """The total as the sum over paths: ``∂z/∂t = ∂z/∂x · ∂x/∂t + ∂z/∂y · ∂y/∂t = 1.649 +
    0.412 = 2.061``, or, when not every path is listed, the listed ones plus the rest."""
    lhs = esc(grad_symbol(report.loss, report.node))
    paths = report.paths
    total = report.listed_sum if report.complete else report.gradient
    if total is None:
        return ""
    scalar = np.size(total) == 1
    if report.complete and len(paths) == 1:
        return (f"{lhs} = <b>{esc(array_text(total))}</b> <span style='color:{theme.MUTED}'>"
                "(one path: the gradient is its product)</span>")
    terms = [esc(array_text(p.contribution)) if scalar else f"path {i}"
             for i, p in enumerate(paths, 1)]
    if not report.complete:
        rest = esc(array_text(report.rest)) if scalar else "the rest"
        terms.append(f"{rest} <span style='color:{theme.MUTED}'>({report.hidden:,} more "
                     "paths)</span>")
    symbolic = ""
    if report.complete and 1 < len(paths) <= SYMBOLIC_SUM_UP_TO and \
            all(len(p.factors) <= 4 for p in paths):
        symbolic = " + ".join(" · ".join(esc(factor_symbol(f)) for f in p.factors)
                              for p in paths) + " = "
    numbers = _join(terms, "+").replace("+&nbsp;−", "−&nbsp;").replace("+ −", "− ")
    return f"{lhs} = {symbolic}{numbers}&nbsp;=&nbsp;<b>{esc(array_text(total))}</b>"

"""Live numbers in a lesson's prose: ``{grad:x}``, ``{value:u}``, ``{product:9}``, ...

A placeholder is ``{kind}`` or ``{kind:argument}`` (some kinds take two arguments, separated by
``:``), optionally followed by ``@k``: evaluated as the lesson had set the example up at its
step k instead of now. ``{{`` and ``}}`` write a brace. A node may be followed by an element,
``{grad:W1[0,1]}``. Numbers are written with 6 significant digits, as the step card writes
them; a tensor without an element is written as its shape and norm.

======================  ===========================================================
``{value:N}``           the value of node N (``N[#k]``: the element player step k asks about)
``{grad:N}``            ∂loss/∂N, from the backward pass
``{fd:N}``              ∂loss/∂N by central finite differences (h = 10⁻⁶)
``{slope:N:h}``         (loss(N + h) − loss(N)) / h: the slope of a visible nudge of leaf N
``{upstream:k}``        the upstream gradient at player step k (a backward step)
``{local:k}``           the local derivative at player step k
``{product:k}``         what player step k sends down its edge: upstream × local
                        (these three and ``answer`` take the node as a second argument,
                        ``{product:14:w1}``, where the step sends to several nodes)
``{answer:k}``          what a prediction at player step k expects (``{answer:k:N}``: about N)
``{overwrite:N}``       N's gradient if each arriving contribution replaced the last one
                        instead of adding to it (the fan-out bug): the last contribution
``{new:P}``             parameter P after one optimizer step (the player's update step)
``{lr}``                the learning rate of that step
``{steps}``             how many steps the player has
``{element:k}``         the element player step k asks about: ``[3, 1]`` ("" for one number)
======================  ===========================================================
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from engine.gradcheck import numeric_gradient
from engine.predict.text import element, number

KINDS = {"value": 1, "grad": 1, "fd": 1, "slope": 2, "upstream": (1, 2), "local": (1, 2),
         "product": (1, 2),
         "answer": (1, 2), "element": (1, 2), "overwrite": 1, "new": 1, "lr": 0, "steps": 0}
NODE_KINDS = {"value", "grad", "fd", "slope", "overwrite", "new"}
STEP_KINDS = {"upstream", "local", "product", "answer", "element"}
FD_STEP = 1e-6

_ELEMENT = re.compile(r"^(?P<node>.+?)\[(?P<index>\s*-?\d+\s*(?:,\s*-?\d+\s*)*)\]$")
_ASKED = re.compile(r"^(?P<node>.+?)\[#(?P<step>\d+)\]$")


class PlaceholderError(ValueError):
    pass


@dataclass(frozen=True)
class Placeholder:
    source: str               # as written, braces included
    kind: str
    node: str | None = None
    index: tuple | None = None    # an element the text names, or None
    asked: int | None = None      # "N[#k]": the element player step k asks about
    step: int | None = None       # the player step of a step kind (from 1)
    amount: float | None = None   # slope's nudge
    at: int | None = None         # "@k": the lesson step whose state it reads


def parse(text: str) -> list:
    """The text as a list of strings and Placeholders; PlaceholderError for a brace that does
    not close or a placeholder that cannot be read."""
    parts, i, plain = [], 0, []
    while i < len(text):
        c = text[i]
        if c in "{}" and text[i:i + 2] in ("{{", "}}"):
            plain.append(c)
            i += 2
            continue
        if c == "}":
            raise PlaceholderError("a '}' that closes nothing (write '}}' for a brace)")
        if c != "{":
            plain.append(c)
            i += 1
            continue
        end = text.find("}", i)
        if end < 0:
            raise PlaceholderError(f"{text[i:i + 20]!r}… does not close (write '{{{{' for a "
                                   "brace)")
        if plain:
            parts.append("".join(plain))
            plain = []
        parts.append(_placeholder(text[i:end + 1]))
        i = end + 1
    if plain:
        parts.append("".join(plain))
    return parts


def placeholders(text: str) -> list:
    return [p for p in parse(text) if isinstance(p, Placeholder)]


def _placeholder(source: str) -> Placeholder:
    body = source[1:-1].strip()
    at = None
    if "@" in body:
        body, _, after = body.rpartition("@")
        if not after.strip().isdigit() or int(after) < 1:
            raise PlaceholderError(f"{source}: '@' is followed by a lesson step (from 1)")
        at = int(after)
    kind, *args = [a.strip() for a in body.split(":")] if body else [""]
    if kind not in KINDS:
        raise PlaceholderError(f"unknown placeholder {source} (kinds: {', '.join(KINDS)})")
    allowed = KINDS[kind] if isinstance(KINDS[kind], tuple) else (KINDS[kind],)
    if len(args) not in allowed or any(not a for a in args):
        need = " or ".join(str(n) for n in allowed)
        raise PlaceholderError(f"{source}: {kind} takes {need} argument(s)")
    node = index = step = amount = asked = None
    if kind in NODE_KINDS:
        node, index, asked = _node(args[0])
    if kind in STEP_KINDS:
        if not args[0].isdigit() or int(args[0]) < 1:
            raise PlaceholderError(f"{source}: {kind} takes a player step (from 1)")
        step = int(args[0])
        if len(args) == 2:
            node, index, asked = _node(args[1])
            if index is not None or asked is not None:
                raise PlaceholderError(f"{source}: {kind} names the node alone; the element "
                                       "is the one the step asks about")
    if kind == "slope":
        try:
            amount = float(args[1])
        except ValueError:
            raise PlaceholderError(f"{source}: the nudge must be a number") from None
        if amount == 0 or not np.isfinite(amount):
            raise PlaceholderError(f"{source}: the nudge must be a finite number other than 0")
    return Placeholder(source, kind, node=node, index=index, asked=asked, step=step,
                       amount=amount, at=at)


def _node(text: str) -> tuple:
    """``(node, index, asked)`` from ``W1``, ``W1[0,1]`` or ``W1[#12]``."""
    match = _ASKED.match(text)
    if match is not None:
        return match["node"], None, int(match["step"])
    match = _ELEMENT.match(text)
    if match is None:
        return text, None, None
    return match["node"], tuple(int(i) for i in match["index"].split(",")), None


# ---------------------------------------------------------------- values
def evaluate(p: Placeholder, state) -> float | np.ndarray | str:
    """The placeholder's number (an array for a whole tensor; text for ``element``) in
    ``state`` (engine.lessons.state.State); PlaceholderError / GraphError / StepOutOfRange
    when it names something that is not there."""
    if p.asked is not None:
        p = replace(p, index=state.question(p.asked).index, asked=None)
    kind = p.kind
    if kind == "lr":
        if not state.update.parameters:
            raise PlaceholderError("{lr}: the graph has no parameters, so no update step")
        return float(state.update.settings["lr"])
    if kind == "steps":
        return float(state.count)
    if kind in STEP_KINDS:
        return _step_value(p, state)
    node = p.node
    if kind == "value":
        return _element(state.node_value(node), p)
    if kind == "grad":
        return _element(state.node_grad(node), p)
    if kind == "fd":
        value = state.node_value(node)
        index = _index(value, p)
        return float(numeric_gradient(state.graph, node, of=state.loss, eps=FD_STEP,
                                      indices=[index])[index])
    if kind == "slope":
        value = state.node_value(node)
        index = _index(value, p)
        before = float(np.sum(state.values[state.loss]))
        return (state.loss_with(node, index, p.amount) - before) / p.amount
    if kind == "overwrite":
        state.node_value(node)
        arrivals = [s for s in state.trace.backward_steps if s.source == node]
        if not arrivals:
            raise PlaceholderError(f"{p.source}: nothing flows back to {node}")
        return _element(arrivals[-1].contribution, p)
    if kind == "new":
        state.node_value(node)
        found = state.update.of(node)
        if found is None:
            raise PlaceholderError(f"{p.source}: {node} is not a parameter with a gradient")
        return _element(found.new, p)
    raise PlaceholderError(f"unknown placeholder {p.source}")    # pragma: no cover


def _step_value(p: Placeholder, state) -> float | str:
    question = state.question(p.step, p.node)
    if p.kind == "answer":
        return question.answer
    if p.kind == "element":
        return question.element
    if question.phase != "backward":
        raise PlaceholderError(f"{p.source}: player step {p.step} is a {question.phase} step; "
                               f"{p.kind} is about a backward step")
    term = next(t for t in question.terms if not t.earlier)
    if p.kind == "product":
        return term.contribution
    value = term.upstream if p.kind == "upstream" else term.local
    if value is None:
        raise PlaceholderError(f"{p.source}: at player step {p.step} the local derivative is "
                               "not one number per element (a tensor op)")
    return value


def _index(value: np.ndarray, p: Placeholder) -> tuple:
    if p.index is None:
        if value.size != 1:
            raise PlaceholderError(f"{p.source}: {p.node} holds {value.size} numbers; name one "
                                   f"element, as in {{{p.kind}:{p.node}[0,0]}}")
        return (0,) * value.ndim
    if len(p.index) != value.ndim or any(not -n <= i < n for i, n in zip(p.index, value.shape)):
        raise PlaceholderError(f"{p.source}: {p.node} has shape {tuple(value.shape)}, no "
                               f"element {list(p.index)}")
    return p.index


def _element(array, p: Placeholder):
    array = np.asarray(array, dtype=np.float64)
    if p.index is None:
        return float(array.reshape(-1)[0]) if array.size == 1 else array
    return float(array[_index(array, p)])


def text_of(value) -> str:
    """A placeholder's number as prose: ``95.0625``; ``4×2, ‖·‖ = 1.23`` for a tensor."""
    if isinstance(value, str):
        return value
    array = np.asarray(value, dtype=np.float64)
    if array.size == 1:
        return number(array)
    shape = "×".join(str(n) for n in array.shape) if array.ndim > 1 else f"vector of {array.size}"
    return f"{shape}, ‖·‖ = {number(np.sqrt(np.sum(array * array)), 3)}"


def fill(text: str, state_at) -> str:
    """``text`` with every placeholder replaced by its number; ``state_at(k)`` gives the state
    a placeholder reads (k: its ``@`` step, or None for now)."""
    out = []
    for part in parse(text):
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(text_of(evaluate(part, state_at(part.at))))
    return "".join(out)


__all__ = ["Placeholder", "PlaceholderError", "parse", "placeholders", "evaluate", "fill",
           "text_of", "element"]

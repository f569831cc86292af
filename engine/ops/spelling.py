"""How an op is written besides its kernel: the maths as the player prints it (``Text``), the
numpy source ``export --to numpy`` writes (``Numpy``) and the PyTorch source ``export --to
pytorch`` writes (a template or a function, see ``Op.torch``).

Templates are ``str.format`` strings whose placeholders are the op's port names (``{x}``,
``{a}``, ``{logits}``), ``{out}`` (the node's value), ``{g}`` (the gradient arriving at the
node) and the op's attrs. Where a template is not enough (an exponent that changes the
formula, a reduction's axes), a function writes the text instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


class Fields(dict):
    """Placeholders for a template; an unknown one prints as itself, never raises."""

    def __missing__(self, key):
        return "{" + key + "}"


def fill(template: str, fields: dict) -> str:
    return template.format_map(fields if isinstance(fields, Fields) else Fields(fields))


# ---------------------------------------------------------------- the player's text
@dataclass(frozen=True)
class Text:
    """An op's maths in the graph's own ids, as the step card and the player print it.

    formula: the node's value (``tanh({x})``: the card writes ``h1 = tanh(z1)``).
    local: per port, the local derivative ∂out/∂input (``1 − tanh²({x})``); for an op that is
        not elementwise, its form when both ends hold one number.
    vjp: per port, what flows back when no single number is the local derivative (the
        vector–Jacobian product of ``{g}``); empty for elementwise ops (``{g} ⊙ local``).
    at_output: the local derivative evaluated at the node's output instead of its input, a
        common mistake (``1 − tanh²({out})``); "" where that gives the right answer or makes
        no sense. ``Op.local_at_output`` computes its value.
    fields: ``fields(attrs, f, number) -> dict``, more placeholders computed from the attrs
        (``f`` holds the ones above, ``number`` formats a number as the app does).
    """
    formula: str
    local: tuple
    vjp: tuple = ()
    at_output: str = ""
    fields: Callable | None = None


# ---------------------------------------------------------------- numpy source
def literal(value) -> str:
    """An attr as Python source that reads back exactly: ``0.01``, ``(3, -1)``, ``None``."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return repr(tuple(value))
    return repr(value)


@dataclass(frozen=True)
class Site:
    """One op node as the exported code sees it: Python names of its inputs, value and
    gradient, its attrs and the number of axes of each input (shapes are read at run time)."""
    args: tuple        # names of the inputs, by port
    out: str           # name of the node's value
    g: str             # name of the node's gradient
    attrs: dict
    ndims: tuple       # number of axes of each input

    @property
    def x(self) -> str:
        return self.args[0]

    @property
    def b(self) -> str:
        return self.args[1]

    def fields(self, port_names) -> Fields:
        f = Fields({name: arg for name, arg in zip(port_names, self.args)})
        f.update({key: literal(value) for key, value in self.attrs.items()})
        f.update(out=self.out, g=self.g)
        return f


@dataclass(frozen=True)
class Numpy:
    """An op as numpy source, computing exactly what its forward and backward compute, in the
    same order (tests/test_export_numpy.py checks every op case bit for bit).

    forward: the node's value (a template, or ``forward(site) -> str``).
    backward: per port, the gradient flowing back into it (templates, or ``backward(site,
        port) -> str``).
    kernels: the engine functions (``@kernel``) these expressions call; the script gets their
        source (a tuple, or ``kernels(attrs) -> tuple``).
    """
    forward: str | Callable
    backward: tuple | Callable
    kernels: tuple | Callable = ()

    def kernels_for(self, attrs) -> tuple:
        return self.kernels(attrs) if callable(self.kernels) else self.kernels

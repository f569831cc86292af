"""Kernels: the engine functions an exported numpy script holds word for word.

A function marked ``@kernel`` is the engine's own code *and* the script's: ``export --to
numpy`` writes its source (``kernel_source``), so the two cannot drift. A kernel may read only
``np``, Python's builtins and other kernels (tests/test_op_registry.py checks); it runs under
the passes' ``np.errstate`` in the engine and as written in the script.
"""
from __future__ import annotations

import builtins
import dis
import inspect
from typing import Callable

import numpy as np

KERNELS: dict[str, Callable] = {}


def kernel(fn: Callable) -> Callable:
    """Register ``fn`` as a kernel (a name registered twice is an error)."""
    if fn.__name__ in KERNELS:
        raise ValueError(f"kernel {fn.__name__!r} is already registered")
    KERNELS[fn.__name__] = fn
    return fn


def kernel_source(fn: Callable) -> str:
    """The function's source as a script holds it (without the ``@kernel`` line)."""
    lines = inspect.getsource(fn).splitlines()
    return "\n".join(line for line in lines if line.strip() != "@kernel")


def global_names(fn: Callable) -> set:
    """The global names ``fn``'s code reads (nested code included)."""
    names, codes = set(), [fn.__code__]
    while codes:
        code = codes.pop()
        names.update(i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL")
        codes.extend(c for c in code.co_consts if hasattr(c, "co_code"))
    return names


def kernels_with_their_needs(chosen) -> list:
    """``chosen`` kernels and every kernel they call, each once, in registration order."""
    wanted, todo = set(), [fn.__name__ for fn in chosen]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(n for n in global_names(KERNELS[name]) if n in KERNELS)
    return [fn for name, fn in KERNELS.items() if name in wanted]


ALLOWED_GLOBALS = frozenset({"np"}) | frozenset(dir(builtins))


# ---------------------------------------------------------------- the shared kernels
@kernel
def unbroadcast(g, shape):
    """Sum g back down to shape, undoing numpy broadcasting (fast paths: the shapes match;
    only leading axes were added, e.g. a bias row added to every row of a batch)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if shape and g.shape[lead:] == shape:  # the same sum as below, without reshaping
        return np.add.reduce(g, 0 if lead == 1 else tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)

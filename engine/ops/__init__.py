"""The op registry: every op defined once, by name.

`OPS` maps a name to its `Op`; `register` adds one (a duplicate name is an error);
`CATEGORIES` is the palette order; `normalize_attrs` checks a node's attrs against its op.
The ops live in one module per family — `leaves` (input, constant, parameter), `arithmetic`,
`activations`, `matrix`, `reductions`, `losses` — and each op's pieces sit side by side there:
forward, backward, shape rule, the player's text (`Op.text`), its numpy spelling for `export
--to numpy` (`Op.numpy`, with the `kernels` a script holds word for word) and its PyTorch
spelling (`Op.torch`, `Op.torch_forms`).

Adding an op is one `register(Op(...))` in its family's module plus a case in
tests/test_ops.py; tests/test_op_registry.py fails on an op that lacks a piece.

Besides the architecture's fields, each `Op` has `elementwise` (output element i depends only on
input element i), `label` (palette text), `checks` (attr name -> check(value) -> normalized
value, used by `normalize_attrs` and the inspector) and `is_leaf`.
"""
from __future__ import annotations

from engine.ops.base import CATEGORIES, OPS, Op, normalize_attrs, register
from engine.ops.kernels import KERNELS, unbroadcast
from engine.ops import leaves, arithmetic, activations, matrix, reductions  # noqa: F401
from engine.ops import losses  # noqa: F401  (each module registers its ops)

__all__ = ["CATEGORIES", "KERNELS", "OPS", "Op", "normalize_attrs", "register", "unbroadcast"]

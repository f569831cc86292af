"""The op registry: every op's forward, gradient and shape rule, by name.

`OPS` maps a name to its `Op`; `register` adds one (a duplicate name is an error);
`CATEGORIES` is the palette order; `normalize_attrs` checks a node's attrs against its op.
The ops themselves live in small modules, one forward/backward pair per op:
`ops_leaves` (input, constant, parameter), `ops_elementwise` (arithmetic, activations),
`ops_tensor` (matmul, transpose, sum, mean, softmax) and `ops_losses` (mse, sigmoid_bce,
softmax_ce).

Besides the architecture's fields, each `Op` has `elementwise` (output element i depends only on
input element i), `label` (palette text), `checks` (attr name -> check(value) -> normalized
value, used by `normalize_attrs` and the inspector) and `is_leaf`.
"""
from __future__ import annotations

from .ops_base import CATEGORIES, OPS, Op, normalize_attrs, register, unbroadcast
from . import ops_leaves, ops_elementwise, ops_tensor, ops_losses  # noqa: F401  (registers)

__all__ = ["CATEGORIES", "OPS", "Op", "normalize_attrs", "register", "unbroadcast"]

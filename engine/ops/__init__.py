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

from engine.ops.base import CATEGORIES, OPS, Op, normalize_attrs, register, unbroadcast
from engine.ops import leaves as ops_leaves
from engine.ops import elementwise as ops_elementwise
from engine.ops import tensor as ops_tensor
from engine.ops import losses as ops_losses  # noqa: F401  (registers)

__all__ = ["CATEGORIES", "OPS", "Op", "normalize_attrs", "register", "unbroadcast"]

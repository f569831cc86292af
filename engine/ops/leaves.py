"""Leaves: `input`, `constant` and `parameter` have no inputs; the graph supplies their values."""
from __future__ import annotations

from engine.ops.base import Op, check_choice, check_int, check_shape, register

INITS = ("zeros", "normal", "xavier", "he")


def leaf_forward(name):
    def forward(xs, attrs):
        raise ValueError(f"{name}: a leaf has no forward; its value comes from the graph")
    return forward


def leaf_backward(xs, out, g, attrs):
    return []


def value_shape(name):
    def shape(in_shapes, attrs):
        raise ValueError(f"{name}: the shape comes from its value, and it has none")
    return shape


def parameter_shape(in_shapes, attrs):
    if attrs.get("shape") is None:
        raise ValueError("parameter: no value and no 'shape' attr to initialise one")
    return tuple(attrs["shape"])


def _leaf(name, label, symbol, doc, shape, attrs=None, checks=None):
    register(Op(name, 0, "Inputs & parameters", symbol, doc, attrs or {}, (),
                leaf_forward(name), leaf_backward, shape, label=label, checks=checks or {}))


_leaf("input", "Input", "in", "Data fed in at run time (features, targets).", value_shape("input"))
_leaf("constant", "Constant", "c", "A fixed value; never trained.", value_shape("constant"))
_leaf("parameter", "Parameter", "θ",
      "A trainable value; initialised from init/shape/seed when it has no value.",
      parameter_shape,
      attrs={"init": "xavier", "shape": None, "seed": 0},
      checks={"init": check_choice("init", INITS), "shape": check_shape,
              "seed": check_int("seed")})

"""Losses: mse, sigmoid_bce, softmax_ce. Each returns a 0-d array; targets get gradients too
(unless nobody `needs` them: a training pass asks for the parameters' gradients only)."""
from __future__ import annotations

import numpy as np

from engine.ops.base import BOTH, OPS, Op, fmt, register, same_shape
from engine.ops.elementwise import sigmoid_fwd

asarray = np.asarray


def check_pair(name, xs):
    """Losses refuse (rather than broadcast) unequal shapes, empty inputs, 0-d CE logits."""
    a, b = xs
    if a.shape != b.shape or not a.size or (name == "softmax_ce" and not a.ndim):
        OPS[name].shape([a.shape, b.shape], {})  # raises the clear error


# ---------------------------------------------------------------- mean squared error
def mse_fwd(xs, attrs):
    check_pair("mse", xs)
    d = xs[0] - xs[1]
    return asarray(np.vdot(d, d) / d.size)


def mse_bwd(xs, out, g, attrs, needs=BOTH):
    p, y = xs
    gp = asarray((p - y) * (2.0 * g[()] / p.size))  # g[()]: a numpy scalar (quicker than 0-d)
    return [gp, asarray(-gp) if needs[1] else None]


# ---------------------------------------------------------------- sigmoid + binary cross-entropy
def sigmoid_bce_fwd(xs, attrs):
    check_pair("sigmoid_bce", xs)
    z, y = xs
    terms = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return asarray(terms.sum() / z.size)


def sigmoid_bce_bwd(xs, out, g, attrs, needs=BOTH):
    z, y = xs
    scale = g / z.size
    return [asarray((sigmoid_fwd(xs, attrs) - y) * scale) if needs[0] else None,
            asarray(z * -scale) if needs[1] else None]


# ---------------------------------------------------------------- softmax + cross-entropy
def log_softmax(z):
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def rows(z) -> int:
    return z.size // z.shape[-1] if z.shape[-1] else 0


def softmax_ce_fwd(xs, attrs):
    check_pair("softmax_ce", xs)
    z, y = xs
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(-np.vdot(y, log_softmax(z)) / rows(z))


def softmax_ce_bwd(xs, out, g, attrs, needs=BOTH):
    z, y = xs
    logp = log_softmax(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = g / rows(z)
    # d/dz of −Σ y·log_softmax(z) = softmax(z)·Σy − y  (soft targets need not sum to 1)
    gz = (np.exp(logp) * y.sum(axis=-1, keepdims=True) - y) * scale if needs[0] else None
    return [gz, logp * -scale if needs[1] else None]


# ---------------------------------------------------------------- shape rules and the table
def loss_shape(name, ports, min_ndim=0):
    def shape(in_shapes, attrs):
        a, b = (tuple(s) for s in in_shapes)
        same_shape(name, ports, a, b)
        if len(a) < min_ndim:
            raise ValueError(f"{name}: {ports[0]} need at least {min_ndim} axis, got shape {fmt(a)}")
        if 0 in a:
            raise ValueError(f"{name}: the inputs are empty: {fmt(a)}")
        return ()
    return shape


PRED, LOGITS = ("prediction", "target"), ("logits", "target")
register(Op("mse", 2, "Losses", "MSE",
            "Mean squared error: mean over all elements of (prediction − target)².",
            {}, PRED, mse_fwd, mse_bwd, loss_shape("mse", PRED), label="MSE loss",
            raises_backward=True,   # not forward: np.vdot stays quiet on overflow
            nonfinite_hint="mse of large values"))
register(Op("sigmoid_bce", 2, "Losses", "BCE",
            "Binary cross-entropy on logits: mean of max(z,0) − z·y + log1p(e^−|z|).",
            {}, LOGITS, sigmoid_bce_fwd, sigmoid_bce_bwd, loss_shape("sigmoid_bce", LOGITS),
            label="Sigmoid BCE loss", nonfinite_hint="sigmoid_bce of large values"))
register(Op("softmax_ce", 2, "Losses", "CE",
            "Cross-entropy over the last axis: mean over rows of −Σ y·log_softmax(z); "
            "soft targets allowed; a 1-D input is one row.",
            {}, LOGITS, softmax_ce_fwd, softmax_ce_bwd, loss_shape("softmax_ce", LOGITS, 1),
            label="Softmax CE loss", nonfinite_hint="softmax_ce of large values"))

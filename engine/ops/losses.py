"""Losses: mse, sigmoid_bce, softmax_ce. Each returns a 0-d array; targets get gradients too
(unless nobody `needs` them: a training pass asks for the parameters' gradients only).

Each op is defined once, top to bottom: its kernel (the value, which an exported script holds
word for word), forward, backward, then its registration with the player's text, the numpy
spelling and the PyTorch spelling.
"""
from __future__ import annotations

import numpy as np

from engine.ops.activations import sigmoid
from engine.ops.base import BOTH, OPS, Numpy, Op, Text, fmt, register, same_shape
from engine.ops.kernels import kernel

asarray = np.asarray
LOSSES = "Losses"
PREDICTION, LOGITS = ("prediction", "target"), ("logits", "target")


def check_pair(name, xs):
    """Losses refuse (rather than broadcast) unequal shapes, empty inputs, 0-d CE logits."""
    a, b = xs
    if a.shape != b.shape or not a.size or (name == "softmax_ce" and not a.ndim):
        OPS[name].shape([a.shape, b.shape], {})  # raises the clear error


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


def loss_op(name, label, symbol, doc, ports, forward, backward, shape, **more) -> Op:
    return register(Op(name, 2, LOSSES, symbol, doc, {}, ports, forward, backward, shape,
                       label=label, **more))


# ---------------------------------------------------------------- mean squared error
@kernel
def mse(p, y):
    """Mean squared error over all elements."""
    d = p - y
    return np.vdot(d, d) / d.size


def mse_fwd(xs, attrs):
    check_pair("mse", xs)
    return asarray(mse(xs[0], xs[1]))


def mse_bwd(xs, out, g, attrs, needs=BOTH):
    p, y = xs
    gp = asarray((p - y) * (2.0 * g[()] / p.size))  # g[()]: a numpy scalar (quicker than 0-d)
    return [gp, asarray(-gp) if needs[1] else None]


loss_op(
    "mse", "MSE loss", "MSE",
    "Mean squared error: mean over all elements of (prediction − target)².", PREDICTION,
    mse_fwd, mse_bwd, loss_shape("mse", PREDICTION),
    text=Text("mean(({prediction} − {target})²)",
              local=("2·({prediction} − {target})/n", "−2·({prediction} − {target})/n"),
              vjp=("{g} · 2·({prediction} − {target})/n", "{g} · −2·({prediction} − {target})/n")),
    numpy=Numpy("mse({prediction}, {target})",
                ("({prediction} - {target}) * (2.0 * {g} / {prediction}.size)",
                 "-(({prediction} - {target}) * (2.0 * {g} / {prediction}.size))"), (mse,)),
    torch="F.mse_loss({prediction}, {target})",
    torch_forms=("torch.nn.functional.mse_loss", "torch.nn.MSELoss"),
    raises_backward=True)   # not forward: np.vdot stays quiet on overflow


# ---------------------------------------------------------------- sigmoid + binary cross-entropy
@kernel
def sigmoid_bce(z, y):
    """Binary cross-entropy on logits z: mean of max(z, 0) - z*y + log(1 + e^-|z|)."""
    terms = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return terms.sum() / z.size


def sigmoid_bce_fwd(xs, attrs):
    check_pair("sigmoid_bce", xs)
    return asarray(sigmoid_bce(xs[0], xs[1]))


def sigmoid_bce_bwd(xs, out, g, attrs, needs=BOTH):
    z, y = xs
    scale = g / z.size
    return [asarray((sigmoid(z) - y) * scale) if needs[0] else None,
            asarray(z * -scale) if needs[1] else None]


loss_op(
    "sigmoid_bce", "Sigmoid BCE loss", "BCE",
    "Binary cross-entropy on logits: mean of max(z,0) − z·y + log1p(e^−|z|).", LOGITS,
    sigmoid_bce_fwd, sigmoid_bce_bwd, loss_shape("sigmoid_bce", LOGITS),
    text=Text("BCE(σ({logits}), {target})",
              local=("(σ({logits}) − {target})/n", "−{logits}/n"),
              vjp=("{g} · (σ({logits}) − {target})/n", "{g} · −{logits}/n")),
    numpy=Numpy("sigmoid_bce({logits}, {target})",
                ("(sigmoid({logits}) - {target}) * ({g} / {logits}.size)",
                 "{logits} * -({g} / {logits}.size)"), (sigmoid_bce, sigmoid)),
    torch="F.binary_cross_entropy_with_logits({logits}, {target})",
    torch_forms=("torch.nn.functional.binary_cross_entropy_with_logits",
                 "torch.nn.BCEWithLogitsLoss"))


# ---------------------------------------------------------------- softmax + cross-entropy
@kernel
def log_softmax(z):
    """log softmax over the last axis."""
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


@kernel
def rows(z):
    """The number of rows of z: one per vector along the last axis."""
    return z.size // z.shape[-1] if z.shape[-1] else 0


@kernel
def softmax_ce(z, y):
    """Cross-entropy over the last axis: mean over rows of -sum(y * log_softmax(z))."""
    return -np.vdot(y, log_softmax(z)) / rows(z)


def softmax_ce_fwd(xs, attrs):
    check_pair("softmax_ce", xs)
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(softmax_ce(xs[0], xs[1]))


def softmax_ce_bwd(xs, out, g, attrs, needs=BOTH):
    z, y = xs
    logp = log_softmax(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = g / rows(z)
    # d/dz of −Σ y·log_softmax(z) = softmax(z)·Σy − y  (soft targets need not sum to 1)
    gz = (np.exp(logp) * y.sum(axis=-1, keepdims=True) - y) * scale if needs[0] else None
    return [gz, logp * -scale if needs[1] else None]


loss_op(
    "softmax_ce", "Softmax CE loss", "CE",
    "Cross-entropy over the last axis: mean over rows of −Σ y·log_softmax(z); "
    "soft targets allowed; a 1-D input is one row.", LOGITS,
    softmax_ce_fwd, softmax_ce_bwd, loss_shape("softmax_ce", LOGITS, 1),
    text=Text("CE(softmax({logits}), {target})",
              local=("(softmax({logits}) − {target})/rows", "−log_softmax({logits})/rows"),
              vjp=("{g} · (softmax({logits}) − {target})/rows",
                   "{g} · −log_softmax({logits})/rows")),
    numpy=Numpy("softmax_ce({logits}, {target})",
                ("(np.exp(log_softmax({logits})) * {target}.sum(axis=-1, keepdims=True) "
                 "- {target}) * ({g} / rows({logits}))",
                 "log_softmax({logits}) * -({g} / rows({logits}))"),
                (softmax_ce, log_softmax, rows)),
    torch="-({target} * F.log_softmax({logits}, dim=-1)).sum(dim=-1).mean()",
    torch_forms=("torch.nn.functional.cross_entropy", "torch.nn.CrossEntropyLoss"))

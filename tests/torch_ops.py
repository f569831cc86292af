"""PyTorch (float64) references for every non-leaf op: ``TORCH_OPS[op](*inputs, attrs)``.

One table shared by the op tests, the whole-graph tests and the acceptance oracle; it never
imports ``engine``. Import it only after ``pytest.importorskip("torch")``.
"""
from __future__ import annotations

import torch

F = torch.nn.functional


def reduce(fn):
    """sum / mean / amax / amin over ``attrs["axis"]`` (None: all axes; no axes: the identity,
    a new tensor)."""
    def ref(x, attrs):
        axis, keep = attrs["axis"], bool(attrs["keepdims"])
        if axis is None:
            axis = list(range(x.dim()))
        axis = [axis] if isinstance(axis, int) else list(axis)
        return fn(x, dim=axis, keepdim=keep) if axis else x * 1.0
    return ref


def extreme(name):
    """amax / amin (ties split evenly); with ties "first", torch.max / torch.min along one
    axis, whose gradient goes to the index it returns (the first tied one): over several
    axes, along the reduced axes moved last and flattened into one."""
    split, first = reduce(getattr(torch, f"a{name}")), getattr(torch, name)

    def ref(x, attrs):
        if attrs.get("ties", "split") != "first":
            return split(x, attrs)
        axis = attrs["axis"]
        axes = list(range(x.dim())) if axis is None else [axis] if isinstance(axis, int) \
            else list(axis)
        axes = sorted(a % x.dim() for a in axes) if x.dim() else []
        if not axes:
            return x * 1.0
        kept = [a for a in range(x.dim()) if a not in axes]
        flat = x.permute(kept + axes).reshape([x.shape[a] for a in kept] + [-1])
        out = first(flat, dim=-1).values
        if attrs["keepdims"]:
            out = out.reshape([1 if a in axes else x.shape[a] for a in range(x.dim())])
        return out
    return ref


def softmax_ce(z, y, attrs):
    if z.dim() <= 2:
        return F.cross_entropy(z, y)  # probability targets; a 1-D input is one unbatched row
    return -(y * F.log_softmax(z, dim=-1)).sum(dim=-1).mean()


TORCH_OPS = {
    "add": lambda a, b, _: a + b,
    "sub": lambda a, b, _: a - b,
    "mul": lambda a, b, _: a * b,
    "div": lambda a, b, _: a / b,
    "neg": lambda x, _: -x,
    "exp": lambda x, _: torch.exp(x),
    "log": lambda x, _: torch.log(x),
    "sqrt": lambda x, _: torch.sqrt(x),
    "abs": lambda x, _: torch.abs(x),
    "tanh": lambda x, _: torch.tanh(x),
    "sigmoid": lambda x, _: torch.sigmoid(x),
    "relu": lambda x, _: torch.relu(x),
    "leaky_relu": lambda x, a: F.leaky_relu(x, a["slope"]),
    "pow": lambda x, a: torch.pow(x, a["exponent"]),
    "matmul": lambda a, b, _: torch.matmul(a, b),
    "transpose": lambda x, _: x.permute(tuple(reversed(range(x.dim())))),
    "sum": reduce(torch.sum),
    "mean": reduce(torch.mean),
    "softmax": lambda x, a: torch.softmax(x, dim=a["axis"]),
    "sin": lambda x, _: torch.sin(x),
    "cos": lambda x, _: torch.cos(x),
    "square": lambda x, _: torch.square(x),
    "reciprocal": lambda x, _: torch.reciprocal(x),
    "maximum": lambda a, b, _: torch.maximum(a, b),
    "minimum": lambda a, b, _: torch.minimum(a, b),
    "max": extreme("max"),
    "min": extreme("min"),
    "reshape": lambda x, a: x.reshape(a["shape"]),
    "concat": lambda a, b, attrs: torch.cat([a, b], dim=attrs["axis"]),
    "mse": lambda p, y, _: F.mse_loss(p, y),
    "sigmoid_bce": lambda z, y, _: F.binary_cross_entropy_with_logits(z, y),
    "softmax_ce": softmax_ce,
}

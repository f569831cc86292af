"""Every op as PyTorch source text: ``TORCH[op](args, attrs, ndims)`` is the expression of the
node's value from the Python expressions ``args`` of its inputs. Autograd does the backward;
PyTorch's own rules at kinks and ties are the ones the engine follows (relu'(0) = 0, a tie of
maximum splits ½/½, tied elements of amax share evenly)."""
from __future__ import annotations

from engine.export.numpy_ops import num


def reduction(fn: str):
    """sum / mean / amax / amin over the attrs' axis, keepdims as the engine means them."""
    def code(args, attrs, ndims):
        x, axis, keep = args[0], attrs["axis"], attrs["keepdims"]
        if axis is None:
            if not keep or ndims[0] == 0:
                return f"torch.{fn}({x})"
            axis = list(range(ndims[0]))
        axes = [axis] if isinstance(axis, int) else list(axis)
        if not axes:
            return f"{x}.clone()"   # no axes: nothing to reduce (torch would reduce them all)
        dim = axes[0] if len(axes) == 1 else tuple(axes)
        return f"torch.{fn}({x}, dim={dim}{', keepdim=True' if keep else ''})"
    return code


def transpose(args, attrs, ndims):
    if ndims[0] == 2:
        return f"{args[0]}.T"
    return f"{args[0]}.permute({tuple(reversed(range(ndims[0])))})"


def binary(symbol):
    return lambda args, attrs, ndims: f"{args[0]} {symbol} {args[1]}"


def call(fn):
    return lambda args, attrs, ndims: f"{fn}({', '.join(args)})"


TORCH = {
    "add": binary("+"),
    "sub": binary("-"),
    "mul": binary("*"),
    "div": binary("/"),
    "maximum": call("torch.maximum"),
    "minimum": call("torch.minimum"),
    "neg": lambda args, attrs, ndims: f"-{args[0]}",
    "exp": call("torch.exp"),
    "log": call("torch.log"),
    "sqrt": call("torch.sqrt"),
    "abs": call("torch.abs"),
    "square": call("torch.square"),
    "reciprocal": call("torch.reciprocal"),
    "sin": call("torch.sin"),
    "cos": call("torch.cos"),
    "pow": lambda args, attrs, ndims: f"torch.pow({args[0]}, {num(attrs['exponent'])})",
    "tanh": call("torch.tanh"),
    "sigmoid": call("torch.sigmoid"),
    "relu": call("torch.relu"),
    "leaky_relu": lambda args, attrs, ndims: f"F.leaky_relu({args[0]}, {num(attrs['slope'])})",
    "softmax": lambda args, attrs, ndims: f"torch.softmax({args[0]}, dim={attrs['axis']})",
    "matmul": binary("@"),
    "transpose": transpose,
    "reshape": lambda args, attrs, ndims: f"{args[0]}.reshape({tuple(attrs['shape'])!r})",
    "concat": lambda args, attrs, ndims: f"torch.cat([{args[0]}, {args[1]}], "
                                         f"dim={attrs['axis']})",
    "sum": reduction("sum"),
    "mean": reduction("mean"),
    "max": reduction("amax"),
    "min": reduction("amin"),
    "mse": call("F.mse_loss"),
    "sigmoid_bce": call("F.binary_cross_entropy_with_logits"),
    "softmax_ce": lambda args, attrs, ndims: f"-({args[1]} * F.log_softmax({args[0]}, dim=-1))"
                                            f".sum(dim=-1).mean()",
}

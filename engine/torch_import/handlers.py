"""How each PyTorch form's arguments become engine nodes: one handler per form or family.

A handler takes the Builder and the Call (the fx node, its form, its arguments, its module)
and returns what the node maps to (builder.py: Tensor, Meta, Pair or Unusable). Which form
uses which handler is the table in mappings.py.
"""
from __future__ import annotations

from engine.torch_import.builder import (Meta, Pair, Tensor, Unusable, batch_flags,
                                         touches_batch)


# ---------------------------------------------------------------- handler families
def unary(op):
    def handle(b, call):
        x = call.bind("input")["input"]
        return Tensor(b.emit(call, call.id, op, [x]))
    return handle


def binary(op):
    """add, sub, mul, div, neg, matmul, maximum, minimum; a number becomes a constant. The
    arithmetic of sizes alone (``x.size(1) * 2``) adds no node."""
    sizes = op in ("add", "sub", "mul", "div", "neg")

    def handle(b, call):
        if op == "neg":
            args = call.bind("input")
            operands = [args["input"]]
        else:
            args = call.bind("input", "other")
            operands = [args["input"], args["other"]]
        if sizes and not any(isinstance(call.mapped(a), (Tensor, Pair, Unusable))
                            for a in operands):
            return sizes_arithmetic(call, operands)
        return Tensor(b.emit(call, call.id, op, operands))
    return handle


def sizes_arithmetic(call, operands):
    """Arithmetic on sizes (``x.size(1) * 2``): a Meta, "derived" when it involves the batch
    size."""
    derived = any(touches_batch(call.mapped(a).flags) for a in operands)
    return Meta(call.value, "derived" if derived else None)


def floordiv(b, call):
    args = call.bind("input", "other")
    operands = [args["input"], args["other"]]
    if any(isinstance(call.mapped(a), (Tensor, Pair, Unusable)) for a in operands):
        call.refuse("floor division of tensors is not supported")
    return sizes_arithmetic(call, operands)


def power(b, call):
    args = call.bind("input", "exponent")
    if not call.is_tensor(args["input"]):
        call.refuse("a tensor exponent is not supported: ** needs a constant exponent")
    exponent = call.number(args["exponent"], "the exponent")
    return Tensor(b.emit(call, call.id, "pow", [args["input"]], {"exponent": exponent}))


def leaky_relu(b, call):
    if call.module is not None:
        x, slope = call.bind("input")["input"], call.module.negative_slope
    else:
        args = call.bind("input", "negative_slope", negative_slope=0.01)
        x, slope = args["input"], call.number(args["negative_slope"], "negative_slope")
    return Tensor(b.emit(call, call.id, "leaky_relu", [x], {"slope": float(slope)}))


def softmax(b, call):
    if call.module is not None:
        x, dim = call.bind("input")["input"], call.module.dim
    else:
        args = call.bind("input", "dim", dim=None)
        x, dim = args["input"], call.integers(args["dim"], "dim")
    if not isinstance(dim, int):
        call.refuse("softmax needs dim (an int): the axis it normalises")
    return Tensor(b.emit(call, call.id, "softmax", [x], {"axis": dim}))


def linear_module(b, call):
    x, module = call.bind("input")["input"], call.module
    return b.linear(call, x, b.leaf(module.weight, call.node), module.bias)


def linear_function(b, call):
    args = call.bind("input", "weight", "bias", bias=None)
    if not call.is_tensor(args["weight"]):
        call.refuse("the weight must be a tensor")
    weight = call.mapped(args["weight"]).id
    bias = None
    if args["bias"] is not None:
        if not call.is_tensor(args["bias"]):
            call.refuse("the bias must be a tensor or None")
        bias = call.mapped(args["bias"]).id
    return b.linear(call, args["input"], weight, bias)


# ---------------------------------------------------------------- shapes
def new_shape(call, out_shape, entries) -> list:
    """The reshape target: out_shape with the entry computed from the batch axis as -1 (so the
    graph takes any batch size); the user's own -1 then becomes its size."""
    pairs = []                       # (the size as written, its flag)
    for entry in entries:
        m = call.mapped(entry)
        if not isinstance(m, Meta):
            call.refuse("a shape must be made of ints and sizes")
        if isinstance(m.value, (tuple, list)):
            flags = m.flags if isinstance(m.flags, tuple) else (None,) * len(m.value)
            pairs += list(zip(m.value, flags))
        else:
            pairs.append((m.value, m.flags))
    if len(pairs) != len(out_shape):
        call.refuse("cannot read the new shape")
    flags = [flag for _, flag in pairs]
    if "derived" in flags:
        call.refuse("a size computed from the batch size (axis 0) would fix the graph to "
                    "this batch size: use x.size(0) itself, or -1")
    shape = list(out_shape)
    if "batch" in flags:
        shape[flags.index("batch")] = -1
        return shape
    return [-1 if written == -1 else n for (written, _), n in zip(pairs, shape)]


def reshape(b, call):
    if call.form == "torch.reshape":
        args = call.bind("input", "shape")
        entries = [args["shape"]]
    else:
        args = call.bind("input", "*shape")
        entries = args["shape"]
        if call.form == "torch.Tensor.view" and len(entries) == 1 and \
                not isinstance(call.mapped(entries[0]), Meta):
            call.refuse("view(dtype) is not supported")
    shape = new_shape(call, tuple(call.value.shape), entries)
    return Tensor(b.emit(call, call.id, "reshape", [args["input"]], {"shape": shape}))


def flatten(b, call):
    """nn.Flatten, torch.flatten, x.flatten: a reshape to the output's shape, axis 0 as -1."""
    if call.module is not None:
        x = call.bind("input")["input"]
    else:
        x = call.bind("input", "start_dim", "end_dim", start_dim=0, end_dim=-1)["input"]
    shape = list(call.value.shape)
    if shape and call.ndim(x) > 0:
        shape[0] = -1
    return Tensor(b.emit(call, call.id, "reshape", [x], {"shape": shape}))


def transpose(b, call):
    if call.form == "torch.Tensor.T":
        x = call.node.args[0]
    elif call.form in ("torch.t", "torch.Tensor.t"):
        x = call.bind("input")["input"]
    else:
        args = call.bind("input", "dim0", "dim1")
        x = args["input"]
        dims = {call.integers(args["dim0"], "dim0"), call.integers(args["dim1"], "dim1")}
        if call.ndim(x) != 2 or {d % 2 for d in dims} != {0, 1}:
            call.refuse(f"transpose{tuple(sorted(dims))} of a {call.ndim(x)}-D tensor is not "
                        "supported: only the two axes of a matrix swap")
    return Tensor(b.emit(call, call.id, "transpose", [x]))


def concat(b, call):
    args = call.bind("tensors", "dim", dim=0)
    tensors = args["tensors"]
    if not isinstance(tensors, (list, tuple)) or len(tensors) != 2:
        count = len(tensors) if isinstance(tensors, (list, tuple)) else "no list of"
        call.refuse(f"cat of {count} tensors is not supported: the engine's concat joins two")
    axis = call.integers(args["dim"], "dim")
    return Tensor(b.emit(call, call.id, "concat", list(tensors), {"axis": axis}))


# ---------------------------------------------------------------- reductions
def axis_attrs(call, dim, keepdim) -> dict:
    axis = call.integers(dim, "dim")
    if isinstance(axis, list) and not axis:
        axis = None                   # dim=() reduces every axis, as in PyTorch
    return {"axis": axis, "keepdims": bool(call.mapped(keepdim).value)}


def reduction(op):
    def handle(b, call):
        args = call.bind("input", "dim", "keepdim", dim=None, keepdim=False)
        return Tensor(b.emit(call, call.id, op, [args["input"]],
                             axis_attrs(call, args["dim"], args["keepdim"])))
    return handle


def extreme(op):
    """max / min: ``amax(x, dim)`` and ``max(x)`` share ties evenly; ``max(x, dim)`` gives the
    pair (values, indices), a tie going to the first; ``max(a, b)`` is ``maximum``."""
    def handle(b, call):
        if call.form.split(".")[-1] in ("amax", "amin"):
            args = call.bind("input", "dim", "keepdim", dim=(), keepdim=False)
            return Tensor(b.emit(call, call.id, op, [args["input"]],
                                 axis_attrs(call, args["dim"], args["keepdim"])))
        args = call.bind("input", "dim", "keepdim", "other", dim=None, keepdim=False,
                         other=None)
        other = args["other"] if args["other"] is not None else args["dim"]
        if other is not None and call.is_tensor(other):
            pairwise = "maximum" if op == "max" else "minimum"
            return Tensor(b.emit(call, call.id, pairwise, [args["input"], other]))
        if args["dim"] is None:
            return Tensor(b.emit(call, call.id, op, [args["input"]], {"axis": None}))
        attrs = axis_attrs(call, args["dim"], args["keepdim"])
        if not isinstance(attrs["axis"], int):
            call.refuse("max/min along several dims at once: use amax/amin")
        return Pair(b.emit(call, call.id, op, [args["input"]], {**attrs, "ties": "first"}))
    return handle


# ---------------------------------------------------------------- sizes, pairs, attributes
def size(b, call):
    args = call.bind("input", "dim", dim=None)
    flags = batch_flags(call.ndim(args["input"]))
    dim = call.integers(args["dim"], "dim")
    if dim is None:
        return Meta(tuple(call.value), flags)
    return Meta(int(call.value), flags[dim % len(flags)] if flags else None)


def dims(b, call):
    return Meta(int(call.value))


def getitem(b, call):
    obj, index = call.node.args
    m = call.mapped(obj)
    if isinstance(m, Pair):
        if index == 0:
            return Tensor(m.id)
        return Unusable("the indices of max/min are not differentiable: not supported")
    if isinstance(m, Meta) and isinstance(m.value, (tuple, list)):
        flags = m.flags if isinstance(m.flags, tuple) else (None,) * len(m.value)
        if isinstance(index, int):
            return Meta(int(call.value), flags[index])
        if isinstance(index, slice):
            return Meta(tuple(call.value), tuple(flags[index]))
    if isinstance(m, Tensor):
        call.refuse("indexing or slicing a tensor (x[...]) is not supported")
    call.refuse("this indexing is not supported")


def attribute(b, call):
    obj, name = call.node.args
    m = call.mapped(obj)
    if name == "shape" and isinstance(m, Tensor):
        return Meta(tuple(call.value), batch_flags(len(call.value)))
    if name == "ndim" and isinstance(m, Tensor):
        return Meta(int(call.value))
    if name in ("values", "indices") and isinstance(m, Pair):
        return Tensor(m.id) if name == "values" else Unusable(
            "the indices of max/min are not differentiable: not supported")
    call.refuse(f"the attribute .{name} is not supported")


def elided(b, call):
    x = call.bind("input")["input"]
    b.notices.append(f"{call.shown()} elided: in eval mode it passes its input through")
    return call.mapped(x)


# ---------------------------------------------------------------- losses
LOSS_ARGUMENTS = {"size_average": None, "reduce": None, "reduction": "mean", "weight": None,
                  "pos_weight": None, "ignore_index": -100, "label_smoothing": 0.0}


def loss(op):
    """F.mse_loss, F.binary_cross_entropy_with_logits, F.cross_entropy and their modules:
    the mean over the elements (or rows), targets of the input's shape."""
    def handle(b, call):
        if call.module is not None:
            args = call.bind("input", "target")
            settings = {k: getattr(call.module, k, v) for k, v in LOSS_ARGUMENTS.items()}
        else:
            if len(call.node.args) > 2:
                call.refuse("pass a loss's options by keyword (reduction=...)")
            args = call.bind("input", "target", *LOSS_ARGUMENTS, **LOSS_ARGUMENTS)
            settings = {}
            for key in LOSS_ARGUMENTS:
                m = call.mapped(args[key])
                settings[key] = m.value if isinstance(m, Meta) else m
        for key, neutral in LOSS_ARGUMENTS.items():
            value = settings[key]
            if key == "ignore_index" or value is None and neutral is None:
                continue       # (ignore_index: no class indices reach here)
            if not isinstance(value, (str, int, float)) or value != neutral:
                shown = f"{key}={value!r}" if isinstance(value, (str, int, float)) else key
                call.refuse(f"{shown} is not supported (only {key}={neutral!r})")
        x, y = call.value_of(args["input"]), call.value_of(args["target"])
        if not y.is_floating_point() or tuple(y.shape) != tuple(x.shape):
            call.refuse(f"the target must have the input's shape {tuple(x.shape)} (as "
                        "one-hot rows or probabilities for cross-entropy), got "
                        f"{tuple(y.shape)} {str(y.dtype).replace('torch.', '')}")
        if op == "softmax_ce" and x.dim() > 2:
            call.refuse("cross-entropy over axis 1 of a tensor with more than 2 axes is not "
                        "supported: the engine's softmax_ce takes the last axis")
        return Tensor(b.emit(call, call.id, op, [args["input"], args["target"]]))
    return handle

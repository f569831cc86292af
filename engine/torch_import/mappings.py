"""THE mapping table: which PyTorch modules, functions and methods the import reads, and the
engine op each becomes.

``PYTORCH`` lists, per engine op, the PyTorch spellings that map onto it: ``nn.X`` a module
(kept a leaf when tracing), ``torch.x`` / ``F.x`` / ``operator.x`` a function, ``Tensor.x`` a
method or attribute. (It moves into each op's definition once engine/ops carries a field for
it.) ``HANDLERS`` says how each spelling's arguments become the op's inputs and attrs;
``ELIDED``, ``FOLLOWED`` and ``SHAPES`` are the spellings that add no node. Everything else is
refused. No torch at import time: spellings are strings, resolved by ``tracing.resolve``.
"""
from __future__ import annotations

import operator

from engine.torch_import.builder import (Meta, Pair, Tensor, Unusable, batch_flags,
                                         touches_batch)

PYTORCH = {
    "add": ("operator.add", "torch.add", "Tensor.add"),
    "sub": ("operator.sub", "torch.sub", "Tensor.sub"),
    "mul": ("operator.mul", "torch.mul", "Tensor.mul"),
    "div": ("operator.truediv", "torch.div", "Tensor.div"),
    "neg": ("operator.neg", "torch.neg", "Tensor.neg"),
    "pow": ("operator.pow", "torch.pow", "Tensor.pow"),
    "matmul": ("operator.matmul", "torch.matmul", "Tensor.matmul", "nn.Linear", "F.linear"),
    "maximum": ("torch.maximum", "Tensor.maximum"),
    "minimum": ("torch.minimum", "Tensor.minimum"),
    "exp": ("torch.exp", "Tensor.exp"),
    "log": ("torch.log", "Tensor.log"),
    "sqrt": ("torch.sqrt", "Tensor.sqrt"),
    "abs": ("torch.abs", "Tensor.abs"),
    "sin": ("torch.sin", "Tensor.sin"),
    "cos": ("torch.cos", "Tensor.cos"),
    "relu": ("nn.ReLU", "torch.relu", "F.relu", "Tensor.relu"),
    "tanh": ("nn.Tanh", "torch.tanh", "F.tanh", "Tensor.tanh"),
    "sigmoid": ("nn.Sigmoid", "torch.sigmoid", "F.sigmoid", "Tensor.sigmoid"),
    "leaky_relu": ("nn.LeakyReLU", "F.leaky_relu"),
    "softmax": ("nn.Softmax", "torch.softmax", "F.softmax", "Tensor.softmax"),
    "transpose": ("torch.t", "Tensor.t", "Tensor.T", "torch.transpose", "Tensor.transpose"),
    "reshape": ("nn.Flatten", "torch.flatten", "Tensor.flatten", "torch.reshape",
                "Tensor.reshape", "Tensor.view"),
    "concat": ("torch.cat", "torch.concat"),
    "sum": ("torch.sum", "Tensor.sum"),
    "mean": ("torch.mean", "Tensor.mean"),
    # max(x) and amax share tied extremes evenly; max(x, dim) gives a tie to the first;
    # max(a, b) with two tensors is maximum
    "max": ("torch.max", "Tensor.max", "torch.amax", "Tensor.amax"),
    "min": ("torch.min", "Tensor.min", "torch.amin", "Tensor.amin"),
}
ELIDED = ("nn.Identity", "nn.Dropout")          # the identity in eval mode: no node
FOLLOWED = ("nn.Sequential", "nn.ModuleList", "nn.ModuleDict")   # traced through
SHAPES = ("Tensor.size", "Tensor.shape", "Tensor.dim", "Tensor.ndim", "operator.getitem",
          "Tensor.values", "Tensor.indices", "operator.floordiv")   # sizes, pairs: no node

OPERATOR_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "matmul": "@",
                    "neg": "unary -", "pow": "**", "floordiv": "//", "mod": "%",
                    "getitem": "[]", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
                    "eq": "==", "ne": "!=", "and_": "&", "or_": "|", "invert": "~"}


def op_of(spelling: str) -> str | None:
    return next((op for op, names in PYTORCH.items() if spelling in names), None)


# ---------------------------------------------------------------- handler families
def unary(op):
    def handle(b, call):
        x = call.bind("input")["input"]
        return Tensor(b.emit(call, call.id, op, [x]))
    return handle


def binary(op):
    meta = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
            "div": operator.truediv, "neg": operator.neg}.get(op)

    def handle(b, call):
        if op == "neg":
            args = call.bind("input")
            operands = [args["input"]]
        else:
            args = call.bind("input", "other")
            operands = [args["input"], args["other"]]
        if meta and not any(isinstance(call.mapped(a), (Tensor, Pair, Unusable))
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
    if call.spelling == "torch.reshape":
        args = call.bind("input", "shape")
        entries = [args["shape"]]
    else:
        args = call.bind("input", "*shape")
        entries = args["shape"]
        if call.spelling == "Tensor.view" and len(entries) == 1 and \
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
    if call.spelling == "Tensor.T":
        x = call.node.args[0]
    elif call.spelling in ("torch.t", "Tensor.t"):
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
        if call.spelling.split(".")[1] in ("amax", "amin"):
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
    b.notices.append(f"{call.node.target} ({call.spelling}) elided: in eval mode it passes "
                     "its input through")
    return call.mapped(x)


# ---------------------------------------------------------------- the handlers, by spelling
SPECIAL = {
    "operator.pow": power, "torch.pow": power, "Tensor.pow": power,
    "nn.LeakyReLU": leaky_relu, "F.leaky_relu": leaky_relu,
    "nn.Softmax": softmax, "torch.softmax": softmax, "F.softmax": softmax,
    "Tensor.softmax": softmax,
    "nn.Linear": linear_module, "F.linear": linear_function,
    "nn.Flatten": flatten, "torch.flatten": flatten, "Tensor.flatten": flatten,
    "torch.reshape": reshape, "Tensor.reshape": reshape, "Tensor.view": reshape,
    "operator.floordiv": floordiv,
    "Tensor.size": size, "Tensor.dim": dims, "operator.getitem": getitem,
    "Tensor.shape": attribute, "Tensor.ndim": attribute, "Tensor.values": attribute,
    "Tensor.indices": attribute,
    **{name: elided for name in ELIDED},
}
BINARY_OPS = ("add", "sub", "mul", "div", "neg", "matmul", "maximum", "minimum")
UNARY_OPS = ("exp", "log", "sqrt", "abs", "sin", "cos", "relu", "tanh", "sigmoid")


def family(op):
    if op in BINARY_OPS:
        return binary(op)
    if op in UNARY_OPS:
        return unary(op)
    if op in ("sum", "mean"):
        return reduction(op)
    if op in ("max", "min"):
        return extreme(op)
    if op == "transpose":
        return transpose
    if op == "concat":
        return concat
    raise KeyError(op)


HANDLERS = {}
for _op, _spellings in PYTORCH.items():
    for _spelling in _spellings:
        HANDLERS[_spelling] = SPECIAL.get(_spelling) or family(_op)
HANDLERS.update({k: v for k, v in SPECIAL.items() if k not in HANDLERS})

# getattr(x, name) nodes: the attribute names read (T is a transpose, the rest add no node)
ATTRIBUTES = ("T", "shape", "ndim", "values", "indices")


def supported(kind: str) -> list[str]:
    """The spellings of one kind, for messages and docs: modules, functions or methods."""
    every = list(HANDLERS) + list(FOLLOWED)
    if kind == "modules":
        return [s for s in every if s.startswith("nn.")]
    if kind == "functions":
        names = [s for s in every if s.startswith(("torch.", "F."))]
        return names + [OPERATOR_SYMBOLS.get(s.split(".")[1], s) for s in every
                        if s.startswith("operator.")]
    return [s for s in every if s.startswith("Tensor.")]

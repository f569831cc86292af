"""From a traced module to an engine Graph: what each fx node becomes, and the Builder that
adds the engine's nodes.

Each fx node maps to one of:
- ``Tensor(id)``: the engine node holding its value (an elided Dropout maps to its input's);
- ``Meta(value, flags)``: a size computed from shapes (``x.size(0)``, ``x.shape[1]``), not a
  node; ``flags`` says which sizes come from the batch axis (axis 0): "batch" for the size
  itself, "derived" for a number computed from it, None otherwise (a tuple for a shape);
- ``Pair(id)``: the (values, indices) of ``max(x, dim)``; ``[0]`` and ``.values`` are ``id``;
- ``Unusable(reason)``: a value the engine has no node for (the indices); refused if used.

The Builder keeps every fx node's PyTorch value (from the reference run), so a mapping can
read real shapes, and records in ``checks`` each engine node that has a PyTorch counterpart,
in forward order, for the proof.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from engine.errors import GraphError
from engine.graph import Graph
from engine.ops import OPS
from engine.torch_import.problems import Refused


@dataclass(frozen=True)
class Tensor:
    id: str


@dataclass(frozen=True)
class Meta:
    value: object
    flags: object = None


@dataclass(frozen=True)
class Pair:
    id: str


@dataclass(frozen=True)
class Unusable:
    reason: str


SHORT = (("torch.nn.functional.", "F."), ("torch.nn.", "nn."), ("torch.Tensor.", "Tensor."))


def shown(form: str) -> str:
    """A PyTorch form as messages and docs write it: ``nn.Linear``, ``F.relu``,
    ``Tensor.view`` (``torch.nn.Linear``, ... in the ops' ``torch_forms``)."""
    for long, short in SHORT:
        if form.startswith(long):
            return short + form[len(long):]
    return form


def batch_flags(ndim: int) -> tuple:
    """The flags of a tensor's shape: axis 0 is the batch axis."""
    return tuple("batch" if i == 0 else None for i in range(ndim))


def touches_batch(flags) -> bool:
    if isinstance(flags, tuple):
        return any(touches_batch(f) for f in flags)
    return flags is not None


@dataclass
class Check:
    """An engine node and the PyTorch tensor it must equal (value, then gradient)."""
    id: str
    tensor: object
    what: str


# keyword arguments a mapping accepts when they hold their neutral value
NEUTRAL = {"out": None, "dtype": None, "alpha": 1, "rounding_mode": None, "memory_format": None}
IGNORED = ("inplace",     # the reference run turns in-place off; the eager check compares
           "_stacklevel")  # F.softmax's warning level
ALIASES = {"axis": "dim", "keepdims": "keepdim"}


class Call:
    """One fx node being mapped: its form, place, arguments and PyTorch values."""

    def __init__(self, builder, node, form: str, module=None):
        self.builder, self.node, self.form, self.module = builder, node, form, module
        self.id = builder.call_id(node)

    @property
    def value(self):
        """This node's PyTorch value in the reference run."""
        return self.builder.values[self.node]

    def value_of(self, arg):
        return self.builder.values[arg] if hasattr(arg, "op") else arg

    def refuse(self, why: str):
        raise Refused(f"{self.builder.place(self.node)}: {self.shown()}: {why}")

    def shown(self) -> str:
        if self.node.op == "call_module":
            return f"{self.node.target} ({shown(self.form)})"
        return shown(self.form)

    def bind(self, *names, **defaults) -> dict:
        """The node's arguments by name (``"*shape"`` gathers the rest into a list); the
        refusal names an argument the mapping does not take."""
        args, kwargs = list(self.node.args), dict(self.node.kwargs)
        for alias, name in ALIASES.items():
            if alias in kwargs and name in names:
                kwargs[name] = kwargs.pop(alias)
        for key in list(kwargs):
            if key in names:
                continue
            if key in IGNORED:
                kwargs.pop(key)
            elif key in NEUTRAL and kwargs[key] == NEUTRAL[key]:
                kwargs.pop(key)
            else:
                self.refuse(f"the argument {key}={kwargs[key]!r} is not supported")
        bound = {}
        for i, name in enumerate(names):
            if name.startswith("*"):
                bound[name[1:]] = args[i:]
                args = args[:i]
                break
            if i < len(args):
                bound[name] = args[i]
            elif name in kwargs:
                bound[name] = kwargs.pop(name)
            elif name in defaults:
                bound[name] = defaults[name]
            else:
                self.refuse(f"the argument {name!r} is missing")
        if len(args) > len(bound) and not any(n.startswith("*") for n in names):
            self.refuse(f"takes {len(names)} arguments here, got {len(args)}")
        return bound

    def mapped(self, arg):
        """What an argument maps to: a Tensor, Meta, Pair or Unusable; a plain Python value
        becomes Meta."""
        if hasattr(arg, "op"):
            return self.builder.env[arg]
        if isinstance(arg, (list, tuple)) and any(hasattr(a, "op") for a in arg):
            parts = [self.mapped(a) for a in arg]     # a shape such as [x.size(0), -1]
            if all(isinstance(p, Meta) and not isinstance(p.value, (list, tuple))
                   for p in parts):
                return Meta(tuple(p.value for p in parts), tuple(p.flags for p in parts))
        return Meta(arg)

    def is_tensor(self, arg) -> bool:
        return isinstance(self.mapped(arg), Tensor)

    def number(self, arg, what: str) -> float:
        """A constant number argument (an exponent, a slope)."""
        m = self.mapped(arg)
        if not isinstance(m, Meta) or isinstance(m.value, bool) or \
                not isinstance(m.value, numbers.Real):
            self.refuse(f"{what} must be a constant number")
        if touches_batch(m.flags):
            self.refuse(f"{what} is computed from the batch size")
        return float(m.value)

    def integers(self, arg, what: str):
        """None, an int or a list of ints (dims)."""
        m = self.mapped(arg)
        value = m.value if isinstance(m, Meta) else None
        if value is None and isinstance(m, Meta):
            return None
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
        if isinstance(value, (list, tuple)) and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
            return [int(v) for v in value]
        self.refuse(f"{what} must be an int or a list of ints, got {value!r}")

    def ndim(self, arg) -> int:
        return self.value_of(arg).dim()


class Builder:
    """Adds engine nodes for the fx nodes, in order; ``env`` maps each fx node."""

    def __init__(self, values: dict, places, parameter_names: dict, buffer_names: dict):
        self.graph = Graph()
        self.values = values
        self.places = places
        self.env: dict = {}
        self.origin: dict = {}           # engine id -> the fx node it came from
        self.form: dict = {}             # engine id -> the PyTorch form it came from
        self.checks: list[Check] = []
        self.notices: list[str] = []
        self.parameter_names = parameter_names    # id(tensor) -> qualified name
        self.buffer_names = buffer_names
        self.leaf_of: dict = {}          # id(tensor) -> engine id of its parameter/constant
        self.transposed: dict = {}       # engine id -> the id of its transpose
        self.calls: dict = {}            # module path -> how many times it was called

    # ------------------------------------------------------------------ places and ids
    def place(self, node) -> str:
        return self.places.of_stack_trace(node.meta.get("stack_trace")) or self.places.shown

    def call_id(self, node) -> str:
        """``fc1`` for the module ``fc1`` (``fc1@2`` when it is called a second time); the fx
        node's name for a function or method, inside its module's path (``block.add``)."""
        if node.op != "call_module":
            scope = list(node.meta.get("nn_module_stack") or ())
            return f"{scope[-1]}.{node.name}" if scope else node.name
        path = node.target
        count = self.calls[path] = self.calls.get(path, 0) + 1
        return path if count == 1 else f"{path}@{count}"

    def unique(self, base: str) -> str:
        if base not in self.graph:
            return base
        n = 2
        while f"{base}#{n}" in self.graph:
            n += 1
        return f"{base}#{n}"

    # ------------------------------------------------------------------ nodes
    def emit(self, call: Call, node_id: str, op: str, inputs: list, attrs=None) -> str:
        """Add ``op`` with ``inputs`` (Tensor-mapped fx nodes, engine ids given as Tensor,
        or numbers, which become constants named after the port); returns the new id."""
        node_id = self.unique(node_id)
        sources = [self.operand(call, node_id, OPS[op].port_names[port], value)
                   for port, value in enumerate(inputs)]
        try:
            self.graph.add_node(node_id, op, attrs)
        except GraphError as error:
            call.refuse(error.problem.message)
        for port, source in enumerate(sources):
            self.graph.connect(source, node_id, port)
        self.origin[node_id] = call.node
        self.form[node_id] = call.form
        return node_id

    def operand(self, call: Call, consumer: str, port_name: str, value) -> str:
        if isinstance(value, Tensor):
            return value.id
        m = call.mapped(value)
        if isinstance(m, Tensor):
            return m.id
        if isinstance(m, Unusable):
            call.refuse(m.reason)
        if isinstance(m, Pair):
            call.refuse("max/min along a dim gives (values, indices): take .values or [0]")
        number = m.value
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            call.refuse(f"cannot use {number!r} as a tensor here")
        if touches_batch(m.flags):
            call.refuse("a number computed from the batch size (axis 0) would fix the "
                        "graph to this batch size")
        const = self.unique(f"{consumer}.{port_name}")
        self.add_leaf(const, "constant", np.asarray(float(number)), call.node)
        return const

    def leaf(self, tensor, node, name: str | None = None) -> str:
        """The parameter or constant node of a module's tensor (one node per tensor: a shared
        weight is one parameter)."""
        key = id(tensor)
        if key in self.leaf_of:
            return self.leaf_of[key]
        trainable = key in self.parameter_names and tensor.requires_grad
        leaf_id = self.unique(self.parameter_names.get(key) or self.buffer_names.get(key)
                              or name)
        value = tensor.detach().double().numpy().copy()
        self.add_leaf(leaf_id, "parameter" if trainable else "constant", value, node)
        self.leaf_of[key] = leaf_id
        if trainable:
            self.checks.append(Check(leaf_id, tensor, "parameter"))
        return leaf_id

    def add_leaf(self, leaf_id: str, op: str, value, node) -> None:
        """A parameter or constant; a value the engine refuses (not finite) is a refusal
        naming it."""
        try:
            self.graph.add_node(leaf_id, op, value=value)
        except GraphError as error:
            raise Refused(f"{self.place(node)}: {leaf_id}: {error.problem.message}") from None
        self.origin[leaf_id] = node

    def transpose_of(self, call: Call, weight: str) -> str:
        """``W.T`` (one node per weight, shared by every call of the layer)."""
        if weight not in self.transposed:
            self.transposed[weight] = self.emit(call, f"{weight}.T", "transpose",
                                                [Tensor(weight)])
        return self.transposed[weight]

    def linear(self, call: Call, x, weight: str, bias) -> Tensor:
        """``x @ transpose(W) + b``: ids ``W.T``, ``fc1.matmul`` and ``fc1`` (the output).
        ``bias``: None, an engine id, or a module's bias tensor (its node comes after the
        product's, in the order PyTorch computes them)."""
        if call.value_of(x).dim() not in (1, 2):
            call.refuse(f"the input has shape {tuple(call.value_of(x).shape)}: the engine's "
                        "matmul takes 1-D and 2-D operands")
        wt = self.transpose_of(call, weight)
        product = self.emit(call, f"{call.id}.matmul" if bias is not None else call.id, "matmul",
                            [x, Tensor(wt)])
        if bias is None:
            return Tensor(product)
        if not isinstance(bias, str):
            bias = self.leaf(bias, call.node)
        return Tensor(self.emit(call, call.id, "add", [Tensor(product), Tensor(bias)]))


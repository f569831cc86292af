"""THE mapping of PyTorch onto the engine: which modules, functions and methods the import
reads, and how.

Which PyTorch forms compute an engine op is part of the op's own definition: ``torch_forms``
in engine/ops/ (``"torch.tanh"``, ``"torch.Tensor.tanh"``, ``"torch.nn.Tanh"``, ...).
``OP_FORMS`` gathers them; ``HANDLERS`` gives every form the handler (handlers.py) that turns
its arguments into the op's inputs and attrs, by the op's family, or by the form where it reads
its arguments its own way. Besides, forms that make several nodes (``nn.Linear``), none
(``nn.Dropout``, sizes such as ``x.size(0)``) or are followed inside (``nn.Sequential``).
Everything else is refused. Forms are strings (torch is never imported here); ``shown`` writes
them short for messages: ``nn.Linear``, ``F.relu``, ``Tensor.view``.
"""
from __future__ import annotations

from engine.ops import OPS
from engine.torch_import import handlers as h
from engine.torch_import.builder import shown

# forms that make no single op node
COMPOSITE = {"torch.nn.Linear": h.linear_module,            # x @ transpose(W) + b
             "torch.nn.functional.linear": h.linear_function}
ELIDED = ("torch.nn.Identity", "torch.nn.Dropout")          # the identity in eval mode
FOLLOWED = ("torch.nn.Sequential", "torch.nn.ModuleList", "torch.nn.ModuleDict")
SIZES = {"torch.Tensor.size": h.size, "torch.Tensor.dim": h.dims,       # sizes, pairs
         "torch.Tensor.shape": h.attribute, "torch.Tensor.ndim": h.attribute,
         "torch.Tensor.values": h.attribute, "torch.Tensor.indices": h.attribute,
         "operator.getitem": h.getitem, "operator.floordiv": h.floordiv}
# getattr(x, name) nodes read these attributes (T is a transpose; the rest add no node)
ATTRIBUTES = ("T", "shape", "ndim", "values", "indices")


def op_forms() -> dict:
    """{form: engine op} from the ops' ``torch_forms`` (a form written as a call, such as
    ``torch.max(a, b)``, only documents how another form is read)."""
    return {form: name for name, op in OPS.items() for form in op.torch_forms
            if "(" not in form}


OP_FORMS = op_forms()


def family(op: str):
    """The handler of the op's plain forms."""
    if op in ("add", "sub", "mul", "div", "neg", "matmul", "maximum", "minimum"):
        return h.binary(op)
    if op in ("sum", "mean"):
        return h.reduction(op)
    if op in ("max", "min"):
        return h.extreme(op)
    if op in ("mse", "sigmoid_bce", "softmax_ce"):
        return h.loss(op)
    if op in ("transpose", "concat", "reshape", "pow", "leaky_relu", "softmax"):
        return None     # read by form, below
    if OPS[op].arity == 1 and OPS[op].elementwise and not OPS[op].attrs:
        return h.unary(op)
    raise KeyError(f"the PyTorch import has no handler for the forms of {op!r}")


BY_FORM = {
    "operator.pow": h.power, "torch.pow": h.power, "torch.Tensor.pow": h.power,
    "torch.nn.LeakyReLU": h.leaky_relu, "torch.nn.functional.leaky_relu": h.leaky_relu,
    "torch.nn.Softmax": h.softmax, "torch.softmax": h.softmax,
    "torch.nn.functional.softmax": h.softmax, "torch.Tensor.softmax": h.softmax,
    "torch.nn.Flatten": h.flatten, "torch.flatten": h.flatten, "torch.Tensor.flatten": h.flatten,
    "torch.reshape": h.reshape, "torch.Tensor.reshape": h.reshape, "torch.Tensor.view": h.reshape,
    "torch.t": h.transpose, "torch.Tensor.t": h.transpose, "torch.Tensor.T": h.transpose,
    "torch.transpose": h.transpose, "torch.Tensor.transpose": h.transpose,
    "torch.cat": h.concat, "torch.concat": h.concat,
}


def handlers() -> dict:
    table = dict(COMPOSITE)
    for form, op in OP_FORMS.items():
        handler = BY_FORM.get(form) or family(op)
        if handler is None:
            raise KeyError(f"the PyTorch import cannot read {form} (of {op!r})")
        table[form] = handler
    table.update(SIZES)
    table.update({form: h.elided for form in ELIDED})
    return table


HANDLERS = handlers()

OPERATOR_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "matmul": "@",
                    "neg": "unary -", "pow": "**", "floordiv": "//", "mod": "%",
                    "getitem": "[]", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
                    "eq": "==", "ne": "!=", "and_": "&", "or_": "|", "invert": "~",
                    "abs": "abs()"}


def op_of(form: str) -> str | None:
    return OP_FORMS.get(form)


def supported(kind: str) -> list[str]:
    """The forms of one kind, as shown: modules, functions or methods."""
    every = list(HANDLERS) + list(FOLLOWED)
    if kind == "modules":
        return [shown(f) for f in every if f.startswith("torch.nn.")
                and not f.startswith("torch.nn.functional.")]
    if kind == "methods":
        return [shown(f) for f in every if f.startswith("torch.Tensor.")]
    names = [shown(f) for f in every if f.startswith("torch.") and not
             f.startswith(("torch.Tensor.", "torch.nn.")) or f.startswith("torch.nn.functional.")]
    return names + [OPERATOR_SYMBOLS.get(f.split(".")[-1], f) for f in every
                    if f.startswith("operator.") or "." not in f]

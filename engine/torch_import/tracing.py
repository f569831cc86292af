"""Reading the module with torch.fx, and running it as PyTorch does.

``trace`` turns the module into an fx GraphModule (standard torch.nn modules stay leaves;
``nn.Sequential``, ``nn.ModuleList`` and the user's own modules are followed), drops code
whose result is unused, and refuses the first node whose module, function or method the
mapping table does not know, naming its module path or source line. ``reference`` runs the
traced graph (float64, every node's value kept, every gradient retained) for the proof.
"""
from __future__ import annotations

import builtins
import operator

from engine.torch_import.builder import shown
from engine.torch_import.mappings import (ATTRIBUTES, FOLLOWED, HANDLERS, OPERATOR_SYMBOLS,
                                          supported)
from engine.torch_import.problems import Refused, exception_text, need_torch

CONTROL_FLOW = "symbolically traced variables cannot be used as inputs to control flow"


def resolve() -> tuple[dict, dict]:
    """The forms as PyTorch objects: {function: form}, {module class: form}. ``abs`` (the
    builtin) is what fx records as ``abs`` or ``operator.abs``."""
    torch = need_torch()
    functions, modules = {}, {}
    for form in list(HANDLERS) + list(FOLLOWED):
        if form.startswith("torch.Tensor."):
            continue                      # a method or attribute: matched by name
        if "." not in form:
            for obj in (getattr(builtins, form), getattr(operator, form, None)):
                if obj is not None:
                    functions[obj] = form
            continue
        root, *path = form.split(".")
        obj = {"torch": torch, "operator": operator}[root]
        for part in path:
            obj = getattr(obj, part)
        if isinstance(obj, type) and issubclass(obj, torch.nn.Module):
            modules[obj] = form
        else:
            functions[obj] = form
    return functions, modules


def function_name(fn) -> str:
    """How a message names a function the table does not know: ``torch.erf``, ``F.gelu``,
    ``the operator >``."""
    torch = need_torch()
    name = getattr(fn, "__name__", None) or repr(fn)
    module = getattr(fn, "__module__", None) or ""
    if module in ("_operator", "operator"):
        return f"the operator {OPERATOR_SYMBOLS.get(name, name)}"
    if getattr(torch.nn.functional, name, None) is fn:
        return f"F.{name}"
    if getattr(torch, name, None) is fn:
        return f"torch.{name}"
    return f"{module}.{name}" if module else name


class Traced:
    """The traced module: ``gm`` (fx GraphModule) and each node's PyTorch form."""

    def __init__(self, gm, forms: dict):
        self.gm = gm
        self.forms = forms

    @property
    def nodes(self):
        return list(self.gm.graph.nodes)


def trace(module, places, defaults=None) -> Traced:
    """fx-trace ``module`` (``defaults``: forward's arguments that keep their default value);
    Refused names the line fx stopped at or the first unsupported node."""
    torch = need_torch()
    tracer = torch.fx.Tracer()
    tracer.record_stack_traces = True
    try:
        graph = tracer.trace(module, concrete_args=defaults or None)
    except Exception as error:  # noqa: BLE001 - the user's forward may raise anything
        text = exception_text(error)
        if CONTROL_FLOW in text:
            text = ("control flow that depends on a tensor's values (an if, a loop or a "
                    "bool() on a tensor) cannot be traced by torch.fx")
        else:
            text = f"torch.fx cannot trace this: {text}"
        raise Refused(f"{places.of_exception(error)}: {text}") from None
    drop_specialized(graph)
    gm = torch.fx.GraphModule(tracer.root, graph)
    gm.graph.eliminate_dead_code()
    functions, modules = resolve()
    forms = {}
    for node in gm.graph.nodes:
        if node.op in ("placeholder", "output", "get_attr"):
            continue
        form, refusal = form_of(node, gm, functions, modules)
        if refusal:
            raise Refused(refusal(places))
        forms[node] = form
    return Traced(gm, forms)


def drop_specialized(graph) -> None:
    """Remove the placeholders fx keeps for arguments traced at their default value (it
    placed their value in the graph already) and the guards that check them."""
    doomed = [n for n in graph.nodes if n.op == "placeholder" and n.args]
    found = set(doomed)
    for node in graph.nodes:
        if any(i in found for i in node.all_input_nodes):
            found.add(node)
    for node in reversed(list(graph.nodes)):
        if node in found:
            graph.erase_node(node)


def form_of(node, gm, functions, modules):
    """(form, None) for a supported node, else (None, places -> the refusal line)."""
    def at_line(what, kind):
        def refusal(places):
            where = places.of_stack_trace(node.meta.get("stack_trace")) or places.shown
            return f"{where}: {what} is not supported: supported {kind} are " \
                   f"{', '.join(supported(kind))}"
        return refusal

    if node.op == "call_module":
        cls = type(gm.get_submodule(node.target))
        form = modules.get(cls)
        if form in HANDLERS:
            return form, None
        name = shown(f"{cls.__module__.split('.modules')[0]}.{cls.__name__}")

        def refusal(places):
            return f"{places.shown}: {node.target} ({name}) is not supported: supported " \
                   f"modules are {', '.join(supported('modules'))}"
        return None, refusal
    if node.op == "call_method":
        form = f"torch.Tensor.{node.target}"
        if form in HANDLERS:
            return form, None
        return None, at_line(f"the method .{node.target}() ({shown(form)})", "methods")
    if node.target is getattr:
        name = node.args[1]
        if name in ATTRIBUTES:
            return f"torch.Tensor.{name}", None
        return None, at_line(f"the attribute .{name}", "methods")
    form = functions.get(node.target)
    if form in HANDLERS:
        return form, None
    return None, at_line(function_name(node.target), "functions")


def reference(traced: Traced, inputs: list) -> dict:
    """Run the traced graph on ``inputs`` (leaf tensors that require grad): {fx node: value},
    every tensor's gradient retained. In-place variants run out of place (the eager check
    catches a module whose result depended on them)."""
    torch = need_torch()
    for sub in traced.gm.modules():
        if getattr(sub, "inplace", False) is True:
            sub.inplace = False

    class Reference(torch.fx.Interpreter):
        def __init__(self, gm):
            super().__init__(gm, garbage_collect_values=False)
            self.values = {}

        def run_node(self, n):
            out = super().run_node(n)
            if isinstance(out, torch.Tensor) and out.grad_fn is not None:
                out.retain_grad()
            self.values[n] = out
            return out

        def call_function(self, target, args, kwargs):
            if kwargs.get("inplace"):
                kwargs = {**kwargs, "inplace": False}
            return super().call_function(target, args, kwargs)

    runner = Reference(traced.gm)
    with torch.enable_grad():
        runner.run(*inputs)
    return runner.values

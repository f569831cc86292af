"""Import a small PyTorch ``nn.Module`` as a graph, proven equal to PyTorch on the spot.

    from engine.torch_import import import_model, Refused, ProofFailed
    result = import_model("model.py", "SpiralMLP", [(8, 2)], loss="ce")
    result.graph        # an engine Graph (save it with engine.save_graph)
    result.summary      # {"nodes", "parameters", "weights", "max_abs_diff"}
    result.notices      # what the user should know (eval mode, elided modules, ...)

``Refused`` (exit 2 on the command line) carries one line naming the file and line, or the
module path, and the cause; ``ProofFailed`` (exit 1) names the first node where the engine and
PyTorch differ. **Importing runs the model file's code.** Nothing here imports torch until
``import_model`` runs (start-up never pays for it); without torch it raises ``TorchMissing``.
The steps: user_code (load, build by the recipe, samples), tracing (fx), mappings (the table),
builder (engine nodes), proof (engine vs PyTorch).
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from engine.errors import GraphError
from engine.torch_import.problems import ProofFailed, Refused, TorchMissing, need_torch

__all__ = ["import_model", "Imported", "Refused", "ProofFailed", "TorchMissing", "LOSSES"]

LOSSES = {"none": None, "mse": "mse", "bce": "sigmoid_bce", "ce": "softmax_ce"}


@dataclass
class Imported:
    graph: object
    summary: dict
    notices: list = field(default_factory=list)


def import_model(path, class_name: str, input_shapes, loss: str = "none",
                 weights=None, seed: int = 0) -> Imported:
    """The module ``class_name`` of the file ``path`` as an engine Graph (see the module
    docstring). ``input_shapes``: one shape (tuple of ints, batch axis first) per argument of
    ``forward``."""
    from engine.torch_import import user_code
    from engine.torch_import.problems import Places

    if loss not in LOSSES:
        raise Refused(f"unknown loss {loss!r}: choose one of {', '.join(LOSSES)}")
    path = os.fspath(path)
    torch = need_torch()
    places = Places(path, os.path.basename(path))
    dtype = torch.get_default_dtype()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cls = user_code.load_class(path, class_name, places)
            module = user_code.build(cls, class_name, seed, weights, places)
            names, defaults = user_code.forward_arguments(module, class_name, places)
            if len(names) != len(input_shapes):
                given = len(input_shapes)
                raise Refused(f"{places.shown}: {class_name}.forward takes {len(names)} "
                              f"argument{'s' if len(names) != 1 else ''} "
                              f"({', '.join(names) or 'none'}) but {given} --input-shape "
                              f"{'were' if given != 1 else 'was'} given")
            result = convert(module, class_name, names, defaults, input_shapes, loss, places)
    finally:
        torch.set_default_dtype(dtype)        # the model's file may have changed it
        user_code.forget()
    result.notices += unique_warnings(caught, places)
    result.graph.extra["description"] = description(
        places.shown, class_name, names, input_shapes, loss, seed, weights)
    return result


def convert(module, class_name, names, defaults, input_shapes, loss, places) -> Imported:
    """Trace, run PyTorch and the engine on the same samples, prove them equal."""
    from engine.torch_import import builder as building, user_code
    from engine.torch_import.proof import max_abs_diff, prove
    from engine.torch_import.tracing import reference, trace
    torch = need_torch()
    traced = trace(module, places, defaults)
    samples = user_code.samples(input_shapes)
    with torch.no_grad(), user_code.users_code(places, f"while running {class_name}.forward"):
        eager = module(*[s.clone() for s in samples])     # in-place ops stay in the copies
    output_shape = check_output(eager, loss, class_name, places)
    target = None if loss == "none" else user_code.target_for(loss, output_shape)

    inputs = [s.clone().requires_grad_() for s in samples]
    with user_code.users_code(places, f"while running the traced {class_name}"):
        values = reference(traced, inputs)
    output_node = next(n for n in traced.nodes if n.op == "output").args[0]
    check_traced_output(values.get(output_node), eager, places)

    b = building.Builder(values, places,
                         {id(p): n for n, p in module.named_parameters()},
                         {id(t): n for n, t in module.named_buffers()})
    map_nodes(b, traced, names, inputs)
    out_id = output_id(b, output_node, places)
    loss_tensor = add_loss(b, loss, out_id, values[output_node], target, places)
    loss_tensor.backward(torch.ones_like(loss_tensor))
    run_engine(b)

    graph = b.graph
    prove(b.checks, graph.values, graph.grads)
    parameters = [(c.id, c.tensor) for c in b.checks if c.what == "parameter"]
    weights_count = sum(int(np.size(graph.node(p).value)) for p, _ in parameters)
    unused = [n for n, p in module.named_parameters() if id(p) not in b.leaf_of]
    if unused:
        b.notices.append("left out, as forward does not use them: " + ", ".join(unused))
    summary = {"nodes": len(graph.node_ids()), "parameters": len(parameters),
               "weights": weights_count,
               "max_abs_diff": max_abs_diff("loss", loss_tensor, parameters, graph.values,
                                            graph.grads)}
    notices = ["imported in eval mode (.eval()): dropout is the identity"] + b.notices
    return Imported(graph, summary, notices)


def unique_warnings(caught, places) -> list[str]:
    """The warnings PyTorch or the model gave while importing, once each, with the user's
    line where there is one."""
    notices = []
    for w in caught:
        where = places.name(w.filename) + f":{w.lineno}" if places.users(w.filename) else None
        text = f"{where + ': ' if where else ''}{w.category.__name__}: " + \
            " ".join(str(w.message).split())
        if text not in notices:
            notices.append(text)
    return notices


def check_output(eager, loss, class_name, places) -> tuple:
    torch = need_torch()
    if not isinstance(eager, torch.Tensor):
        raise Refused(f"{places.shown}: {class_name}.forward returns a "
                      f"{type(eager).__name__}: it must return one tensor")
    shape = tuple(eager.shape)
    if loss == "none" and eager.numel() != 1:
        raise Refused(f"{places.shown}: the output has shape {shape}: with --loss none it must "
                      "hold one number (it is the loss); reduce it in forward, or choose "
                      "--loss mse, bce or ce")
    if loss == "ce" and not shape:
        raise Refused(f"{places.shown}: --loss ce needs an output with a class axis (the "
                      "last); this one is a single number")
    if eager.numel() == 0:
        raise Refused(f"{places.shown}: the output is empty (shape {shape})")
    return shape


def check_traced_output(traced_out, eager, places) -> None:
    """The traced graph must compute what the module computes (in-place ops on a value that
    is used again are where they part)."""
    from engine.torch_import.proof import difference
    agree = hasattr(traced_out, "detach") and \
        difference(traced_out.detach().numpy(), eager.numpy())[0]
    if not agree:
        raise Refused(f"{places.shown}: the traced module does not compute what the module "
                      "computes (an in-place operation, such as ReLU(inplace=True), on a "
                      "value used again?)")


def map_nodes(b, traced, names, inputs) -> None:
    """Every fx node to engine nodes, in order (see builder.py and mappings.py)."""
    from engine.torch_import.builder import Call, Check, Tensor, shown
    from engine.torch_import.mappings import HANDLERS
    torch = need_torch()
    placeholders = iter(zip(names, inputs))
    for node in traced.nodes:
        if node.op == "placeholder":
            name, tensor = next(placeholders)
            b.graph.add_node(name, "input", value=tensor.detach().numpy().copy())
            b.origin[name] = node
            b.env[node] = Tensor(name)
            b.checks.append(Check(name, tensor, "input"))
        elif node.op == "get_attr":
            obj = fetch(traced.gm, node.target)
            if not isinstance(obj, torch.Tensor):
                raise Refused(f"{b.place(node)}: self.{node.target} is not a tensor")
            b.env[node] = Tensor(b.leaf(obj, node, node.target))
        elif node.op != "output":
            form = traced.forms[node]
            module = traced.gm.get_submodule(node.target) if node.op == "call_module" \
                else None
            mapped = HANDLERS[form](b, Call(b, node, form, module))
            b.env[node] = mapped
            value = b.values[node]
            if isinstance(mapped, Tensor) and isinstance(value, torch.Tensor):
                b.checks.append(Check(mapped.id, value, shown(form)))


def fetch(gm, target: str):
    obj = gm
    for part in target.split("."):
        obj = getattr(obj, part)
    return obj


def output_id(b, output_node, places) -> str:
    from engine.torch_import.builder import Tensor
    mapped = b.env.get(output_node) if hasattr(output_node, "op") else None
    if not isinstance(mapped, Tensor):
        raise Refused(f"{places.shown}: forward must return one tensor computed from its "
                      "inputs")
    if b.graph.node(mapped.id).op in ("input", "parameter", "constant"):
        raise Refused(f"{places.shown}: forward returns {mapped.id!r} itself: there is no "
                      "computation to import")
    return mapped.id


def add_loss(b, loss: str, out_id: str, out_tensor, target, places):
    """The loss node ``loss`` (and the input ``target``); returns PyTorch's loss."""
    torch = need_torch()
    F = torch.nn.functional
    graph = b.graph
    if loss == "none":
        graph.rename_node(out_id, "loss")
        b.origin["loss"] = b.origin.pop(out_id)
        for check in b.checks:
            if check.id == out_id:
                check.id = "loss"
        graph.loss = "loss"
        return out_tensor
    graph.add_node("target", "input", value=target.numpy().copy())
    graph.add_node("loss", LOSSES[loss])
    graph.connect(out_id, "loss", 0)
    graph.connect("target", "loss", 1)
    graph.loss = "loss"
    if loss == "mse":
        value = F.mse_loss(out_tensor, target)
    elif loss == "bce":
        value = F.binary_cross_entropy_with_logits(out_tensor, target)
    else:
        value = -(target * F.log_softmax(out_tensor, dim=-1)).sum(dim=-1).mean()
    from engine.torch_import.builder import Check
    value.retain_grad()
    b.checks.append(Check("loss", value, LOSSES[loss]))
    return value


def run_engine(b) -> None:
    """The engine's forward and backward; a problem (a shape the engine refuses, a value
    that is not finite) is a refusal naming the line and the op."""
    graph = b.graph
    problems = graph.check()
    if problems:
        first = next((n for n in graph.node_ids() if n in problems), next(iter(problems)))
        raise Refused(engine_problem(b, first, problems[first].message))
    try:
        graph.forward()
        graph.backward()
    except GraphError as error:
        raise Refused(engine_problem(b, error.problem.node, error.problem.message)) from None


def engine_problem(b, node_id, message) -> str:
    node = b.origin.get(node_id)
    if node is None:
        return f"{b.places.shown}: {message}"
    from engine.torch_import.builder import shown
    form = b.form.get(node_id)
    what = shown(form) if form else (b.graph.node(node_id).op if node_id in b.graph else "?")
    return f"{b.place(node)}: {node_id} ({what}): {message}"


def description(shown, class_name, names, shapes, loss, seed, weights) -> str:
    args = ", ".join(f"{n} {tuple(s)}" for n, s in zip(names, shapes))
    loss_text = ("the output is the loss" if loss == "none"
                 else f"loss {LOSSES[loss]} on the output as logits" if loss != "mse"
                 else "loss mse against target")
    weights_text = f", weights from {os.path.basename(weights)}" if weights else ""
    return (f"Imported from {shown}, class {class_name} (PyTorch), by backprop-studio import: "
            f"inputs {args} drawn with seed {seed}{weights_text}; {loss_text}.")

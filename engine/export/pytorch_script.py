"""``to_pytorch(graph)``: the graph as a float64 ``nn.Module`` script, gradients by autograd.

Layout of the script: the docstring; the leaf values as tensors; ``class Model(nn.Module)``
whose parameters are the graph's parameter values (nn.Parameter), constants buffers, inputs the
arguments of ``forward``, which computes every node in the engine's order; with a ``data``
section, training with ``torch.optim`` (the graph's optimizer and settings, the app's
minibatch order and accuracy rule); and ``main`` with ``--device``. Writing it needs no torch.
"""
from __future__ import annotations

import json

from engine.export.numpy_script import RULE, wrap_return
from engine.export.program import Program
from engine.export.source import (COMMAND_LINE, accuracy_source, array_literal, call_text,
                                  docstring, label, minibatch_source, settings_constant,
                                  training_constants, with_comment)
from engine.ops import OPS

OPTIMIZERS = {
    "sgd": 'torch.optim.SGD(parameters, lr=s["lr"], foreach=False)',
    "momentum": 'torch.optim.SGD(parameters, lr=s["lr"], momentum=s["momentum"], foreach=False)',
    "adam": ('torch.optim.Adam(parameters, lr=s["lr"], betas=(s["beta1"], s["beta2"]),\n'
             '                            eps=s["eps"], foreach=False)'),
}


def reference(program: Program, nid: str) -> str:
    """How forward refers to a node: an argument, an attribute of the module, or a local."""
    op = {leaf.id: leaf.op for leaf in program.leaves}.get(nid)
    name = program.names[nid]
    return f"self.{name}" if op in ("parameter", "constant") else name


def values_section(program: Program) -> list:
    lines = [RULE + " the graph's values"]
    for group, op in (("INPUTS", "input"), ("CONSTANTS", "constant"),
                      ("PARAMETER_VALUES", "parameter")):
        entries = []
        for leaf in program.leaves:
            if leaf.op == op:
                entries.append(f"    # {leaf.op} {label(leaf.id)}")
                key = f"    {json.dumps(leaf.id)}: "
                entries.append(f"{key}{array_literal(leaf.value, 'torch.tensor(', len(key))},")
        lines += [f"{group} = {{", *entries, "}"] if entries else [f"{group} = {{}}"]
    args = {nid: program.names[nid] for nid in program.leaf_ids("input")}
    lines += [f"ARGUMENTS = {json.dumps(args)}  # input id -> its argument of Model.forward",
              f"LOSS = {json.dumps(program.loss)}  # the node differentiated",
              f"REPORTED = {json.dumps(program.leaf_ids('input', 'parameter'))}"
              "  # inputs and parameters"]
    return lines


def model_section(program: Program) -> list:
    names = program.names
    lines = [RULE + " the model", "class Model(nn.Module):",
             '    """The graph as a module: parameters are nn.Parameters, constants buffers, '
             'inputs',
             '    the arguments of forward."""', "", "    def __init__(self):",
             "        super().__init__()"]
    for leaf in program.leaves:
        key = json.dumps(leaf.id)
        if leaf.op == "parameter":
            lines.append(f"        self.{names[leaf.id]} = nn.Parameter(PARAMETER_VALUES[{key}]"
                         ".clone())")
        elif leaf.op == "constant":
            lines.append(f"        self.register_buffer({json.dumps(names[leaf.id])}, "
                         f"CONSTANTS[{key}].clone())")
    if lines[-1].endswith("super().__init__()"):
        lines.append("        # the graph has neither parameters nor constants")
    args = ", ".join(["self"] + [names[n] for n in program.leaf_ids("input")])
    lines += ["", f"    def forward({args}):",
              '        """Every node\'s value, in the engine\'s order; out[LOSS] is the loss."""']
    for node in program.ops:
        expr = OPS[node.op].torch_code([reference(program, s) for s in node.sources],
                                       node.attrs, node.in_ndims)
        lines += with_comment(f"{names[node.id]} = {expr}",
                              f"{label(node.id)} = {call_text(node.op, node.sources, node.attrs)}",
                              indent="        ")
    everything = ", ".join(f"{json.dumps(n)}: {reference(program, n)}"
                           for n in program.node_order)
    lines += wrap_return(everything, indent="        ")
    return lines


def training_section(program: Program) -> list:
    training = program.training
    if training is None:
        return [RULE + " training", f"NO_TRAINING = {json.dumps(program.no_training)}"]
    settings = training.optimizer
    lines = [RULE + " training with torch.optim",
             *training_constants(training, "torch.tensor("), settings_constant(settings),
             "", "", "def make_optimizer(parameters):",
             f'    """{settings["name"]} as the graph asks for it (torch.optim)."""',
             "    s = SETTINGS", f"    return {OPTIMIZERS[settings['name']]}", "", "",
             "# the app's minibatch order, word for word (engine/training/rules.py)",
             minibatch_source(), "", "",
             "# the app's accuracy rule, word for word (engine/training/metrics.py)",
             accuracy_source(), "", "", TRAIN]
    return lines


TRAIN = '''
def train(steps, seed, device):
    """The app's training loop with torch.optim: each step feeds one minibatch (the app's
    order) to FEATURES and TARGETS, backpropagates and steps the optimizer; then the loss and
    accuracy on all rows."""
    model = Model().to(device)
    optimizer = make_optimizer(model.parameters())
    x_all, y_all = X.to(device), Y.to(device)
    fixed = {node: value.to(device) for node, value in INPUTS.items()}
    rng = np.random.default_rng(seed)
    queue, at = np.empty(0, dtype=np.intp), 0
    for step in range(1, steps + 1):
        queue, start = next_batch(queue, at, BATCH_SIZE, rng, len(X))
        rows = torch.as_tensor(queue[start:start + BATCH_SIZE], device=device)
        at = start + BATCH_SIZE
        loss = run(model, {**fixed, FEATURES: x_all[rows], TARGETS: y_all[rows]})[LOSS]
        if not bool(torch.isfinite(loss).all()):
            fail(f"the loss became {loss.item()} at step {step}: try a smaller learning rate")
        optimizer.zero_grad()
        loss.backward(torch.ones_like(loss))
        optimizer.step()
    with torch.no_grad():
        out = run(model, {**fixed, FEATURES: x_all, TARGETS: y_all})
    loss = out[LOSS].item()
    if not math.isfinite(loss):
        fail(f"the final loss is {loss}: try a smaller learning rate")
    if PREDICTION is None:
        return {"loss": loss, "accuracy": None}
    prediction = out[PREDICTION].detach().cpu().numpy()
    return {"loss": loss, "accuracy": accuracy(LOSS_OP, prediction, Y.numpy())}
'''.strip("\n")

MAIN = COMMAND_LINE + "\n\n\n" + '''
def run(model, inputs):
    """model's forward with {input id: tensor}."""
    return model(**{ARGUMENTS[node]: value for node, value in inputs.items()})


def gradients(device):
    """One forward pass with the graph's own values; autograd for the gradients."""
    model = Model().to(device)
    inputs = {node: value.clone().to(device).requires_grad_() for node, value in INPUTS.items()}
    out = run(model, inputs)
    loss = out[LOSS]
    if loss.requires_grad:
        loss.backward(torch.ones_like(loss))
    grads = {}
    for node in REPORTED:
        tensor = out[node]
        grad = tensor.grad if tensor.grad is not None else torch.zeros_like(tensor)
        grads[node] = grad.detach().cpu().tolist()
    return {"loss": loss.item(), "grads": grads}


def main(argv=None):
    args = command_line([(("--device",), {"default": "cpu",
                                           "help": "cpu (default), cuda, cuda:1, ..."})]
                        ).parse_args(argv)
    try:
        device = torch.device(args.device)
        torch.zeros(1, device=device)
    except (RuntimeError, AssertionError) as error:
        fail(f"cannot use device {args.device!r}: {' '.join(str(error).split())}")
    if not args.train:
        result = gradients(device)
    elif "NO_TRAINING" in globals():
        fail(f"cannot train: {NO_TRAINING}")
    else:
        steps = STEPS if args.steps is None else args.steps
        if steps < 0:
            fail(f"--steps must be non-negative, got {steps}")
        result = train(steps, SEED if args.seed is None else args.seed, device)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''.strip("\n")


def to_pytorch_source(program: Program) -> str:
    """The whole script for ``program``."""
    parts = ["#!/usr/bin/env python3", docstring(program, "pytorch"),
             "from __future__ import annotations", "",
             "import argparse", "import json", "import math", "import os", "import sys", "",
             "import numpy as np  # the app's minibatch order and accuracy rule",
             "import torch", "import torch.nn.functional as F", "from torch import nn", "",
             "torch.set_default_dtype(torch.float64)", "", "",
             *values_section(program), "", "", *model_section(program), "", "",
             *training_section(program), "", "", MAIN, ""]
    return "\n".join(parts)

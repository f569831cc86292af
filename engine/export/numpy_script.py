"""``to_numpy(graph)``: a readable, standalone numpy script that reproduces the engine's numbers.

Layout of the script: the docstring; the graph's leaf values (exact literals); the helper
functions the graph's ops need (the engine's kernels); ``forward(values)`` op by op in the
engine's order; ``backward(values)`` edge by edge in the order of the engine's backward pass,
a node's gradient adding up where paths meet; with a ``data`` section, the app's training loop
(the minibatch order, the optimizer's update and the accuracy rule: the functions the app
runs, their source copied word for word); and ``main``.
"""
from __future__ import annotations

import json
import re

from engine.ops import OPS
from engine.ops.kernels import kernel_source, kernels_with_their_needs
from engine.ops.spelling import Site
from engine.export.program import Program
from engine.export.source import (COMMAND_LINE, accuracy_source, array_literal, call_text,
                                  docstring, label, minibatch_source, settings_constant,
                                  training_constants, update_source, with_comment)

RULE = "# " + "-" * 40


def site_of(program: Program, node) -> Site:
    names = program.names
    return Site(tuple(names[s] for s in node.sources), names[node.id],
                program.grad_names[node.id], node.attrs, node.in_ndims)


def values_section(program: Program) -> list:
    lines = [RULE + " the graph's values", "VALUES = {"]
    for leaf in program.leaves:
        lines.append(f"    # {leaf.op} {label(leaf.id)}")
        key = f"    {json.dumps(leaf.id)}: "
        lines.append(f"{key}{array_literal(leaf.value, indent=len(key))},")
    lines += ["}", f"LOSS = {json.dumps(program.loss)}  # the node differentiated",
              f"REPORTED = {json.dumps(program.leaf_ids('input', 'parameter'))}"
              "  # inputs and parameters"]
    return lines


def forward_section(program: Program) -> list:
    names = program.names
    lines = [RULE + " forward", "def forward(values):",
             '    """Every node\'s value, op by op in the engine\'s order (`values` holds the '
             'leaves)."""']
    for leaf in program.leaves:
        lines += with_comment(f"{names[leaf.id]} = values[{json.dumps(leaf.id)}]",
                              f"{leaf.op} {label(leaf.id)}")
    for node in program.ops:
        code = f"{names[node.id]} = {OPS[node.op].numpy_forward(site_of(program, node))}"
        lines += with_comment(code, f"{label(node.id)} = "
                              f"{call_text(node.op, node.sources, node.attrs)}")
    everything = ", ".join(f"{json.dumps(n)}: {names[n]}" for n in program.node_order)
    lines += wrap_return(everything)
    return lines


def wrap_return(items: str, indent: str = "    ") -> list:
    """``return {...}`` over as many lines as it needs."""
    text = f"{indent}return {{{items}}}"
    if len(text) <= 99:
        return [text]
    lines, line = [], f"{indent}return {{"
    for item in items.split(", "):
        if len(line) + len(item) + 2 > 99:
            lines.append(line.rstrip())
            line = indent + " " * 8
        line += item + ", "
    lines.append(line.rstrip().rstrip(",") + "}")
    return lines


def backward_section(program: Program) -> list:
    names, grads = program.names, program.grad_names
    body = [f"    {grads[program.loss]} = np.ones(np.shape({names[program.loss]}))"
            f"  # d {label(program.loss)} / d {label(program.loss)} = 1"]
    ops = {node.id: node for node in program.ops}
    current = None
    for edge in program.backward:
        node = ops[edge.target]
        if edge.target != current:
            current = edge.target
            body.append(f"    # {label(node.id)} = {call_text(node.op, node.sources, node.attrs)}")
        port_name = OPS[node.op].port_names[edge.port]
        contribution = OPS[node.op].numpy_backward(site_of(program, node), edge.port)
        target = grads[edge.source]
        if edge.first:
            code = f"{target} = {contribution}"
            note = f"edge {label(edge.source)} → {label(edge.target)} (port {port_name})"
        else:
            code = f"{target} = {target} + {contribution}"
            note = (f"edge {label(edge.source)} → {label(edge.target)} (port {port_name}), "
                    "added to what came before")
        body += with_comment(code, note)
    returned = []
    for nid in program.node_order:
        if nid in program.reached:
            returned.append(f"{json.dumps(nid)}: {grads[nid]}")
        else:
            returned.append(f"{json.dumps(nid)}: np.zeros(np.shape({names[nid]}))")
    body += wrap_return(", ".join(returned))
    used = used_names(body, program)
    lines = [RULE + " backward", "def backward(values):",
             '    """d loss / d node for every node: edge by edge in the order of the engine\'s',
             "    backward pass, starting from d loss / d loss = 1. A node that feeds several",
             '    others adds up what flows back along each edge (zeros where the loss does not '
             'depend on it)."""']
    lines += [f"    {names[n]} = values[{json.dumps(n)}]" for n in program.node_order
              if names[n] in used]
    return lines + body


def used_names(lines, program: Program) -> set:
    """The value names the code (not the comments) of ``lines`` reads."""
    tokens = set()
    for line in lines:
        code = line.split("  #", 1)[0]
        if code.strip().startswith("#"):
            continue
        tokens.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    return tokens & set(program.names.values())


def training_section(program: Program) -> list:
    training = program.training
    if training is None:
        return [RULE + " training", f"NO_TRAINING = {json.dumps(program.no_training)}"]
    update, update_text = update_source(training.optimizer["name"])
    lines = [RULE + " training, step by step as the app's Trainer",
             *training_constants(training, "np.array("), settings_constant(training.optimizer),
             "", "", "# the app's minibatch order and optimizer update, word for word "
             "(engine/training/rules.py)", minibatch_source(), "", "", update_text, "", "",
             "# the app's accuracy rule, word for word (engine/training/metrics.py)",
             accuracy_source(), "", "", TRAIN.replace("UPDATE", update)]
    return lines


TRAIN = '''
def train(steps, seed):
    """The app's training loop: each step feeds one minibatch to FEATURES and TARGETS, runs
    forward and backward, and updates every parameter; then the loss and accuracy on all rows."""
    values = dict(VALUES)
    state = {p: {} for p in PARAMETERS}
    rng = np.random.default_rng(seed)
    queue, at = np.empty(0, dtype=np.intp), 0
    with np.errstate(all="ignore"):
        for step in range(1, steps + 1):
            queue, start = next_batch(queue, at, BATCH_SIZE, rng, len(X))
            rows, at = queue[start:start + BATCH_SIZE], start + BATCH_SIZE
            v = forward({**values, FEATURES: X[rows], TARGETS: Y[rows]})
            loss = float(np.asarray(v[LOSS]).reshape(()))
            if not math.isfinite(loss):
                fail(f"the loss became {loss} at step {step}: try a smaller learning rate")
            grads = backward(v)
            new = {p: UPDATE(v[p], grads[p], state[p], **SETTINGS) for p in PARAMETERS}
            bad = [p for p in PARAMETERS if not np.isfinite(new[p]).all()]
            if bad:
                fail(f"node {bad[0]!r}: the update is not finite at step {step}: "
                     "try a smaller learning rate")
            values.update(new)
        v = forward({**values, FEATURES: X, TARGETS: Y})
    loss = float(np.asarray(v[LOSS]).reshape(()))
    if not math.isfinite(loss):
        fail(f"the final loss is {loss}: try a smaller learning rate")
    return {"loss": loss,
            "accuracy": None if PREDICTION is None else accuracy(LOSS_OP, v[PREDICTION], Y)}
'''.strip("\n")

MAIN = COMMAND_LINE + "\n\n\n" + '''
def gradients():
    """One forward and backward pass with the graph's own values."""
    v = forward(dict(VALUES))
    grads = backward(v)
    return {"loss": float(np.asarray(v[LOSS]).reshape(())),
            "grads": {node: np.asarray(grads[node]).tolist() for node in REPORTED}}


def main(argv=None):
    args = command_line().parse_args(argv)
    if not args.train:
        result = gradients()
    elif "NO_TRAINING" in globals():
        fail(f"cannot train: {NO_TRAINING}")
    else:
        steps = STEPS if args.steps is None else args.steps
        if steps < 0:
            fail(f"--steps must be non-negative, got {steps}")
        result = train(steps, SEED if args.seed is None else args.seed)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''.strip("\n")


def kernels_section(program: Program) -> list:
    """The source of every kernel the graph's ops call (the engine's own functions)."""
    chosen = [fn for node in program.ops for fn in OPS[node.op].numpy.kernels_for(node.attrs)]
    return [kernel_source(fn) for fn in kernels_with_their_needs(chosen)]


def to_numpy_source(program: Program) -> str:
    """The whole script for ``program``."""
    helpers = kernels_section(program)
    parts = ["#!/usr/bin/env python3", docstring(program, "numpy"),
             "from __future__ import annotations", "",
             "import argparse", "import json", "import math", "import os", "import sys", "",
             "import numpy as np", "", "", *values_section(program), "", ""]
    if helpers:
        parts += [RULE + " the engine's kernels", "\n\n\n".join(helpers), "", ""]
    parts += [*forward_section(program), "", "", *backward_section(program), "", "",
              *training_section(program), "", "", MAIN, ""]
    return "\n".join(parts)

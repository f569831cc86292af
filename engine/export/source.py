"""Source text shared by the exported scripts: exact number literals, comments that name nodes,
the script's docstring, and the pieces of the app's training loop — the minibatch order, the
optimizer updates and the accuracy rule — copied word for word from the functions the app runs
(engine/training/rules.py, metrics.py), never written again here."""
from __future__ import annotations

import inspect
import json
import re
import textwrap

import numpy as np

WIDTH = 99   # the longest line we write where we have a choice


# ---------------------------------------------------------------- numbers
def nested(array, indent: int = 0) -> str:
    """``array`` as a nested Python list (a bare number for 0-d) that reads back bit for bit
    (``repr`` of each float), wrapped at ``WIDTH`` with continuation lines at ``indent``."""
    array = np.asarray(array, dtype=np.float64)
    text = json.dumps(array.tolist())          # floats as repr(): exact round trip
    if indent + len(text) <= WIDTH or array.ndim == 0:
        return text
    pad = " " * (indent + 1)
    if array.ndim == 1:
        lines = textwrap.wrap(text[1:-1], WIDTH - indent - 2, break_long_words=False,
                              break_on_hyphens=False)
        return "[" + ("\n" + pad).join(lines) + "]"
    lines, line = [], ""
    for row in (nested(row, indent + 1) for row in array):   # short rows share a line
        if line and ("\n" in row or indent + 1 + len(line) + len(row) + 2 > WIDTH):
            lines.append(line)
            line = ""
        line = f"{line}, {row}" if line else row
    return "[" + (",\n" + pad).join(lines + [line]) + "]"


def array_literal(array, prefix: str = "np.array(", indent: int = 0) -> str:
    """``np.array([[0.5, -1.0]])`` (or another constructor given by ``prefix``)."""
    return prefix + nested(array, indent + len(prefix)) + ")"


def number(value) -> str:
    return repr(float(value))


# ---------------------------------------------------------------- words
def label(node_id: str) -> str:
    """A node id as a comment shows it: as is when plain, quoted when it has odd characters."""
    return node_id if re.fullmatch(r"[\w.\-]+", node_id) else repr(node_id)


def call_text(op: str, sources, attrs: dict) -> str:
    """``matmul(x, W1)`` or ``sum(h, axis=1, keepdims=True)``: what a node computes."""
    parts = [label(s) for s in sources]
    parts += [f"{k}={json.dumps(v)}" for k, v in attrs.items()]
    return f"{op}({', '.join(parts)})"


def with_comment(code: str, comment: str, indent: str = "    ") -> list:
    """``code  # comment`` when that fits ``WIDTH``, else the comment on its own line above."""
    comment = " ".join(comment.split())
    line = f"{indent}{code}  # {comment}"
    if len(line) <= WIDTH:
        return [line]
    return [f"{indent}# {comment}", f"{indent}{code}"]


THIS_FILE = "<this file>"   # the docstring's stand-in for the script's name; --help fills it in


def docstring(program, kind: str) -> str:
    """The script's docstring: what it is and how to run it. Its usage lines say ``python
    <this file>``; the script's ``--help`` prints them with its own file name, read at run
    time, so they stay right whatever the file is called. ``--train`` is only offered by a
    script that can train."""
    from engine.version import app_version
    what = {"numpy": "a standalone numpy script", "pytorch": "a PyTorch script (float64)"}[kind]
    lines = [f"{program.name}: {what}", f"exported from Backprop Studio {app_version()}.", ""]
    if program.description:
        lines += textwrap.wrap(" ".join(program.description.split()), 92) + [""]
    if kind == "numpy":
        lines += textwrap.wrap(
            "It holds the graph's values (trained parameters included), a `forward` written op "
            "by op and a `backward` written edge by edge, in the order Backprop Studio's engine "
            "computes them, with the engine's own formulas: its numbers are the app's.", 92)
    else:
        lines += textwrap.wrap(
            "An nn.Module whose parameters are the graph's parameter values and whose forward "
            "follows the graph's order; PyTorch's autograd computes the gradients."
            + (" Training uses torch.optim with the graph's optimizer and settings."
               if program.training is not None else ""), 92)
    device = " [--device cpu|cuda]" if kind == "pytorch" else ""
    lines += ["", "How to run it:", f"    python {THIS_FILE}{device}",
              "        prints the loss and its gradient for every input and parameter node"]
    if program.training is not None:
        lines += [f"    python {THIS_FILE} --train [--steps N] [--seed S]{device}",
                  "        trains as the app does, on the graph's data, and prints the final "
                  "loss",
                  "",
                  "The last line printed is JSON: {\"loss\": ..., \"grads\": {node id: "
                  "gradient}}, or with", "--train {\"loss\": ..., \"accuracy\": ... or null} "
                  "on the whole training data."]
    else:
        lines += ["",
                  "The last line printed is JSON: {\"loss\": ..., \"grads\": {node id: "
                  "gradient}}.", "",
                  *textwrap.wrap(f"This script cannot train: {program.no_training}.", 92)]
    body = "\n".join(line.rstrip() for line in lines).replace("\\", "\\\\").replace('"""', "'''")
    return f'"""{body}\n"""'


# the script's own name and its command line, shared by both scripts' main
COMMAND_LINE = '''
def script_name():
    """This file's name, whatever it is called now (the usage text shows it)."""
    return os.path.basename(globals().get("__file__") or sys.argv[0] or "script.py")


def fail(message):
    print(f"{script_name()}: {message}", file=sys.stderr)
    raise SystemExit(2)


def command_line(extra=()):
    """The parser: the docstring, with this file's name, is the help; --train, --steps and
    --seed are offered only when the script can train (refused in one line otherwise)."""
    name = script_name()
    parser = argparse.ArgumentParser(prog=name, description=__doc__.replace("<this file>", name),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    can_train = "NO_TRAINING" not in globals()
    quiet = argparse.SUPPRESS
    parser.add_argument("--train", action="store_true",
                        help="train on the graph's data" if can_train else quiet)
    parser.add_argument("--steps", type=int, default=None,
                        help=f"training steps (default {STEPS})" if can_train else quiet)
    parser.add_argument("--seed", type=int, default=None,
                        help=f"minibatch shuffling seed (default {SEED})" if can_train else quiet)
    for flags, options in extra:
        parser.add_argument(*flags, **options)
    return parser
'''.strip("\n")


# ---------------------------------------------------------------- training pieces
def definition(function) -> str:
    """A function's source as the app runs it, word for word (``engine.training.rules``: the
    optimizers' updates and the minibatch order; the accuracy rule)."""
    return textwrap.dedent(inspect.getsource(function)).strip("\n")


def minibatch_source() -> str:
    """The app's minibatch order (``engine.training.rules.next_batch``)."""
    from engine.training.rules import next_batch
    return definition(next_batch)


def update_source(name: str) -> tuple[str, str]:
    """(function name, source) of the optimizer `name`'s update, as the Trainer runs it."""
    from engine.training.rules import UPDATES
    function = UPDATES[name]
    return function.__name__, definition(function)


def settings_constant(settings: dict) -> str:
    """``SETTINGS = {"lr": 0.05, ...}``: the optimizer's settings (``Optimizer.settings``)."""
    items = ", ".join(f"{json.dumps(key)}: {number(value)}" for key, value in settings.items()
                      if key != "name")
    return f"SETTINGS = {{{items}}}  # {settings['name']}"


def accuracy_source() -> str:
    """The app's accuracy rule (engine.training.metrics.accuracy), word for word."""
    from engine.training.metrics import accuracy
    return definition(accuracy)


def training_constants(training, array_prefix: str) -> list:
    """The data rows and the settings of the app's Trainer, as assignments."""
    lines = [f"FEATURES, TARGETS = {json.dumps(training.features)}, "
             f"{json.dumps(training.targets)}  # the input nodes the rows go to",
             f"# {len(training.X)} rows of the {training.dataset or 'training'} data",
             "X = " + array_literal(training.X, array_prefix, 4),
             "Y = " + array_literal(training.Y, array_prefix, 4),
             f"BATCH_SIZE = {training.batch_size}",
             f"STEPS = {training.default_steps}",
             f"SEED = {training.seed!r}",
             f"PARAMETERS = {json.dumps(list(training.parameters))}",
             f"LOSS_OP = {json.dumps(training.loss_op)}",
             f"PREDICTION = {json.dumps(training.prediction)}  # judged for the accuracy"]
    return lines

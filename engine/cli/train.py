"""`python main.py train FILE [--steps N --lr --optimizer --batch-size --seed --save OUT]
[--data CSV --target COLUMN --features NODE --targets NODE --test-fraction F --no-standardize
--adapt]`.

Headless training from the file's ``data`` and ``training`` sections, flags overriding them;
``--data CSV`` trains on the user's own table instead (see engine/training/data.py for how
its columns become features and targets). When the CSV's feature or class count differs from
the graph's (read from its layers), ``--adapt`` resizes the input and output layers
(``engine.networks.adapt``) and says what changed on stderr; without it the mismatch is one
line naming both widths. Progress goes to stderr: a live carriage-return bar
when stderr is a terminal, otherwise one compact bar line when training ends. The last stdout
line is JSON ``{"loss", "accuracy", "test_loss", "test_accuracy"}`` — loss and accuracy on the
training rows, the test ones on the held-out rows, null where there is none. ``--save OUT``
writes the trained graph (format v1), its data section recording the CSV (relative to OUT),
the target column, the test fraction and the standardisation; FILE is never written. Any
problem — a bad file, a bad CSV, a graph that cannot train, a value that is not finite — is
one line on stderr and exit status 2, never a traceback. Never imports Qt.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

from engine.cli.parsing import Parser, parse_args
from engine.cli.progress import ProgressBar
from engine.training.optim import OPTIMIZERS

PROG = "backprop-studio train"
DATA_FLAGS = ("data", "target", "features", "targets", "test_fraction", "no_standardize",
              "adapt")

__all__ = ["main", "build_parser", "train", "ProgressBar"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Train a graph headlessly from its data and "
                     "training sections (or your own CSV); print the final loss and accuracy "
                     "(and the held-out rows' test_loss and test_accuracy) as JSON.")
    parser.add_argument("file", metavar="FILE",
                        help="graph file (format v1) with data and training sections")
    parser.add_argument("--steps", type=int, metavar="N",
                        help="optimizer steps (default: the file's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: the file's)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the file's")
    parser.add_argument("--batch-size", type=int, metavar="N",
                        help="rows per step; 0 = the whole dataset")
    parser.add_argument("--seed", type=int, help="seed of the minibatch shuffling and of the "
                        "test split")
    parser.add_argument("--save", metavar="OUT", help="write the trained graph to OUT")
    data = parser.add_argument_group("your own data")
    data.add_argument("--data", metavar="CSV", help="train on this CSV: a header row names "
                      "the columns; features go to the features node, the target to the "
                      "targets node")
    data.add_argument("--target", metavar="COLUMN", help="the target column (default: the "
                      "last); every other column is a feature")
    data.add_argument("--features", metavar="NODE", help="input node for the features "
                      "(default: the file's data.features)")
    data.add_argument("--targets", metavar="NODE", help="input node for the targets "
                      "(default: the file's data.targets)")
    data.add_argument("--test-fraction", type=float, metavar="F", help="hold out this "
                      "fraction of the rows, chosen at random by --seed (default 0)")
    data.add_argument("--no-standardize", action="store_true", help="feed the CSV's numbers "
                      "as they are (default: each feature scaled to mean 0, std 1 over the "
                      "training rows)")
    data.add_argument("--adapt", action="store_true", help="when the CSV's feature or class "
                      "count differs from the graph's, resize (and draw afresh) the weights of "
                      "its input and output layers to fit; what changes is said on stderr")
    return parser


def data_section(graph, args) -> dict:
    """The data section to train on: the file's, or the --data CSV, with the flags applied."""
    if graph.data is not None and not isinstance(graph.data, dict):
        raise ValueError(f"{args.file}: the data section must be an object of settings, "
                         f"got {type(graph.data).__name__}")
    base = dict(graph.data or {})
    if args.data:
        if not os.path.isfile(args.data):
            what = "a folder" if os.path.isdir(args.data) else "no such file"
            raise ValueError(f"{args.data}: cannot read the CSV: {what}")
        section = {"csv": os.path.abspath(args.data)}
        section.update({k: base[k] for k in ("features", "targets") if k in base})
    elif graph.data is None:
        raise ValueError(f"{args.file}: no \"data\" section: add one naming the dataset and "
                         "the features and targets input nodes, or pass --data CSV")
    else:
        section = base
    if args.target is not None:
        if section.get("csv") is None:
            raise ValueError("--target names a column of a CSV: pass --data CSV too")
        section["target"] = args.target
    if args.features:
        section["features"] = args.features
    if args.targets:
        section["targets"] = args.targets
    missing = [role for role in ("features", "targets") if not section.get(role)]
    if missing:
        flags = " and ".join(f"--{role} NODE" for role in missing)
        nodes = " and ".join(f"{role!r}" for role in missing)
        raise ValueError(f"no {nodes} input node: the file's data section names none; "
                         f"pass {flags}")
    if args.adapt and not args.data:
        raise ValueError("--adapt fits the graph to a CSV: pass --data CSV too")
    if args.test_fraction is not None:
        if not 0 <= args.test_fraction < 1:
            raise ValueError(f"--test-fraction must be from 0 up to (not including) 1, "
                             f"got {args.test_fraction:g}")
        section["test_fraction"] = args.test_fraction
    if args.no_standardize:
        section["standardize"] = False
    elif args.data:
        section.pop("standardize", None)   # a new CSV: measure it afresh
    return section


def _check_args(args) -> None:
    if args.steps is not None and args.steps < 0:
        raise ValueError(f"--steps must be non-negative, got {args.steps}")
    if args.batch_size is not None and args.batch_size < 0:
        raise ValueError(f"--batch-size must be non-negative, got {args.batch_size}")
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if not os.path.isdir(folder):
            raise ValueError(f"{args.save}: cannot save: the folder {folder} does not exist")
        if os.path.isdir(args.save):
            raise ValueError(f"{args.save}: cannot save: it is a folder")


def train(args, stderr) -> dict:
    """Load, train, evaluate and save as `args` says; raises ValueError / FileFormatError."""
    from engine import io
    from engine.training.trainer import Trainer

    _check_args(args)
    graph = io.load_graph(args.file)
    section = data_section(graph, args)
    if args.data:
        graph = fitted(graph, section, args, stderr)
    trainer = Trainer(graph, optimizer=args.optimizer, batch_size=args.batch_size,
                      seed=args.seed, lr=args.lr, data=section,
                      folder=os.path.dirname(os.path.abspath(args.file)))
    steps = trainer.default_steps if args.steps is None else args.steps
    bar = ProgressBar(steps, stderr)
    try:
        trainer.run(steps, callback=lambda step, loss: bar.update(step, loss))
        result = trainer.metrics()
        bad = [k for k in ("loss", "test_loss")
               if result[k] is not None and not math.isfinite(result[k])]
        if bad:
            raise ValueError(f"the final {bad[0].replace('_', ' ')} is {result[bad[0]]}: "
                             "try a smaller learning rate")
        if args.save:
            if "csv" in section or any(_given(args, flag) for flag in DATA_FLAGS):
                graph.extra["data"] = trainer.data_section(
                    os.path.dirname(os.path.abspath(args.save)))
            io.save_graph(graph, args.save)
    except BaseException:
        bar.clear()
        raise
    bar.finish(len(trainer.history), result["loss"])
    return result


def fitted(graph, section: dict, args, stderr):
    """The graph fitted to the --data CSV: adapted with --adapt (saying what changed on
    stderr); without it, a width that differs is one line naming both, suggesting --adapt."""
    from engine.networks.adapt import adapt_to_csv, csv_fit

    if not args.adapt:
        fit = csv_fit(graph, section)
        if fit.differs:
            raise ValueError(f"{fit.message()}; pass --adapt to resize the graph's input "
                             "and output layers to the CSV")
        return graph
    seed = args.seed if args.seed is not None else (graph.training or {}).get("seed", 0)
    adaptation, fit, _ = adapt_to_csv(graph, section, seed=seed)
    if not adaptation.changed:
        print(f"{PROG}: --adapt: the graph already fits {fit.source} ({fit.features} features, "
              f"{fit.outputs} output{'s' if fit.outputs != 1 else ''})", file=stderr)
    for line in adaptation.lines:
        print(f"{PROG}: adapted {line}", file=stderr)
    return adaptation.graph


def _given(args, flag: str) -> bool:
    value = getattr(args, flag)
    return value not in (None, False)


def main(argv: list[str] | None = None) -> int:
    """Run the `train` subcommand; returns the exit status (0 ok, 2 any problem)."""
    stderr = sys.stderr
    args, status = parse_args(build_parser(), argv, PROG)
    if args is None:
        return status
    try:
        result = train(args, stderr)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=stderr)
        return 130
    except Exception as error:  # FileFormatError, TrainingError, GraphError, OSError, ...
        message = str(error) or type(error).__name__
        if not isinstance(error, ValueError) and type(error).__name__ not in (
                "FileFormatError", "GraphError"):
            message = f"{type(error).__name__}: {message}"
        print(f"{PROG}: {' '.join(message.split())}", file=stderr)
        return 2
    print(json.dumps(result))
    return 0

"""`python main.py train FILE [--steps N --lr --optimizer --batch-size --seed --save OUT]`.

Headless training from the file's ``data`` and ``training`` sections, flags overriding them.
Progress goes to stderr: a live carriage-return bar when stderr is a terminal, otherwise one
compact bar line when training ends. The last stdout line is JSON ``{"loss": <final loss on
the whole dataset>, "accuracy": <float or null>}``. ``--save OUT`` writes the trained graph
(format v1). Any problem — a bad file, a graph that cannot train, a loss that is not finite —
is one line on stderr and exit status 2, never a traceback. Never imports Qt.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

from .optim import OPTIMIZERS

PROG = "backprop-studio train"
BAR_WIDTH = 20
ERASE_TO_END = "\033[K"


class UsageError(Exception):
    """A command-line mistake, reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Train a graph headlessly from its data and "
                     "training sections; print the final loss and accuracy as JSON.")
    parser.add_argument("file", help="graph file (format v1) with data and training sections")
    parser.add_argument("--steps", type=int, help="optimizer steps (default: the file's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: the file's)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the file's")
    parser.add_argument("--batch-size", type=int, help="rows per step; 0 = the whole dataset")
    parser.add_argument("--seed", type=int, help="minibatch shuffling seed")
    parser.add_argument("--save", metavar="OUT", help="write the trained graph to OUT")
    return parser


class ProgressBar:
    """A compact bar on `stream`: redrawn in place on a terminal (showing the minibatch
    loss), one final line otherwise; the final line shows the loss on the whole dataset."""

    def __init__(self, total: int, stream):
        self.total, self.stream = max(total, 0), stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.last_draw = 0.0

    def text(self, step: int, loss: float, label: str = "loss") -> str:
        filled = BAR_WIDTH if self.total == 0 else BAR_WIDTH * step // self.total
        seconds = time.perf_counter() - self.start
        return (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] step {step}/{self.total}"
                f"  {label} {loss:.6g}  {seconds:.1f}s")

    def update(self, step: int, loss: float) -> None:
        now = time.perf_counter()
        if self.live and (now - self.last_draw > 0.05 or step == self.total):
            self.last_draw = now
            self.stream.write("\r" + self.text(step, loss) + ERASE_TO_END)
            self.stream.flush()

    def finish(self, step: int, loss: float) -> None:
        text = self.text(step, loss, "final loss")
        self.stream.write("\r" + text + ERASE_TO_END + "\n" if self.live else text + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Erase a live bar so that an error message is the only line left."""
        if self.live:
            self.stream.write("\r" + ERASE_TO_END)
            self.stream.flush()


def train(args, stderr) -> dict:
    """Load, train, evaluate and save as `args` says; raises ValueError / FileFormatError."""
    from . import io
    from .trainer import Trainer

    graph = io.load_graph(args.file)
    if graph.data is None:
        raise ValueError(f"{args.file}: no \"data\" section: add one naming the dataset and "
                         "the features and targets input nodes")
    if args.steps is not None and args.steps < 0:
        raise ValueError(f"--steps must be non-negative, got {args.steps}")
    if args.batch_size is not None and args.batch_size < 0:
        raise ValueError(f"--batch-size must be non-negative, got {args.batch_size}")
    if args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if not os.path.isdir(folder):
            raise ValueError(f"{args.save}: cannot save: the folder {folder} does not exist")
    trainer = Trainer(graph, optimizer=args.optimizer, batch_size=args.batch_size,
                      seed=args.seed, lr=args.lr)
    steps = trainer.steps if args.steps is None else args.steps
    bar = ProgressBar(steps, stderr)
    try:
        trainer.run(steps, callback=lambda step, loss: bar.update(step, loss))
        loss, accuracy = trainer.evaluate()
    except BaseException:
        bar.clear()
        raise
    if not math.isfinite(loss):
        bar.clear()
        raise ValueError(f"the final loss is {loss}: try a smaller learning rate")
    if args.save:
        try:
            io.save_graph(graph, args.save)
        except BaseException:
            bar.clear()
            raise
    bar.finish(len(trainer.history), loss)
    return {"loss": loss, "accuracy": accuracy}


def main(argv: list[str] | None = None) -> int:
    """Run the `train` subcommand; returns the exit status (0 ok, 2 any problem)."""
    stderr = sys.stderr
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as error:
        print(f"{PROG}: {error} (see --help)", file=stderr)
        return 2
    except SystemExit as done:  # --help
        return int(done.code or 0)
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

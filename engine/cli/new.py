"""`python main.py new --data CSV [--target COLUMN] [--task classify|regress] [--hidden 16,16]
[--activation tanh|relu|sigmoid|leaky_relu] [--test-fraction F] [--seed S] --out FILE.json`.

Writes a layered network for the CSV (``engine.networks.from_csv``): its input width is the
CSV's feature count; the loss and output width follow from the target column
(``engine.networks.targets``). The file's ``data`` section names the CSV relative to FILE (so
the two can move together), the target, the test fraction, the features and targets nodes
and standardisation on; its ``training`` section is Adam, lr 0.01, batch 32, 2000 steps and
the seed, which also seeds the initialisation. ``train FILE`` then trains it. The last stdout
line is JSON ``{"nodes", "parameters", "weights", "features", "outputs", "loss_op"}``; what
was built is said on stderr. Any problem is one line on stderr and exit 2. Never imports Qt.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from engine.cli.parsing import Parser, parse_args

PROG = "backprop-studio new"
ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Write a layered network for your CSV: as many "
                     "inputs as it has feature columns, hidden layers as asked, and an output "
                     "and loss chosen from the target column (3 or more classes: softmax_ce; "
                     "2: sigmoid_bce; numbers: mse). Train it with `train FILE`.")
    parser.add_argument("--data", metavar="CSV", required=True, help="the CSV: a header row "
                        "names the columns; the target is the last column unless --target")
    parser.add_argument("--target", metavar="COLUMN", help="the target column (default: the "
                        "last); every other column is a feature")
    parser.add_argument("--task", choices=("classify", "regress"), help="default: text "
                        "labels, and whole numbers with at most 20 distinct values, are "
                        "classes; other numbers are regressed")
    parser.add_argument("--hidden", default="16", metavar="WIDTHS", help="units per hidden "
                        "layer, separated by commas (default 16; 'none' for no hidden layer)")
    parser.add_argument("--activation", choices=ACTIVATIONS, default="tanh",
                        help="of every hidden layer (default tanh)")
    parser.add_argument("--test-fraction", type=float, default=0.0, metavar="F",
                        help="hold out this fraction of the rows for testing (default 0)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the weights, the test "
                        "split and the training (default 0)")
    parser.add_argument("--out", metavar="FILE", required=True, help="the graph file to write")
    return parser


def hidden_widths(text: str) -> tuple[int, ...]:
    """'16,8' → (16, 8); 'none' or '' → ()."""
    if text.strip().lower() in ("", "none"):
        return ()
    widths = []
    for part in text.split(","):
        try:
            width = int(part.strip())
        except ValueError:
            width = 0
        if width < 1:
            raise ValueError(f"--hidden takes whole numbers of at least 1 separated by commas "
                             f"(e.g. 16,8), got {text!r}")
        widths.append(width)
    return tuple(widths)


def _check_args(args) -> None:
    if not 0 <= args.test_fraction < 1:
        raise ValueError(f"--test-fraction must be from 0 up to (not including) 1, "
                         f"got {args.test_fraction:g}")
    if args.seed < 0:
        raise ValueError(f"--seed must be 0 or more, got {args.seed}")
    if not os.path.isfile(args.data):
        what = "a folder" if os.path.isdir(args.data) else "no such file"
        raise ValueError(f"{args.data}: cannot read the CSV: {what}")
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise ValueError(f"{args.out}: cannot write: the folder {folder} does not exist")
    if os.path.isdir(args.out):
        raise ValueError(f"{args.out}: cannot write: it is a folder")


def new(args, stderr) -> dict:
    """Build and write the network `args` ask for; returns the summary (ValueError,
    FileFormatError for every problem)."""
    from engine import io
    from engine.networks.from_csv import network_for_csv

    _check_args(args)
    built = network_for_csv(args.data, args.target, args.task, hidden_widths(args.hidden),
                            args.activation, args.test_fraction, args.seed,
                            folder=os.path.dirname(os.path.abspath(args.out)))
    io.save_graph(built.graph, args.out)
    summary, target = built.summary, built.columns.target
    print(f"{PROG}: wrote {args.out}: a {'-'.join(map(str, built.spec.widths))} network "
          f"({args.activation}, {summary['weights']} weights); column {target.column!r}: "
          f"{target.loss_op} on {target.description} ({target.why})", file=stderr)
    return summary


def main(argv: list[str] | None = None) -> int:
    """Run the `new` subcommand; returns the exit status (0 ok, 2 any problem)."""
    stderr = sys.stderr
    args, status = parse_args(build_parser(), argv, PROG)
    if args is None:
        return status
    try:
        result = new(args, stderr)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=stderr)
        return 130
    except Exception as error:  # ValueError, FileFormatError, OSError, ...
        message = str(error) or type(error).__name__
        if not isinstance(error, ValueError) and type(error).__name__ != "FileFormatError":
            message = f"{type(error).__name__}: {message}"
        print(f"{PROG}: {' '.join(message.split())}", file=stderr)
        return 2
    print(json.dumps(result))
    return 0

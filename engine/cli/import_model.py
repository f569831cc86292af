"""``backprop-studio import MODEL.py --class NAME --input-shape SHAPE [...] [--loss
mse|bce|ce|none] [--weights STATE.pt] [--seed S] --out OUT.json``.

A PyTorch module as a graph file (``engine.torch_import``), proven equal to PyTorch on sample
inputs before anything is written. Notices go to stderr; the last stdout line is JSON
``{"nodes", "parameters", "weights", "max_abs_diff"}``. Exit status 2 with one line on stderr
for anything that cannot be imported (nothing written), 1 when the proof fails (a bug of the
import). Importing runs MODEL.py's code; ``--weights`` is read with ``weights_only=True``.
Never imports Qt; torch only once the flags are checked.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from engine.cli.parsing import Parser, UsageError, parse_args

PROG = "backprop-studio import"
LOSS_CHOICES = ("none", "mse", "bce", "ce")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Import a small PyTorch nn.Module as a graph you can step through and "
                    "train. The module is read with torch.fx; the import runs the graph and "
                    "the module on the same sample inputs and writes the file only when "
                    "every value and gradient agrees. Needs PyTorch (make torch).",
        epilog="Importing runs the code in MODEL.py, as importing it in Python would: import "
               "only files you trust. --weights is read with torch.load(weights_only=True), "
               "which loads tensors and never runs code. The last line printed is JSON: "
               "{\"nodes\", \"parameters\", \"weights\", \"max_abs_diff\"}. Exit status 2: "
               "cannot import (one line says why; nothing written); 1: the proof failed.")
    parser.add_argument("model", metavar="MODEL.py", help="a Python file that defines the "
                        "module class (constructible with no arguments)")
    parser.add_argument("--class", dest="class_name", required=True, metavar="NAME",
                        help="the nn.Module subclass to import")
    parser.add_argument("--input-shape", dest="shapes", action="append", required=True,
                        metavar="SHAPE", help="sizes separated by commas, batch axis first "
                        "(8,2); once per argument of forward, in order")
    parser.add_argument("--loss", choices=LOSS_CHOICES, default="none",
                        help="mse, bce (sigmoid_bce on the output as logits), ce (softmax_ce "
                        "on the output as logits), or none (default: the output, one number, "
                        "is the loss)")
    parser.add_argument("--weights", metavar="STATE.pt", help="a state_dict saved with "
                        "torch.save, loaded before import")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed before the "
                        "module is built and the samples drawn (default 0)")
    parser.add_argument("--out", required=True, metavar="OUT.json", help="the graph file to "
                        "write")
    return parser


def parse_shape(text: str) -> tuple:
    """``"8,2"`` -> (8, 2); every size a positive int."""
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise UsageError(f"--input-shape {text!r}: give positive sizes separated by commas, "
                         "such as 8,2")
    return tuple(int(p) for p in parts)


def check(args) -> list:
    """Problems the flags and paths show before anything runs; returns the shapes."""
    shapes = [parse_shape(s) for s in args.shapes]
    for flag, path in (("MODEL.py", args.model), ("--weights", args.weights)):
        if path is not None and not os.path.isfile(path):
            what = "is a folder" if os.path.isdir(path) else "no such file"
            raise UsageError(f"{path}: {what}")
    folder = Path(args.out).resolve().parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {folder} does not exist")
    if Path(args.out).is_dir():
        raise UsageError(f"cannot write {args.out}: it is a folder")
    args.input_shapes = shapes
    return shapes


def main(argv: list[str] | None = None) -> int:
    """Run ``import``; returns the exit status (0 written, 2 refused, 1 proof failed)."""
    args, status = parse_args(build_parser(), argv, PROG, check)
    if args is None:
        return status
    shapes = args.input_shapes
    from engine.errors import FileFormatError, one_line
    from engine.torch_import import ProofFailed, Refused, import_model
    try:
        with contextlib.redirect_stdout(sys.stderr):   # the model's prints stay off stdout
            result = import_model(args.model, args.class_name, shapes, loss=args.loss,
                                  weights=args.weights, seed=args.seed)
        from engine.io import save_graph
        save_graph(result.graph, args.out)
    except Refused as error:
        print(one_line(f"{PROG}: {error}"), file=sys.stderr)
        return 2
    except ProofFailed as error:
        print(one_line(f"{PROG}: {error}"), file=sys.stderr)
        return 1
    except FileFormatError as error:
        print(one_line(f"{PROG}: {error}"), file=sys.stderr)
        return 2
    except Exception as error:  # a bug of ours: still one line, never a traceback
        print(one_line(f"{PROG}: internal error on {args.model}: {type(error).__name__}: "
                       f"{error}"), file=sys.stderr)
        return 1
    for notice in result.notices:
        print(one_line(f"{PROG}: note: {notice}"), file=sys.stderr)
    print(one_line(f"wrote {args.out}"))
    print(json.dumps(result.summary))
    return 0

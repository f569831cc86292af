"""``python main.py grad FILE [--of NODE]``: one forward and backward pass, as JSON.

stdout: ``{"values": {id: value}, "grads": {id: gradient}}`` with every node. A bad file, a
bad graph or a value that is not finite: one line on stderr naming the node and the cause,
exit status 2, no traceback. Imports numpy and networkx only (never Qt), so it starts fast.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from engine.cli.parsing import Parser, parse_args

PROG = "backprop-studio grad"


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG, description="Run one forward and backward pass and print every node's "
                               "value and gradient as JSON.")
    parser.add_argument("file", metavar="FILE", help="a Backprop Studio graph (.json)")
    parser.add_argument("--of", metavar="NODE", default=None,
                        help="differentiate this node instead of the file's loss (a scalar)")
    return parser


def run(path: str, of: str | None = None) -> dict:
    """The JSON-ready result for ``path``; raises GraphError / FileFormatError."""
    from engine.io import load_graph

    graph = load_graph(path)
    values = graph.forward()
    loss = graph.loss_node(of)
    grads = graph.backward(loss)
    ids = graph.node_ids()
    result = {"values": {n: values[n].tolist() for n in ids},
              "grads": {n: grads[n].tolist() for n in ids}}
    return result


def main(argv: list[str] | None = None) -> int:
    args, status = parse_args(_parser(), argv, PROG, hint="")
    if args is None:
        return status
    from engine.errors import FileFormatError, GraphError, one_line
    try:
        result = run(args.file, args.of)
        text = json.dumps(result, allow_nan=False)
    except FileFormatError as exc:
        print(one_line(f"{PROG}: {exc}"), file=sys.stderr)
        return 2
    except GraphError as exc:
        print(one_line(f"{PROG}: {args.file}: {exc}"), file=sys.stderr)
        return 2
    except (ValueError, MemoryError, RecursionError) as exc:
        print(one_line(f"{PROG}: {args.file}: {exc}"), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        print(one_line(f"{PROG}: internal error on {args.file}: {type(exc).__name__}: {exc}"),
              file=sys.stderr)
        return 1
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `grad FILE | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0

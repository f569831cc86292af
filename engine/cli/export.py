"""``backprop-studio export FILE --to numpy|pytorch|svg|png --out PATH [--scale S]``.

numpy / pytorch: a script (``engine.export``) that reproduces the app's numbers; writing it
needs neither Qt nor torch. svg / png: the graph drawn with its values and gradients, through
the ``write_image(graph, kind, path, scale)`` that ``main.py`` hands in (the Qt layer, run
offscreen); the engine itself never imports Qt. Every problem — a bad flag, a missing file or
folder, a graph that cannot run — is one line on stderr and exit status 2. On success one line
on stdout names what was written.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from engine.cli.parsing import Parser, UsageError, parse_args

PROG = "backprop-studio export"
FORMATS = ("numpy", "pytorch", "svg", "png")
MAX_SCALE = 16.0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Export a graph: a numpy or PyTorch script that reproduces the app's "
                    "loss and gradients (and, with the graph's data, its training), or a "
                    "picture of the graph with its values and gradients.",
        epilog="The scripts print JSON as their last line: {\"loss\": ..., \"grads\": {id: "
               "...}}; with --train [--steps N] [--seed S] they train as the app does and "
               "print {\"loss\": ..., \"accuracy\": ...}. The PyTorch script takes --device.")
    parser.add_argument("file", metavar="FILE", help="a Backprop Studio graph (.json)")
    parser.add_argument("--to", required=True, choices=FORMATS, help="what to write")
    parser.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    parser.add_argument("--scale", type=float, default=None,
                        help="png only: pixels per canvas unit (default 2)")
    return parser


def check(args) -> None:
    """Problems the flags alone show; raises UsageError."""
    if args.scale is not None:
        if args.to != "png":
            raise UsageError("--scale applies to --to png only")
        if not 0 < args.scale <= MAX_SCALE:
            raise UsageError(f"--scale must be above 0 and at most {MAX_SCALE:g}, "
                             f"got {args.scale:g}")
    folder = Path(args.out).resolve().parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {folder} does not exist")
    if Path(args.out).is_dir():
        raise UsageError(f"cannot write {args.out}: it is a folder")


def export(args, write_image=None) -> str:
    """Write what ``args`` asks for; returns the line to print. Raises FileFormatError,
    GraphError, OSError or UsageError."""
    from engine.io import load_graph

    graph = load_graph(args.file)
    name = Path(args.file).name
    if args.to in ("numpy", "pytorch"):
        from engine.export import to_numpy, to_pytorch
        text = (to_numpy if args.to == "numpy" else to_pytorch)(graph, name)
        write_text(args.out, text)
        return f"wrote {args.out} ({args.to} script, {text.count(chr(10))} lines)"
    runnable = graph.copy()
    runnable.forward()
    runnable.backward()           # the picture shows gradients: the graph must run
    if write_image is None:
        raise UsageError(f"--to {args.to} needs the app's Qt layer (run it through main.py)")
    write_image(graph, args.to, args.out, 2.0 if args.scale is None else args.scale)
    return f"wrote {args.out}"


def write_text(path: str, text: str) -> None:
    """Write a script (executable, like any script with a #! line)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    try:
        mode = os.stat(path).st_mode
        os.chmod(path, mode | (mode & 0o444) >> 2)   # x wherever r
    except OSError:
        pass


def main(argv: list[str] | None = None, write_image=None) -> int:
    """Run ``export``; returns the exit status (0 done, 2 any problem, 1 a bug of ours)."""
    args, status = parse_args(build_parser(), argv, PROG, check)
    if args is None:
        return status
    from engine.errors import FileFormatError, GraphError, one_line
    try:
        line = export(args, write_image)
    except (FileFormatError, UsageError) as error:
        print(one_line(f"{PROG}: {error}"), file=sys.stderr)
        return 2
    except GraphError as error:
        print(one_line(f"{PROG}: {args.file}: cannot run: {error}"), file=sys.stderr)
        return 2
    except OSError as error:
        print(one_line(f"{PROG}: cannot write {args.out}: {error.strerror or error}"),
              file=sys.stderr)
        return 2
    except Exception as error:  # a bug of ours: still one line, never a traceback
        print(one_line(f"{PROG}: internal error on {args.file}: {type(error).__name__}: "
                       f"{error}"), file=sys.stderr)
        return 1
    print(line)
    return 0

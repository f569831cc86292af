"""``python main.py lessons [--check [FILE ...]]``: the lessons, listed or checked, headless.

Without ``--check``: one line per shipped lesson, its title and its file. With ``--check``:
each lesson file (all shipped ones when none is named) is read, its example loaded, and every
node, player step, placeholder and prediction it names resolved against the engine; the last
stdout line is JSON ``{"lessons": N, "predictions": P}``. A broken lesson is one line on
stderr naming the file, the lesson step (from 1) and the cause, and the exit status is 2.
Never imports Qt.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from engine.cli.parsing import Parser, parse_args

PROG = "backprop-studio lessons"


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG, description="List the lessons (title and file, a line each), or check "
                               "lesson files: each one's example, nodes, player steps, "
                               "placeholders and predictions, without opening a window.",
        epilog="docs/lessons.md describes the lesson file; exit status 2 names the broken "
               "file, the lesson step and the cause.")
    parser.add_argument("--check", action="store_true",
                        help="check the lesson files named (all shipped lessons by default); "
                             'the last line is JSON {"lessons": N, "predictions": P}')
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="lesson files to check (with --check)")
    return parser


def _shown(path) -> str:
    """A path relative to the working folder when it is below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def list_lessons(out) -> int:
    from engine.lessons import LessonError, read_lesson, shipped_lessons
    for path in shipped_lessons():
        try:
            title = read_lesson(path).title
        except LessonError as error:
            title = f"(broken: {error.cause})"
        out.write(f"{title}  {_shown(path)}\n")
    return 0


def check_lessons(files, out, err) -> int:
    from engine.errors import one_line
    from engine.lessons import LessonError, LessonRun, shipped_lessons
    paths = list(files) or shipped_lessons()
    if not paths:
        err.write(f"{PROG}: no lessons to check\n")
        return 2
    lessons = predictions = 0
    broken = False
    for path in paths:
        try:
            predictions += LessonRun.read(path).check()
            lessons += 1
        except LessonError as error:
            shown = LessonError(_shown(error.path), error.step, error.cause)
            err.write(one_line(f"{PROG}: {shown}") + "\n")
            broken = True
    if broken:
        return 2
    out.write(json.dumps({"lessons": lessons, "predictions": predictions}) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args, status = parse_args(_parser(), argv, PROG, hint="")
    if args is None:
        return status
    if args.files and not args.check:
        print(f"{PROG}: FILE is checked with --check (lessons --check FILE ...)",
              file=sys.stderr)
        return 2
    try:
        if args.check:
            return check_lessons(args.files, sys.stdout, sys.stderr)
        return list_lessons(sys.stdout)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        from engine.errors import one_line
        print(one_line(f"{PROG}: internal error: {type(exc).__name__}: {exc}"),
              file=sys.stderr)
        return 1

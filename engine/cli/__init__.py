"""The program's command line before any subcommand runs: help, version, and the checks that
turn a typo or a missing file into one line and exit status 2 (before any window opens).

``main.py`` asks ``classify(argv)`` what the arguments mean and then runs the command; the
subcommands parse their own options (``--help`` on each). Standard library only: this module
is imported on every start, including the headless ``grad`` / ``train`` / ``new`` /
``export``.
"""
from __future__ import annotations

import difflib
import os
from typing import NamedTuple

PROG = "backprop-studio"

COMMANDS = {
    "grad": "one forward and backward pass: every node's value and gradient as JSON",
    "train": "train the graph on its data, headless: the final loss and accuracy as JSON",
    "new": "a layered network for your CSV, written as a graph file (takes no FILE)",
    "export": "the graph as a numpy or PyTorch script, or as an SVG or PNG picture",
    "shot": "the main window with FILE open, rendered offscreen to a PNG",
    "render": "the backprop animation, step by step, as PNG frames and a GIF",
    "lessons": "the lessons, one line each; --check [FILE ...] checks lesson files",
    "import": "a small PyTorch nn.Module (MODEL.py) as a graph file, proven equal to PyTorch",
}
# never import Qt (export's images aside)
HEADLESS = ("grad", "train", "new", "export", "lessons", "import")


def usage() -> str:
    """The program's --help text."""
    width = max(map(len, COMMANDS))
    commands = "\n".join(f"  {name:<{width}}  {text}" for name, text in COMMANDS.items())
    return f"""usage: {PROG} [FILE]
       {PROG} COMMAND FILE [options]
       {PROG} new --data CSV --out FILE [options]
       {PROG} lessons [--check [FILE ...]]

Backprop Studio: build computation graphs on a canvas and watch the chain rule at work.
With no command it opens the app, and FILE (a graph, .json) if given.

commands:
{commands}

options:
  -h, --help  show this help and exit
  --version   show the version and exit

`{PROG} COMMAND --help` lists a command's options (docs/cli.md has them all).
Exit status: 0 done; 2 a usage error, or a file or graph that cannot be used (one line on
stderr says why); 1 an internal error."""


def version_text() -> str:
    from engine.version import app_version
    return f"{PROG} {app_version()}"


class Decision(NamedTuple):
    """What the arguments ask for: ``kind`` is help, version, command, app or error."""
    kind: str
    command: str | None = None     # the subcommand ("grad", ...)
    rest: tuple = ()               # its arguments
    path: str | None = None        # the file the app opens
    message: str = ""              # the one-line error


def classify(argv) -> Decision:
    """What ``argv`` (without the program name) asks for; never touches Qt."""
    argv = list(argv)
    if not argv:
        return Decision("app")
    first = argv[0]
    if first in COMMANDS:
        return Decision("command", first, tuple(argv[1:]))
    if first in ("-h", "--help", "help"):
        return Decision("help")
    if first in ("--version", "-V"):
        return Decision("version")
    if first.startswith("-") and not os.path.exists(first):
        return Decision("error", message=f"{PROG}: unknown option {first!r} (see --help)")
    if not os.path.exists(first):
        return Decision("error", message=missing(first))
    if len(argv) > 1:
        return Decision("error", message=f"{PROG}: unexpected argument {argv[1]!r}: the app "
                                         "opens one FILE; commands are "
                                         f"{', '.join(COMMANDS)} (see --help)")
    if os.path.isdir(first):
        return Decision("error", message=f"{PROG}: {first}: is a folder, not a graph file")
    return Decision("app", path=first)


def missing(word: str) -> str:
    """The error for an argument that is neither a command nor an existing file."""
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    looks_like_a_file = any(c in word for c in "./\\") or word.endswith(".json")
    if close and not looks_like_a_file:
        return f"{PROG}: unknown command {word!r} (did you mean {close[0]!r}? see --help)"
    if not looks_like_a_file:
        return (f"{PROG}: {word!r} is neither a command ({', '.join(COMMANDS)}) nor an "
                "existing file (see --help)")
    return f"{PROG}: {word}: no such file"

"""What every subcommand does with its arguments: a usage error is one line and exit 2.

``Parser`` is argparse whose errors raise ``UsageError`` instead of printing the usage and
exiting; ``parse_args`` runs it (and the command's own ``check`` of the flags), prints a
usage error as one line on stderr and returns the exit status instead of the arguments.
Standard library only, like the rest of the command line's front.
"""
from __future__ import annotations

import argparse
import sys


class UsageError(Exception):
    """A command-line mistake, reported as one line."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error raises ``UsageError``."""

    def error(self, message):
        raise UsageError(message)


def parse_args(parser: argparse.ArgumentParser, argv, prog: str, check=None,
               hint: str = " (see --help)"):
    """``(args, None)``, or ``(None, status)`` when there is nothing to run: 2 after a usage
    error (one line on stderr), 0 after ``--help``. ``check(args)`` may raise UsageError too."""
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if check is not None:
            check(args)
    except UsageError as error:
        print(f"{prog}: {error}{hint}", file=sys.stderr)
        return None, 2
    except SystemExit as done:  # --help
        return None, int(done.code or 0)
    return args, None

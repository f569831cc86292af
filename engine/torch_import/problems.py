"""What can stop an import, as exceptions that carry their one-line message.

``Refused`` (exit status 2): the module, the file or the flags cannot be imported — an
unsupported module or function, code fx cannot trace, an exception in the user's file, torch
not installed. ``ProofFailed`` (exit status 1): the engine's numbers differ from PyTorch's, which
is a bug in the import, never the user's. Standard library only; torch is imported lazily.
"""
from __future__ import annotations

import os
import traceback


class Refused(Exception):
    """The import cannot go on; ``str(error)`` is the one-line reason."""


class TorchMissing(Refused):
    """PyTorch is not installed."""


class ProofFailed(Exception):
    """The engine and PyTorch disagree on a node (a bug of the import)."""

    def __init__(self, message: str, node: str):
        super().__init__(message)
        self.node = node


TORCH_MISSING = ("PyTorch is not installed, and importing a model needs it: run `make torch` "
                 "(it installs torch 2.13.0, CPU) and try again")


def need_torch():
    """The torch module, or TorchMissing with the one line that says how to get it."""
    try:
        import torch
    except ImportError:
        raise TorchMissing(TORCH_MISSING) from None
    return torch


class Places:
    """Turns file names and traceback frames into the short places messages show
    (``model.py:14``): the model's file as the user named it, other files relative to the
    working folder; frames inside torch (or this package) are never the user's line."""

    def __init__(self, model_path: str, shown: str):
        self.model = os.path.realpath(model_path)
        self.shown = shown
        torch_dir = os.path.dirname(os.path.realpath(need_torch().__file__))
        self.skip = (torch_dir + os.sep,
                     os.path.dirname(os.path.realpath(__file__)) + os.sep)

    def name(self, filename: str) -> str:
        real = os.path.realpath(filename)
        if real == self.model:
            return self.shown
        try:
            return os.path.relpath(real)
        except ValueError:
            return real

    def users(self, filename: str) -> bool:
        real = os.path.realpath(filename)
        return not real.startswith(self.skip) and not filename.startswith("<")

    def of_frames(self, frames) -> str | None:
        """``file:line`` of the innermost frame of the user's code, or None."""
        for frame in reversed(list(frames)):
            if self.users(frame.filename):
                return f"{self.name(frame.filename)}:{frame.lineno}"
        return None

    def of_exception(self, error: BaseException) -> str:
        if isinstance(error, SyntaxError) and error.filename:
            return f"{self.name(error.filename)}:{error.lineno}"
        return self.of_frames(traceback.extract_tb(error.__traceback__)) or self.shown

    def of_stack_trace(self, text: str | None) -> str | None:
        """The user's line in an fx node's recorded ``stack_trace``."""
        if not text:
            return None
        frames = []
        for line in text.splitlines():
            line = line.strip()
            if line.startswith('File "') and '", line ' in line:
                filename, rest = line[6:].split('", line ', 1)
                number = rest.split(",", 1)[0]
                if number.isdigit():
                    frames.append(traceback.FrameSummary(filename, int(number), ""))
        return self.of_frames(frames)


def exception_text(error: BaseException) -> str:
    """``Type: message`` on one line (a SyntaxError's own message without its location)."""
    if isinstance(error, SyntaxError):
        return f"syntax error: {error.msg}"
    message = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {message}" if message else name

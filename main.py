"""Backprop Studio entry point.

`argv[1]` in {grad, train, shot, render} is a subcommand; anything else is a file to open in
the app. `grad` and `train` never import Qt, so they start fast and run on machines with no
display.
"""
from __future__ import annotations

import os
import sys

NO_DISPLAY_MESSAGE = (
    "backprop-studio: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set); "
    "run it under a virtual screen, e.g. `xvfb-run make run`, or render offscreen with "
    "`python main.py shot FILE --out shot.png`"
)


def has_display(environ=os.environ) -> bool:
    """True when Qt can open a window: a display, or a platform chosen explicitly."""
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else None
    if command == "grad":
        from engine.cli_grad import main as grad_main
        return grad_main(argv[1:])
    if command == "train":
        from engine.cli_train import main as train_main
        return train_main(argv[1:])
    if command in ("shot", "render"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from gui import cli
        return cli.main(command, argv[1:])
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from gui.app import run_app
    return run_app(argv[0] if argv else None)


if __name__ == "__main__":
    sys.exit(main())

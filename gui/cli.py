"""`shot` and `render`: the Qt-using subcommands of `python main.py` (run offscreen).

`shot FILE --out PNG [--width W --height H --select NODE]` renders the main window with FILE
open, fitted, after the model's re-run (values and gradients are on the nodes). Every failure
is one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

PROG = "backprop-studio"


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # one line, exit 2 (argparse prints usage + message by default)
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _shot_parser() -> _Parser:
    parser = _Parser(prog=f"{PROG} shot",
                     description="Render the main window with FILE open to a PNG (offscreen).")
    parser.add_argument("file", help="graph file (.json)")
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--width", type=int, default=1400, help="window width in pixels (1400)")
    parser.add_argument("--height", type=int, default=900, help="window height in pixels (900)")
    parser.add_argument("--select", default=None, help="node to select (shown in the inspector)")
    return parser


def shot(argv: list[str]) -> int:
    try:
        args = _shot_parser().parse_args(argv)
    except _UsageError as error:
        return _fail(str(error))
    if not (200 <= args.width <= 10000 and 200 <= args.height <= 10000):
        return _fail(f"{PROG} shot: --width and --height must be between 200 and 10000")
    out = Path(args.out)
    if not out.parent.is_dir():
        return _fail(f"{PROG} shot: cannot write {out}: folder {out.parent} does not exist")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from gui import files
    from gui.app import make_application, quiet_qt_messages

    try:
        graph = files.read_graph(args.file)
    except files.DocumentError as error:
        return _fail(f"{PROG} shot: {error}")
    app = make_application([PROG])
    quiet_qt_messages()
    from gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as scratch:    # never touch the user's recent files
        settings = QSettings(str(Path(scratch) / "shot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.resize(args.width, args.height)
        window.show()
        app.processEvents()
        window.open_graph(graph, Path(args.file).resolve(), Path(args.file).name)
        window.model.run_now()
        if args.select:
            if not window.model.has_node(args.select):
                window.close()
                return _fail(f"{PROG} shot: no node {args.select!r} in {Path(args.file).name}")
            _select(window, args.select)
        for _ in range(3):
            app.processEvents()
        window.canvas.fit_view()
        app.processEvents()
        image = window.grab()
        ok = image.save(str(out), "PNG")
        window.close_without_asking()
        settings.sync()
    if not ok:
        return _fail(f"{PROG} shot: could not write {out}")
    print(f"wrote {out} ({image.width()}×{image.height()})")
    return 0


def _select(window, node_id: str) -> None:
    item = window.canvas.node_item(node_id)
    if item is not None:
        window.canvas.scene().clearSelection()
        item.setSelected(True)
    window.inspector.set_selection([node_id])
    window.update_status()


def render(argv: list[str]) -> int:
    return _fail(f"{PROG} render: the backprop animation player is not available yet; "
                 f"use `{PROG} shot FILE --out PNG` for a still image")


def main(command: str, argv: list[str]) -> int:
    """Entry point from main.py for `shot` and `render`; returns the exit code."""
    try:
        if command == "shot":
            return shot(list(argv))
        if command == "render":
            return render(list(argv))
        return _fail(f"{PROG}: unknown command {command!r} (expected shot or render)")
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        return _fail(f"{PROG} {command}: unexpected error: {type(error).__name__}: {error}")

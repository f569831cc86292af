"""`shot` and `render`: the Qt-using subcommands of `python main.py` (run offscreen).

`render FILE --out DIR [--gif FILE] [--size WxH] [--granularity node|edge]` writes the backprop
player's steps as PNG frames (gui/player/render.py); its last stdout line is `{"frames": N}`.

`shot FILE --out PNG [--width W --height H --select NODE --train N --view graph|neurons]`
renders the main window with FILE open, fitted, after the model's re-run (values and gradients
are on the nodes); with `--train N` after N training steps run through the app's own training
path (the Training panel's worker, the live plots and the decision boundary drawn); with
`--view neurons` showing the neuron view (a graph that is not layered is refused, saying why). Every failure is one line on
stderr and exit code 2.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from engine.cli.parsing import Parser, parse_args

PROG = "backprop-studio"


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _shot_parser() -> Parser:
    parser = Parser(prog=f"{PROG} shot",
                     description="Render the main window with FILE open to a PNG (offscreen).")
    parser.add_argument("file", metavar="FILE", help="graph file (.json)")
    parser.add_argument("--out", required=True, metavar="PNG", help="PNG file to write")
    parser.add_argument("--width", type=int, default=1400, help="window width in pixels (1400)")
    parser.add_argument("--height", type=int, default=900, help="window height in pixels (900)")
    parser.add_argument("--select", default=None, metavar="NODE",
                        help="node to select (shown in the inspector)")
    parser.add_argument("--train", type=int, default=None, metavar="N",
                        help="first train N steps in the Training panel (its plots shown)")
    parser.add_argument("--view", choices=("graph", "neurons"), default="graph",
                        help="the op graph (default) or the neuron view of a layered network")
    return parser


def shot(argv: list[str]) -> int:
    args, status = parse_args(_shot_parser(), argv, f"{PROG} shot", hint="")
    if args is None:
        return status
    if not (200 <= args.width <= 10000 and 200 <= args.height <= 10000):
        return _fail(f"{PROG} shot: --width and --height must be between 200 and 10000")
    if args.train is not None and args.train < 1:
        return _fail(f"{PROG} shot: --train must be a positive number of steps, got {args.train}")
    out = Path(args.out)
    if not out.parent.is_dir():
        return _fail(f"{PROG} shot: cannot write {out}: folder {out.parent} does not exist")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from gui.model import files
    from gui.window.application import make_application, quiet_qt_messages

    try:
        graph = files.read_graph(args.file)
    except files.DocumentError as error:
        return _fail(f"{PROG} shot: {error}")
    app = make_application([PROG])
    quiet_qt_messages()
    from gui.window.main_window import MainWindow

    with tempfile.TemporaryDirectory() as scratch:    # never touch the user's recent files
        settings = QSettings(str(Path(scratch) / "shot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.resize(args.width, args.height)
        window.show()
        window.open_graph(graph, Path(args.file).resolve(), Path(args.file).name)
        if args.select:
            if not window.model.has_node(args.select):
                window.close()
                return _fail(f"{PROG} shot: no node {args.select!r} in {Path(args.file).name}")
            _select(window, args.select)
        for _ in range(3):
            app.processEvents()
        if args.train is not None:
            problem = _train(window, args.train)
            if problem is not None:
                window.close_without_asking()
                return _fail(f"{PROG} shot: {Path(args.file).name}: {problem}")
        if args.view == "neurons" and not window.network.show_neurons(True):
            reason = window.model.network_state()[1]
            window.close_without_asking()
            return _fail(f"{PROG} shot: {Path(args.file).name} has no neuron view: {reason}")
        window.canvas.fit_view()
        app.processEvents()
        image = window.grab()
        ok = image.save(str(out), "PNG")
        metrics = window.training.metrics() if args.train is not None else None
        window.close_without_asking()
        settings.sync()
    if not ok:
        return _fail(f"{PROG} shot: could not write {out}")
    print(f"wrote {out} ({image.width()}×{image.height()})")
    if args.train is not None:
        print(json.dumps({k: metrics.get(k) for k in ("step", "loss", "accuracy", "test_loss",
                                                       "test_accuracy")}))
    return 0


TRAIN_TIMEOUT_MS = 10 * 60 * 1000


def _train(window, steps: int) -> str | None:
    """Train `steps` steps through the Training panel (its worker, its plots); the problem
    that stopped it, or None."""
    panel = window.training
    if not panel.start(steps):
        return panel.error_label.text().lstrip("⚠ ") or "cannot train this graph"
    if not panel.session.wait(TRAIN_TIMEOUT_MS):
        panel.pause(wait=True)
        return f"training did not finish {steps} steps in {TRAIN_TIMEOUT_MS // 60000} minutes"
    panel.render()
    window.model.run_now()
    from PySide6.QtWidgets import QApplication
    QApplication.processEvents()
    error = panel.session.error
    return error.message if error is not None else None


def _select(window, node_id: str) -> None:
    item = window.canvas.node_item(node_id)
    if item is not None:
        window.canvas.scene().clearSelection()
        item.setSelected(True)
    window.inspector.set_selection([node_id])
    window.update_status()


def _render_parser() -> Parser:
    parser = Parser(prog=f"{PROG} render",
                     description="Render the backprop player's steps of FILE as PNG frames "
                                 "(DIR/frame_0000.png, …) and optionally a GIF (offscreen).")
    parser.add_argument("file", metavar="FILE", help="graph file (.json)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for the frames (created if missing)")
    parser.add_argument("--gif", default=None, metavar="GIF",
                        help="also write this GIF, one frame per step")
    parser.add_argument("--size", default="1280x800", metavar="WxH",
                        help="frame size WxH in pixels (1280x800)")
    parser.add_argument("--granularity", choices=("edge", "node"), default="edge",
                        help="backward pass: one frame per edge (default) or per node")
    return parser


def parse_size(text: str) -> tuple[int, int]:
    """``1280x800`` (or ``1280×800``) → (1280, 800); ValueError with the reason."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"--size must be WxH in pixels, e.g. 1280x800, got {text!r}")
    width, height = (int(p) for p in parts)
    if not (16 <= width <= 8000 and 16 <= height <= 8000):
        raise ValueError(f"--size must be between 16 and 8000 pixels a side, got {text!r}")
    return width, height


def render(argv: list[str]) -> int:
    """`render FILE --out DIR [--gif FILE] [--size WxH] [--granularity node|edge]`: one PNG per
    player step, the last stdout line JSON {"frames": N}."""
    args, status = parse_args(_render_parser(), argv, f"{PROG} render", hint="")
    if args is None:
        return status
    try:
        size = parse_size(args.size)
    except ValueError as error:
        return _fail(f"{PROG} render: {error}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return _fail(f"{PROG} render: --out {out} is a file, not a folder")
    if not out.parent.is_dir():
        return _fail(f"{PROG} render: cannot write to {out}: folder {out.parent} does not exist")
    gif = Path(args.gif) if args.gif else None
    if gif is not None and (gif.is_dir() or not gif.parent.is_dir()):
        return _fail(f"{PROG} render: cannot write the GIF {gif}: "
                     + ("it is a folder" if gif.is_dir() else f"folder {gif.parent} does not exist"))

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gui.model import files
    from gui.window.application import make_application, quiet_qt_messages

    try:
        graph = files.read_graph(args.file)
    except files.DocumentError as error:
        return _fail(f"{PROG} render: {error}")
    make_application([PROG])
    quiet_qt_messages()
    from gui.model import GraphModel
    from gui.player.render import RenderError, render_animation

    try:
        out.mkdir(exist_ok=True)
    except OSError as error:
        return _fail(f"{PROG} render: cannot create {out}: {error.strerror or error}")
    model = GraphModel(graph)
    try:
        frames = render_animation(model, out, size, args.granularity, gif)
    except RenderError as error:
        return _fail(f"{PROG} render: {Path(args.file).name}: {error}")
    print(f"wrote {frames} frames ({size[0]}×{size[1]}) to {out}"
          + (f" and {gif}" if gif is not None else ""))
    print(json.dumps({"frames": frames}))
    return 0


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

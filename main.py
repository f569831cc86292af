"""Backprop Studio entry point (also the console script ``backprop-studio``).

``argv[1]`` in {grad, train, new, export, import, shot, render, lessons} is a command;
otherwise an existing FILE to open in the app. ``--help`` and ``--version`` answer at once; an unknown
command, a typo or a path that does not exist is one line and exit status 2 before any window
opens (``engine.cli.classify``). ``grad``, ``train``, ``new``, ``lessons``, ``import`` and
``export --to numpy|pytorch`` never import Qt, so they start fast and run on machines with no
display.
"""
from __future__ import annotations

import os
import sys

_RAN_QT = []        # an offscreen command used Qt: the process may end without tearing it down


def before_qt() -> None:
    """Before the GUI's imports (the app, ``shot``, ``render``, the pictures):

    - Python's cyclic garbage collector waits for the application, which runs it between
      events (gui/window/application.py): importing Qt and the GUI makes a great many objects
      and no garbage, and collecting during the imports only slows start-up;
    - numpy, networkx and the engine's graph are imported first: once PySide6 is loaded, every
      module imported after it costs more (PySide6's import hook reads each new module's
      source to see whether it uses PySide6), and these are hundreds of modules — a fifth of
      a second of start-up. The GUI's first Graph needs them all anyway."""
    import gc
    gc.disable()
    import networkx  # noqa: F401
    import engine.evaluate  # noqa: F401
    import engine.graph  # noqa: F401
    import engine.io  # noqa: F401


def write_image(graph, kind: str, path: str, scale: float) -> None:
    """``export --to svg|png``: the Qt layer draws the graph, offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    before_qt()
    _RAN_QT.append("export")
    from gui.window import export_image
    if kind == "svg":
        export_image.export_svg(graph, path)
    else:
        export_image.export_png(graph, path, scale=scale)


def run_command(command: str, argv: list[str]) -> int:
    if command == "grad":
        from engine.cli.grad import main as grad_main
        return grad_main(argv)
    if command == "train":
        from engine.cli.train import main as train_main
        return train_main(argv)
    if command == "new":
        from engine.cli.new import main as new_main
        return new_main(argv)
    if command == "import":
        from engine.cli.import_model import main as import_main
        return import_main(argv)
    if command == "export":
        from engine.cli.export import main as export_main
        return export_main(argv, write_image=write_image)
    if command == "lessons":
        from engine.cli.lessons import main as lessons_main
        return lessons_main(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # shot, render
    before_qt()
    _RAN_QT.append(command)
    from gui.window import cli
    return cli.main(command, argv)


def main(argv: list[str] | None = None) -> int:
    from engine.cli import classify, usage, version_text

    decision = classify(sys.argv[1:] if argv is None else argv)
    if decision.kind == "help":
        print(usage())
        return 0
    if decision.kind == "version":
        print(version_text())
        return 0
    if decision.kind == "error":
        print(decision.message, file=sys.stderr)
        return 2
    if decision.kind == "command":
        return run_command(decision.command, list(decision.rest))
    from gui.window.display_check import display_problem
    problem = display_problem(os.environ)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    before_qt()
    from gui.window.app import run_app
    return run_app(decision.path)


def program() -> None:
    """The program (``python main.py``, the console script): ``main()``, then exit. After an
    offscreen command (``shot``, ``render``, a picture) everything is written and closed
    already: the process ends at once instead of tearing down Qt's objects and every module
    (a tenth of a second, a tenth of ``shot``'s run)."""
    status = main()
    if _RAN_QT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    program()

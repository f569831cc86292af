"""File ▸ Export: the document as a numpy or PyTorch script, or as an SVG or PNG picture.

The scripts reproduce the app's loss and gradients (and its training, when the graph has
data); the pictures are the graph itself — not the window — with every value and gradient,
SVG text staying text. Each action asks where to write, then says what it wrote or, in one
sentence, why it could not; the document is never changed.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from engine import GraphError

KINDS = {  # kind: (menu text, dialog filter, suffix, what it is)
    "numpy": ("&Python Script (numpy)…", "Python scripts (*.py)", ".py", "numpy script"),
    "pytorch": ("Py&Torch Script…", "Python scripts (*.py)", ".py", "PyTorch script"),
    "svg": ("&SVG Picture…", "SVG pictures (*.svg)", ".svg", "SVG picture"),
    "png": ("P&NG Picture…", "PNG pictures (*.png)", ".png", "PNG picture"),
}
PNG_SCALE = 2.0


def default_path(window, kind: str) -> Path:
    """Beside the document, named after it: ``xor_mlp.py``, ``xor_mlp_torch.py``, ``….svg``."""
    stem = (window.path.stem if window.path is not None
            else window.display_name.split(" (")[0].lower().replace(" ", "_")) or "graph"
    folder = window.path.parent if window.path is not None else window.dialog_dir()
    suffix = "_torch" if kind == "pytorch" else ""
    return folder / f"{stem}{suffix}{KINDS[kind][2]}"


def document_name(window) -> str:
    """What the script's docstring calls the graph: its file name, or the window's name for a
    document never saved. (The script names itself at run time, whatever its file is called.)"""
    return window.path.name if window.path is not None else window.display_name


def export_to(window, kind: str, path) -> bool:
    """Write the document as ``kind`` to ``path``; True when written (the user is told)."""
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(KINDS[kind][2])
    model = window.model
    try:
        if kind in ("numpy", "pytorch"):
            text = model.export_script(kind, document_name(window))
            path.write_text(text, encoding="utf-8")
            mode = path.stat().st_mode
            os.chmod(path, mode | (mode & 0o444) >> 2)      # runnable, like any script
        else:
            from gui.window.export_image import ImageError, export_png, export_svg
            try:
                if kind == "svg":
                    export_svg(model.clone(), path)
                else:
                    export_png(model.clone(), path, PNG_SCALE)
            except ImageError as error:
                raise OSError(str(error)) from None
    except GraphError as error:
        window.show_error("Cannot export", f"The graph cannot run, so it cannot be exported: "
                                           f"{error}")
        return False
    except OSError as error:
        window.show_error("Cannot export", f"Cannot write {path}: "
                                           f"{getattr(error, 'strerror', None) or error}")
        return False
    window.show_message(f"Exported {path.name} ({KINDS[kind][3]})")
    return True


def ask_and_export(window, kind: str) -> bool:
    text, file_filter, _suffix, what = KINDS[kind]
    path, _ = QFileDialog.getSaveFileName(window, f"Export as {what}",
                                          str(default_path(window, kind)), file_filter)
    return bool(path) and export_to(window, kind, path)


def add_export_menu(window, file_menu) -> None:
    """File ▸ Export ▸ numpy / PyTorch scripts and SVG / PNG pictures."""
    menu = file_menu.addMenu("E&xport")
    for kind, (text, *_rest) in KINDS.items():
        action = QAction(text, window)
        action.setObjectName(f"export_{kind}")
        action.triggered.connect(lambda checked=False, k=kind: ask_and_export(window, k))
        menu.addAction(action)
        window.actions_by_name[f"export_{kind}"] = action
    window.export_menu = menu

"""The main window's actions, menus and toolbar.

Every keyboard shortcut is a QAction here, owned by the window, calling the window's document
methods or the CanvasView's editing methods (see docs/architecture.md).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QSizePolicy, QToolBar, QWidget
from shiboken6 import isValid

from gui import theme
from gui.model import files
from gui.lessons.install import show_lessons
from gui.panels.help import show_help
from gui.window.export_menu import add_export_menu

def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("backprop-studio")
    except (ImportError, PackageNotFoundError):
        return "development"


ABOUT_TEXT = """<h3>Backprop Studio</h3>
<p style="color: {muted}">Version {version}</p>
<p>Build computation graphs node by node and watch the chain rule at work: every node shows its
value (forward pass) and its gradient (backward pass), recomputed after every edit.</p>
<p>The math runs in a plain numpy engine, checked against finite differences.</p>"""

def _import_pytorch(window) -> None:
    from gui.window.import_dialog import open_import_dialog   # loaded when first used
    open_import_dialog(window)


def _action(window, name, text, slot, shortcut=None, icon=None, tip=None) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if icon:
        action.setIcon(theme.make_icon(icon))
    if tip or shortcut is not None:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text.replace('…', '').replace('&', '')}"
                          + (f"  ({keys})" if keys else ""))
    action.triggered.connect(lambda checked=False: slot())
    window.addAction(action)
    return action


def build_actions(window) -> dict[str, QAction]:
    canvas = window.canvas
    std = QKeySequence.StandardKey
    actions = {
        "new": _action(window, "new", "&New", window.new_document, std.New, "new", "New graph"),
        "open": _action(window, "open", "&Open…", window.open_dialog, std.Open, "open",
                        "Open a graph"),
        "import_torch": _action(window, "import_torch", "&Import PyTorch Model…",
                                lambda: _import_pytorch(window),
                                tip="Import a small nn.Module from a Python file"),
        "save": _action(window, "save", "&Save", window.save, std.Save, "save", "Save"),
        "save_as": _action(window, "save_as", "Save &As…", window.save_as, std.SaveAs),
        "quit": _action(window, "quit", "&Quit", window.close, std.Quit),
        "cut": _action(window, "cut", "Cu&t", window.cut, std.Cut),
        "copy": _action(window, "copy", "&Copy", canvas.copy_selection, std.Copy),
        "paste": _action(window, "paste", "&Paste", canvas.paste, std.Paste),
        "duplicate": _action(window, "duplicate", "D&uplicate", canvas.duplicate_selection,
                             "Ctrl+D"),
        "delete": _action(window, "delete", "&Delete", canvas.delete_selection,
                          [QKeySequence(std.Delete), "Backspace"], "delete",
                          "Delete the selection"),
        "select_all": _action(window, "select_all", "Select &All", canvas.select_all,
                              std.SelectAll),
        "find_op": _action(window, "find_op", "Find &Op…", window.focus_palette_search,
                           QKeySequence.StandardKey.Find, tip="Search the palette"),
        "fit": _action(window, "fit", "&Fit to Window", canvas.fit_view, "F", "fit",
                       "Fit the graph in the view"),
        "auto_layout": _action(window, "auto_layout", "&Auto-layout", canvas.auto_layout,
                               "Ctrl+L", "layout", "Arrange the nodes left to right"),
        "zoom_in": _action(window, "zoom_in", "Zoom &In", lambda: window.zoom(1.25),
                           [QKeySequence(std.ZoomIn), "Ctrl+="], "zoom_in"),
        "zoom_out": _action(window, "zoom_out", "Zoom &Out", lambda: window.zoom(0.8),
                            std.ZoomOut, "zoom_out"),
        "zoom_reset": _action(window, "zoom_reset", "Actual &Size", lambda: window.zoom(None),
                              "Ctrl+0"),
        "reset_layout": _action(window, "reset_layout", "&Reset Layout", window.reset_layout,
                                tip="Every panel back where it starts, at its first size"),
        "chain_rule": _action(window, "chain_rule", "The &Chain Rule",
                              lambda: show_help(window), std.HelpContents, "help",
                              "Quick help on the chain rule, the player and predict mode, "
                              "beside the canvas"),
        "lessons": _action(window, "lessons", "&Lessons",
                           lambda: show_lessons(window), tip="Step-by-step lessons that "
                           "drive the app: derivatives, the chain rule, paths, training"),
        "about": _action(window, "about", "&About Backprop Studio",
                         lambda: QMessageBox.about(window, "About Backprop Studio",
                                                   ABOUT_TEXT.format(version=_version(),
                                                                     muted=theme.MUTED))),
    }
    undo, redo = _history_actions(window)
    undo.setShortcuts(QKeySequence.keyBindings(std.Undo))
    undo.setIcon(theme.make_icon("undo"))
    redo_keys = QKeySequence.keyBindings(std.Redo)
    if QKeySequence("Ctrl+Y") not in redo_keys:
        redo_keys.append(QKeySequence("Ctrl+Y"))
    redo.setShortcuts(redo_keys)
    redo.setIcon(theme.make_icon("redo"))
    for name, action in (("undo", undo), ("redo", redo)):
        action.setObjectName(name)
        window.addAction(action)
        actions[name] = action
    return actions


def _history_actions(window) -> tuple[QAction, QAction]:
    """Undo and Redo, which call the stack's own undo() / redo() (gui/model/undo_stack.py:
    a training run going on is paused first and becomes its own undo step). While a run
    goes, Undo is enabled and says so; otherwise both follow the stack like Qt's actions."""
    stack = window.undo_stack
    undo, redo = QAction("&Undo", window), QAction("&Redo", window)
    undo.triggered.connect(lambda checked=False: stack.undo())
    redo.triggered.connect(lambda checked=False: stack.redo())

    def follow(*_args) -> None:
        if not (isValid(stack) and isValid(undo) and isValid(redo)):
            return                       # the window is being torn down
        pending = getattr(stack, "pending", None)
        undo.setEnabled(bool(pending) or stack.canUndo())
        undo.setText(f"&Undo {pending}" if pending else
                     (f"&Undo {stack.undoText()}" if stack.canUndo() else "&Undo"))
        redo.setEnabled(not pending and stack.canRedo())
        redo.setText(f"&Redo {stack.redoText()}" if stack.canRedo() and not pending
                     else "&Redo")
        for action, word in ((undo, "Undo"), (redo, "Redo")):
            action.setToolTip(action.text().replace("&", "") or word)

    for signal in (stack.canUndoChanged, stack.canRedoChanged, stack.undoTextChanged,
                   stack.redoTextChanged, stack.indexChanged):
        signal.connect(follow)
    if hasattr(stack, "pending_changed"):
        stack.pending_changed.connect(follow)
    follow()
    return undo, redo


def _fill_recent(window, menu: QMenu) -> None:
    menu.clear()
    window.prune_recent()
    paths = window.recent.paths()
    for i, path in enumerate(paths, 1):
        action = menu.addAction(f"&{i % 10}  {Path(path).name}")
        action.setToolTip(path)
        action.setStatusTip(path)
        action.triggered.connect(lambda checked=False, p=path: window.open_recent(p))
    if not paths:
        menu.addAction("No recent files").setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear Recent Files", window.recent.clear)


def build_menus(window) -> None:
    a = window.actions_by_name
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a["new"], a["open"]])
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.recent_menu.aboutToShow.connect(lambda: _fill_recent(window, window.recent_menu))
    _fill_recent(window, window.recent_menu)
    window.examples_menu = file_menu.addMenu("&Examples")
    window.examples_menu.setToolTipsVisible(True)
    for path in files.example_files():
        action = window.examples_menu.addAction(files.example_title(path))
        action.setToolTip(files.example_summary(path) or files.example_title(path))
        action.setStatusTip(str(path))
        action.setData(str(path))
        action.triggered.connect(lambda checked=False, p=path: window.open_example(p))
    if not window.examples_menu.actions():
        window.examples_menu.addAction("No examples found").setEnabled(False)
    file_menu.addAction(a["import_torch"])
    file_menu.addSeparator()
    file_menu.addActions([a["save"], a["save_as"]])
    add_export_menu(window, file_menu)
    file_menu.addSeparator()
    file_menu.addAction(a["quit"])

    edit = bar.addMenu("&Edit")
    edit.addActions([a["undo"], a["redo"]])
    edit.addSeparator()
    edit.addActions([a["cut"], a["copy"], a["paste"], a["duplicate"], a["delete"]])
    edit.addSeparator()
    edit.addAction(a["select_all"])

    view = bar.addMenu("&View")
    view.addActions([a["fit"], a["auto_layout"], a["find_op"]])
    view.addSeparator()
    view.addActions([a["zoom_in"], a["zoom_out"], a["zoom_reset"]])
    view.addSeparator()
    view.addAction(window.palette_dock.toggleViewAction())
    view.addAction(window.inspector_dock.toggleViewAction())
    view.addAction(window.chain_rule_dock.toggleViewAction())
    view.addAction(a["reset_layout"])

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([a["lessons"], a["chain_rule"]])
    help_menu.addSeparator()
    help_menu.addAction(a["about"])


class MainToolBar(QToolBar):
    """The toolbar; the separator before the Run / Step slot shows only once it holds actions
    (an empty slot would leave a stray divider). In a short window it sits in the menu bar's
    row (gui/window/compact.py) and asks for the width the menus leave there."""

    in_menu_row = False
    menus_width = 0

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        row = self.parentWidget()
        if self.in_menu_row and row is not None:
            return QSize(max(40, row.width() - self.menus_width), hint.height())
        return hint

    def actionEvent(self, event) -> None:
        super().actionEvent(event)
        separator = getattr(self.parent(), "run_toolbar_separator", None)
        anchor = getattr(self.parent(), "run_toolbar_anchor", None)
        if separator is None or anchor is None or separator not in self.actions():
            return
        actions = self.actions()
        between = actions[actions.index(separator) + 1:actions.index(anchor)] \
            if anchor in actions else []
        separator.setVisible(any(a.isVisible() for a in between))


def build_toolbar(window) -> QToolBar:
    a = window.actions_by_name
    toolbar = MainToolBar("Main toolbar", window)
    toolbar.setObjectName("main_toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.setIconSize(toolbar.iconSize().scaled(20, 20, Qt.AspectRatioMode.IgnoreAspectRatio))
    for name in ("new", "open", "save"):
        toolbar.addAction(a[name])
    toolbar.addSeparator()
    for name in ("undo", "redo"):
        toolbar.addAction(a[name])
    toolbar.addSeparator()
    for name in ("fit", "auto_layout", "zoom_in", "zoom_out"):
        toolbar.addAction(a[name])
    window.run_toolbar_separator = toolbar.addSeparator()
    window.run_toolbar_anchor = toolbar.addSeparator()   # Run / Step: insertAction(anchor, …)
    window.run_toolbar_anchor.setVisible(False)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    toolbar.addAction(a["chain_rule"])
    for name in ("zoom_in", "zoom_out", "undo", "redo"):
        button = toolbar.widgetForAction(a[name])
        if button is not None:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    from gui.network.install import add_network_controls   # Neurons, File ▸ New Network…
    add_network_controls(window, toolbar)
    from gui.player.install import add_player_controls   # ▶ Play, View ▸ Player, Export animation…
    add_player_controls(window, toolbar)
    from gui.training.install import add_training_controls   # ▶ Train / Step, View ▸ Training
    add_training_controls(window, toolbar)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    return toolbar

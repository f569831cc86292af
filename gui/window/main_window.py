"""The main window: palette (left), canvas (centre), inspector (right), menus, toolbar, status.

The window owns the document (path, QUndoStack clean state → title star), every keyboard
shortcut (as QActions that call CanvasView methods), and the file commands. Opening a file
that fails leaves the current document untouched and says why.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QSizePolicy, QWidget)

from gui import theme
from gui.actions import LazyDock, declare_needs
from gui.model import files
from gui.window import recovery, status
from gui.window.application import APP_NAME
from gui.canvas import CanvasView
from gui.inspector.inspector import Inspector
from gui.model import GraphModel
from gui.model.undo_stack import UndoStack
from gui.panels.palette import PaletteWidget
from gui.lessons.install import install_lessons
from gui.player.install import install_player
from gui.training.install import install_training
from gui.network.install import install_network
from gui.window.dock_policy import LayoutPolicy
from gui.window.layout import (INSPECTOR_MIN, PALETTE_MIN, DockBalancer, fit_to_screen,
                               fit_toolbar, scaled, show_overflow_button)
from gui.window.look_menu import install_look
from gui.window.keyboard_access import install_keyboard_access
from gui.window.menus import build_actions, build_menus, build_toolbar

FILE_FILTER = "Backprop Studio graphs (*.json);;All files (*)"
STATUS_TIMEOUT_MS = 6000
WARNING_TIMEOUT_MS = 6000     # a refusal ("Cannot connect: …") stays this long, in amber
INSPECTOR_WIDTH = 330    # a 4-column heatmap prints its numbers; the canvas gets the rest
CHAIN_RULE_HEIGHT = 215  # the chain-rule panel under the canvas: a title and two path rows
CHAIN_RULE_MIN = (240, 110)   # a title and one path row
SIDE_DOCK_MIN_HEIGHT = 150


class MainWindow(QMainWindow):
    def __init__(self, path: str | None = None, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.settings = settings if settings is not None else QSettings()
        self.recent = files.RecentFiles(self.settings)
        self.path: Path | None = None
        self.display_name = "Untitled"
        self.undo_stack = UndoStack(self)
        self.model = GraphModel(parent=self)
        self.model.bind_undo_stack(self.undo_stack)
        self.canvas = CanvasView(self.model, self.undo_stack, self)
        self.setCentralWidget(self.canvas)
        self.canvas.viewport().installEventFilter(self)
        self._build_docks()
        self.actions_by_name = build_actions(self)
        build_menus(self)
        self.toolbar = build_toolbar(self)
        self._build_status_bar()
        self._wire()
        install_keyboard_access(self)   # F6, Enter/Esc, Ctrl+E, single keys on the canvas
        self.setWindowIcon(theme.app_icon())
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self.docks = DockBalancer(self, [(self.palette_dock, self.palette.preferred_width()),
                                         (self.inspector_dock, INSPECTOR_WIDTH)])
        self.resizeDocks([self.palette_dock, self.inspector_dock],
                         [self.palette.preferred_width(), INSPECTOR_WIDTH],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.chain_rule_dock], [CHAIN_RULE_HEIGHT], Qt.Orientation.Vertical)
        declare_needs(self.palette_dock, lambda: scaled((PALETTE_MIN, SIDE_DOCK_MIN_HEIGHT)),
                      self.palette.preferred_width, collapse_order=10)
        declare_needs(self.inspector_dock, lambda: scaled((INSPECTOR_MIN, SIDE_DOCK_MIN_HEIGHT)),
                      lambda: scaled(INSPECTOR_WIDTH), collapse_order=20)
        declare_needs(self.chain_rule_dock, lambda: scaled(CHAIN_RULE_MIN),
                      lambda: scaled(CHAIN_RULE_HEIGHT))
        self.layout_policy = LayoutPolicy(self, self.docks)
        install_look(self)     # View ▸ Theme, Text Size, Reduce Motion, Present
        self.default_state = self.saveState()      # View ▸ Reset Layout returns here
        show_overflow_button(self.toolbar)
        self._add_offset = 0
        self._discarding = False
        self.autosaver = recovery.Autosaver(self, self.settings)
        self.update_title()
        self.update_status()
        if path:
            self.open_file(path, ask=False)

    # -- construction -------------------------------------------------------------------------
    def _build_docks(self) -> None:
        self.palette = PaletteWidget()
        self.palette_dock = self._dock("Palette", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector = Inspector(self.model, self.undo_stack, self.canvas.graph_scene)
        self.inspector_dock = self._dock("Inspector", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.chain_rule_dock = self._dock("Chain rule", self._chain_rule_panel,
                                          Qt.DockWidgetArea.BottomDockWidgetArea)
        for corner, area in ((Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea),
                             (Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)):
            self.setCorner(corner, area)    # side docks keep their full height: bottom ones
                                            # sit under the canvas only
        install_player(self)   # self.player (go_to, play, pause, leave), strip, step card
        install_training(self)   # self.training: the Training dock (gui/training)
        install_network(self)    # self.network: the neuron view and the builder (gui/network)
        install_lessons(self)    # the Lessons and Help docks beside the canvas (gui/lessons)

    def _dock(self, title: str, content, area) -> QDockWidget:
        """A dock for ``content``: a widget, or a function that builds it when first shown."""
        if callable(content) and not isinstance(content, QWidget):
            dock = LazyDock(title, self, content)
        else:
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{title.lower()}_dock")
            dock.setWidget(content)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.selection_label = QLabel()
        theme.set_font(self.selection_label, 9, mono=True)
        self.model_label = QLabel()
        self.model_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        bar.addPermanentWidget(self.selection_label)
        bar.addPermanentWidget(self.model_label)
        bar.messageChanged.connect(self._on_status_message)

    def _wire(self) -> None:
        self.model.modified_changed.connect(self.update_title)
        self.canvas.status_message.connect(self.show_message)
        self.canvas.refused.connect(self.show_warning)
        self.canvas.selection_changed.connect(self._selection_changed)
        self.model.results_changed.connect(self.update_status)
        self.canvas.graph_scene.record_shown.connect(self._record_shown)
        self.model.node_renamed.connect(lambda *_: self.update_status())
        self.palette.entry_activated.connect(self.add_entry_at_centre)
        self.inspector.message.connect(self.show_message)
        self.inspector.refused.connect(self.show_warning)
        self.inspector.node_requested.connect(self.reveal_node)
        self.inspector.example_requested.connect(self.open_example)

    def _chain_rule_panel(self):
        from gui.panels.chain_rule import ChainRulePanel
        return ChainRulePanel(self.model, self.canvas)

    # -- the features built when first needed (gui/actions.LazyDock) ---------------------------
    @property
    def training(self):
        """The Training panel (gui/training/panel.py), built on first use."""
        return self.training_dock.widget()

    @property
    def player(self):
        """The PlayerController (gui/player/controller.py), built on first use."""
        return self.player_dock.widget().player

    @property
    def player_strip(self):
        return self.player_dock.widget().strip

    @property
    def step_card(self):
        return self.player_dock.widget().card

    def leave_player(self) -> None:
        """Back to the live view, if the player was ever used."""
        if self.player_dock.is_built:
            self.player.leave()

    def escape(self) -> None:
        """Esc: out of the player first, then out of presentation mode."""
        if self.player_dock.is_built and self.player.active:
            self.player.leave()
        elif self.presentation.on:
            self.presentation.leave()

    # -- status and title ---------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self.model.modified

    def update_title(self, *_):
        self.setWindowTitle(f"{APP_NAME} — {self.display_name}{'*' if self.modified else ''}")

    def show_message(self, text: str, timeout: int = STATUS_TIMEOUT_MS) -> None:
        """A transient status-bar message (refusals go to ``show_warning``)."""
        self._set_status_warning(False)
        self.statusBar().showMessage(text, timeout)

    def show_warning(self, text: str, timeout: int | None = None) -> None:
        """``⚠ text`` in bold amber on a tinted status bar for a few seconds, then cleared."""
        self._set_status_warning(True)
        self.statusBar().showMessage(f"⚠ {text}",
                                     WARNING_TIMEOUT_MS if timeout is None else timeout)

    def _on_status_message(self, text: str) -> None:
        # a message takes the selection's read-out's room while it shows (the inspector has
        # the same numbers), so a long one is not cut at large text sizes
        self.selection_label.setVisible(not text)
        if not text:                 # the warning timed out or was cleared: plain bar again
            self._set_status_warning(False)

    def _set_status_warning(self, on: bool) -> None:
        bar = self.statusBar()
        if bool(bar.property("warning")) != on:
            bar.setProperty("warning", on)
            bar.style().unpolish(bar)
            bar.style().polish(bar)
            bar.update()

    def show_error(self, title: str, text: str) -> None:
        """An error the user must see: status bar and a message box (never a traceback)."""
        self.show_message(text, 15000)
        QMessageBox.warning(self, title, text)

    def _selection_changed(self, node_ids) -> None:
        self.inspector.set_selection(list(node_ids))
        self.update_status()

    def _record_shown(self) -> None:
        """The canvas shows another record (a replay's step): the read-outs follow, once per
        step (not per frame of its animation)."""
        record = self.canvas.graph_scene.record
        state = ("live",) if record.live else (        # a re-run updates the live view
            record.caption, record.node(self.model.loss_id or ""),
            *(record.node(n) for n in self.inspector.selection[:1]))
        if state != getattr(self, "_status_shown", None):
            self._status_shown = state
            self.update_status()

    def update_status(self) -> None:
        """The loss (or what is wrong) and the selected node's numbers, as the canvas shows
        them (gui/window/status.py): in a replay, at the step shown."""
        model, record = self.model, self.canvas.graph_scene.record
        selected = [n for n in self.inspector.selection if model.has_node(n)]
        text, tone = status.model_text(model, record)
        self.model_label.setText(text)
        theme.set_tone(self.model_label, tone)
        self.selection_label.setText(status.selection_text(model, record, selected))

    # -- documents ----------------------------------------------------------------------------
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save / Discard / Cancel for the current document (patched in tests)."""
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        return QMessageBox.warning(self, "Unsaved changes",
                                   f"Save the changes to {self.display_name}?\n\n"
                                   "Your changes are lost if you don't save them.",
                                   buttons, QMessageBox.StandardButton.Save)

    def maybe_save(self) -> bool:
        """True when it is fine to replace the document (saved, discarded or unmodified)."""
        if not self.modified:
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def open_graph(self, graph, path: Path | None, name: str) -> None:
        """Make ``graph`` the document (unsaved changes are the caller's business)."""
        self.model.load_graph(graph)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.path, self.display_name = path, name
        self.inspector.set_selection([])
        self.update_title()
        self.update_status()
        QTimer.singleShot(0, self.canvas.fit_view)

    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        self.open_graph(None, None, "Untitled")
        self.show_message("New graph")
        return True

    def open_file(self, path, ask: bool = True) -> bool:
        """Open `path`; on failure the current document stays as it was and the user is told."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            graph = files.read_graph(path)
        except files.DocumentError as error:
            self.show_error("Cannot open file", str(error))
            return False
        if files.is_example(path):      # examples open as untitled copies: Save asks where
            self.open_graph(graph, None, f"{files.example_title(path)} (example)")
        else:
            self.open_graph(graph, path.resolve(), path.name)
            self.recent.add(path)
            self.settings.setValue("files/last_dir", str(path.resolve().parent))
        self.show_message(f"Opened {path.name}")
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path, _ = QFileDialog.getOpenFileName(self, "Open graph", str(self.dialog_dir()),
                                              FILE_FILTER)
        return bool(path) and self.open_file(path, ask=False)

    def dialog_dir(self) -> Path:
        """Where file dialogs start: the open file's folder, else the last one used."""
        if self.path is not None:
            return self.path.parent
        last = self.settings.value("files/last_dir")
        return Path(last) if last and Path(last).is_dir() else Path.home()

    def open_recent(self, path: str) -> bool:
        if not Path(path).is_file():
            self.recent.remove(path)
            self.show_error("File not found", f"{path} no longer exists; removed it from the "
                                              "recent files.")
            return False
        ok = self.open_file(path)
        return ok

    def open_example(self, path) -> bool:
        return self.open_file(path)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self, path=None) -> bool:
        if path is None:
            start = self.path or self.dialog_dir() / (self.display_name.split(" (")[0]
                                                       .lower().replace(" ", "_") + ".json")
            path, _ = QFileDialog.getSaveFileName(self, "Save graph as", str(start), FILE_FILTER)
            if not path:
                return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            files.write_graph(self.model, path)
        except files.DocumentError as error:
            self.show_error("Cannot save file", str(error))
            return False
        self.path, self.display_name = path.resolve(), path.name
        self.model.mark_saved()
        self.recent.add(path)
        self.settings.setValue("files/last_dir", str(self.path.parent))
        self.update_title()
        self.show_message(f"Saved {path.name}")
        return True

    def prune_recent(self) -> None:
        missing = self.recent.prune()
        if missing:
            names = ", ".join(Path(p).name for p in missing)
            self.show_message(f"Removed from recent files (no longer found): {names}")

    # -- canvas helpers -----------------------------------------------------------------------
    def add_entry_at_centre(self, kind: str, name: str) -> None:
        """Palette double-click: add the op/template at the centre of the view (staggered)."""
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        step = (self._add_offset % 6) * 24
        self._add_offset += 1
        centre.setX(centre.x() + step)
        centre.setY(centre.y() + step)
        if kind == "template":
            self.canvas.insert_template(name, centre)
        else:
            self.canvas.add_node_at(name, centre)
        self.canvas.setFocus()

    def focus_palette_search(self) -> None:
        self.palette_dock.show()
        self.palette.search.setFocus()
        self.palette.search.selectAll()

    def reveal_node(self, node_id: str) -> None:
        """Select `node_id` on the canvas and scroll it into view."""
        item = self.canvas.node_item(node_id)
        if item is None:
            return
        self.canvas.select_nodes([node_id])
        self.canvas.ensureVisible(item, 40, 40)

    def zoom(self, factor: float | None) -> None:
        """Zoom about the view centre; None = 1:1."""
        if factor is None:
            self.canvas.actual_size()
        else:
            self.canvas.zoom_by(factor)

    def cut(self) -> None:
        self.canvas.copy_selection()
        self.canvas.delete_selection()

    # -- Qt events ----------------------------------------------------------------------------
    @staticmethod
    def _json_paths(event) -> list[str]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [u.toLocalFile() for u in data.urls()
                if u.isLocalFile() and u.toLocalFile().lower().endswith(".json")]

    def dragEnterEvent(self, event) -> None:
        if self._json_paths(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._json_paths(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        paths = self._json_paths(event)
        if not paths:
            return super().dropEvent(event)
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.open_file(paths[0]))

    def eventFilter(self, obj, event) -> bool:
        """File drops on the canvas open the file (the canvas itself only takes palette drags)."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop) \
                and self._json_paths(event):
            if kind == QEvent.Type.Drop:
                self.dropEvent(event)
            else:
                event.acceptProposedAction()
            return True
        return super().eventFilter(obj, event)

    def resizeEvent(self, event) -> None:
        """Small windows: docks give way to the canvas (gui/window/dock_policy.py), the
        toolbar drops its texts."""
        super().resizeEvent(event)
        self.layout_policy.resized()
        self._fit_toolbar()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.layout_policy.resized()
        self._fit_toolbar()

    def _fit_toolbar(self) -> None:     # icons only in the menu bar's row
        fit_toolbar(self.toolbar, 0 if self.layout_policy.chrome.on else self.width())

    def reset_layout(self) -> None:
        """View ▸ Reset Layout: every dock back where a first start puts it, at its preferred
        size (the window keeps its size; a running player stays in front)."""
        self.layout_policy.reset(self.default_state)
        if self.player_dock.is_built and self.player.active:
            self.player_dock.show()
            self.player_dock.raise_()
        self._fit_toolbar()
        self.show_message("Layout reset")

    def close_without_asking(self) -> None:
        """Close, dropping unsaved changes (the offscreen renderers use it)."""
        self._discarding = True
        self.close()

    def offer_recovery(self) -> bool:
        """After a crash: offer the newest autosaved document back; True when restored."""
        found = recovery.pending_recoveries(self.settings)
        if not found:
            return False
        graph_file, meta = found[0]
        name = meta.get("name") or "a graph"
        when = time.strftime("%d %b %Y, %H:%M", time.localtime(meta["saved_at"]))
        answer = QMessageBox.question(
            self, "Restore unsaved changes?",
            f"Backprop Studio closed unexpectedly. Restore the unsaved changes to {name}, "
            f"autosaved on {when}?")
        restored = False
        if answer == QMessageBox.StandardButton.Yes:
            try:
                graph = files.read_graph(graph_file)
            except files.DocumentError as error:
                self.show_error("Cannot restore", str(error))
            else:
                path = Path(meta["path"]) if meta.get("path") else None
                self.open_graph(graph, path, name)
                self.model.mark_modified()
                self.show_message(f"Restored the unsaved changes to {name}")
                restored = True
        for graph_file, _meta in found:
            recovery.discard(graph_file)
        return restored

    def closeEvent(self, event) -> None:
        if self._discarding or self.maybe_save():
            before = self.presentation.leave()    # presenting: the layout from before is saved
            self.autosaver.timer.stop()
            self.autosaver.clear()
            if before is None:
                self.settings.setValue("window/geometry", self.saveGeometry())
                self.layout_policy.save(self.settings)      # the dock state and heights
            else:
                for key, value in before.items():
                    self.settings.setValue(key, value)
            event.accept()
        else:
            event.ignore()

    def restore_layout(self) -> None:
        """Window size and dock layout from the last session; on a first start (nothing saved)
        90 % of the screen's available area, centred (the app calls this, not tests)."""
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            fit_to_screen(self, 0.9)
        self.layout_policy.restore(self.settings, self.settings.value("window/state"))

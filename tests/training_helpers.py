"""Helpers for the training panel's tests: open an example, click a panel button with the
mouse, wait for a run, a headless reference Trainer over the same document."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from conftest import EXAMPLES


def open_example(win, name: str) -> None:
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()     # the session adopts the document's folder


def click(button) -> None:
    """A real left click in the middle of a visible, enabled button."""
    assert button.isVisible() and button.isEnabled(), button.objectName()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     button.rect().center())
    QApplication.processEvents()


def show_plot(panel, plot) -> None:
    """Bring ``plot``'s page of the plot tabs to the front by clicking its tab (a window too
    small for all four plots shows them a page at a time)."""
    grid = panel.plot_grid
    if plot not in grid.shown():
        tabs = grid.tabs
        index = next(i for i, page in enumerate(grid.pages()) if plot in page)
        QTest.mouseClick(tabs, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         tabs.tabRect(index).center())
    QApplication.processEvents()
    assert plot.isVisible(), type(plot).__name__


def wait_idle(qtbot, panel, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not panel.running, timeout=timeout)
    QApplication.processEvents()


def parameters(win) -> dict:
    model = win.model
    return {p: np.array(model.node(p).value) for p in model.parameter_ids()}


def reference_trainer(win):
    """A Trainer over the document as it is now, with the panel's settings (headless)."""
    session = win.training.session
    return win.model.make_trainer(session.data, session.training, session.folder)


def undo_texts(win) -> list[str]:
    stack = win.undo_stack
    return [stack.text(i) for i in range(stack.count())]


def use_csv_through_dialog(qtbot, panel, path, test_fraction: float | None = None) -> None:
    """Click "Your own CSV…", and in the dialog (modal: a timer acts inside its exec())
    choose ``path`` (and a test fraction), then press Enter on the default OK button."""
    def in_the_dialog():
        dialog = panel.csv_dialog
        if dialog is None or not dialog.isVisible():     # not open yet: the timer looks again
            return
        poll.stop()
        dialog.set_path(str(path))
        if test_fraction is not None:
            dialog.test_fraction.setValue(test_fraction)
        qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
        # Enter: the default button (a nested QTest mouse click is lost inside exec())
        QTest.keyClick(dialog, Qt.Key.Key_Return)

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(in_the_dialog)
    poll.start()
    click(panel.csv_button)                           # exec() returns when OK is clicked

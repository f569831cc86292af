"""Helpers for the training panel's tests: open an example, click a panel button with the
mouse, wait for a run, a headless reference Trainer over the same document."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
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

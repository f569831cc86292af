"""The keyboard focus ring on every control, in the colour table's ``focus`` role.

Appended to the application's style sheet (``gui.theme.apply_theme``). Each control that can
take the focus draws a 2 px ring in the focus colour while it has it, without changing its
size: where the ring replaces a 1 px border, the padding gives up the pixel; check boxes and
sliders always keep a transparent 2 px border the ring colours in. The canvas draws
its own ring (gui/canvas/keyboard.py), and the focused node's is drawn by the node.
"""
from __future__ import annotations


def focus_style_sheet(c) -> str:
    """Style-sheet rules for the focus ring of table ``c`` (a ``colors.Colors``)."""
    f = c.focus
    return f"""
QPushButton:focus {{ border: 2px solid {f}; padding: 4px 11px; }}
QToolButton:focus {{ border: 2px solid {f}; border-radius: 5px; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 4px; }}
QCheckBox:focus, QRadioButton:focus {{ border-color: {f}; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus,
QComboBox:focus {{ border: 2px solid {f}; padding: 3px 5px; }}
QAbstractItemView:focus, QTreeView:focus, QTableView:focus, QListView:focus,
QTreeWidget:focus, QTableWidget:focus, QListWidget:focus {{ border: 2px solid {f}; }}
QSlider {{ border: 2px solid transparent; border-radius: 4px; }}
QSlider:focus {{ border-color: {f}; }}
QTabBar::tab:focus {{ border: 2px solid {f}; }}
QGroupBox:focus {{ border: 2px solid {f}; }}
"""


def focus_ring(selector: str) -> str:
    """The ring for widgets a panel's own style sheet draws (a panel's rules outrank the
    application's): append it to that style sheet."""
    from gui.theme import colors
    return f"\n{selector}:focus {{ border: 2px solid {colors.active().focus}; }}\n"

"""The application's look: Fusion style, the palette of the colour table (gui/theme/colors.py),
fonts, a style sheet and icons.

Icons are drawn with QPainter at runtime (crisp at any size, no image files to ship); the
window icon is `resources/icons/app.svg`.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QIcon, QPainter, QPainterPath, QPalette, QPen,
                           QPixmap)
from PySide6.QtWidgets import QApplication

from gui.theme import colors
from gui.theme.focus import focus_style_sheet

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"

C = colors.active()   # the colour table (gui/theme/colors.py): every colour below comes from it
ACCENT = C.accent
TEXT = C.text
MUTED = C.muted
WINDOW = C.window
PANEL = C.panel
BASE = C.base
RAISED = C.raised
BORDER = C.border
HOVER = C.hover
SELECTED = C.selected
ERROR = C.error
INCOMPLETE = C.warning  # a node still being built (the canvas's amber, not an alarm)
GRAD = C.grad           # gradients are shown in a warm colour everywhere (as on the canvas)
VALUE = C.value         # values in a cool one
DISABLED = C.disabled

TEMPLATE_COLOUR = C.other_category


def category_colour(op=None, category: str | None = None) -> str:
    """The colour of an op's category, the same as its node header on the canvas."""
    return C.op_colour(op) if op is not None else C.category(category)


FONT_FAMILIES = ["Inter", "Segoe UI", "Cantarell", "Noto Sans", "DejaVu Sans", "Sans Serif"]
MONO_FAMILIES = ["JetBrains Mono", "Cascadia Mono", "Noto Sans Mono", "DejaVu Sans Mono",
                 "Monospace"]

CHEVRON = (ICON_DIR / "chevron-down.svg").as_posix()

STYLE_SHEET = f"""
QMainWindow, QDialog, QMessageBox {{ background: {WINDOW}; }}
QWidget {{ color: {TEXT}; }}
QMenuBar {{ background: {WINDOW}; padding: 2px; }}
QMenuBar::item {{ padding: 4px 10px; border-radius: 4px; }}
QMenuBar::item:selected {{ background: {HOVER}; }}
QToolBar {{ background: {WINDOW}; border: none; border-bottom: 1px solid {BORDER};
           spacing: 2px; padding: 4px 8px; }}
QToolBar QToolButton {{ padding: 5px 8px; border-radius: 5px; color: {TEXT}; }}
QToolBar QToolButton:hover {{ background: {HOVER}; }}
QToolBar QToolButton:pressed {{ background: {SELECTED}; }}
QToolBar QToolButton:checked {{ background: {SELECTED}; }}
QToolBar QToolButton:disabled {{ color: {DISABLED}; }}
QToolButton:checked {{ background: {SELECTED}; border-radius: 5px; }}
QToolBar::separator {{ background: {BORDER}; width: 1px; margin: 6px 6px; }}
QDockWidget {{ color: {MUTED}; font-weight: 600; }}
QDockWidget::title {{ background: {WINDOW}; padding: 8px 12px 6px 12px; text-transform: uppercase; }}
QDockWidget > QWidget {{ background: {PANEL}; }}
QMainWindow::separator {{ background: {BORDER}; width: 1px; height: 1px; }}
QStatusBar {{ background: {WINDOW}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QStatusBar QLabel {{ padding: 0 10px; }}
QStatusBar::item {{ border: none; }}
QStatusBar[warning="true"] {{ color: {INCOMPLETE}; background: {C.warning_background}; font-weight: 600;
                             border-top: 1px solid {INCOMPLETE}; }}
QLineEdit, QPlainTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
    background: {BASE}; border: 1px solid {BORDER}; border-radius: 5px; padding: 4px 6px;
    color: {TEXT}; selection-background-color: {ACCENT}; }}
QLineEdit:focus, QPlainTextEdit:focus, QSpinBox:focus, QComboBox:focus {{ border: 1px solid {ACCENT}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: 1px solid {ERROR};
    background: {C.error_background}; }}
QLineEdit#headerRename {{ border: 1px solid {ACCENT}; border-radius: 3px; padding: 0 4px;
    font-weight: 600; }}
QComboBox::drop-down {{ border: none; width: 22px; }}
QComboBox::down-arrow {{ image: url({CHEVRON}); width: 12px; height: 12px; }}
QComboBox QAbstractItemView {{ background: {RAISED}; border: 1px solid {BORDER};
    selection-background-color: {SELECTED}; }}
QCheckBox::indicator {{ width: 15px; height: 15px; border: 1px solid {BORDER};
    border-radius: 3px; background: {BASE}; }}
QCheckBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; }}
QPushButton {{ background: {RAISED}; border: 1px solid {BORDER}; border-radius: 5px;
              padding: 5px 12px; color: {TEXT}; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:pressed {{ background: {SELECTED}; }}
QTreeWidget, QTableWidget, QListWidget {{ background: {PANEL}; border: none;
    alternate-background-color: {RAISED}; gridline-color: {BORDER}; }}
QTableWidget {{ background: {BASE}; border: 1px solid {BORDER}; border-radius: 4px; }}
QTreeView::item {{ padding: 3px 2px; border-radius: 4px; }}
QTreeView::item:selected {{ background: {SELECTED}; color: {TEXT}; }}
QTreeView::item:hover {{ background: {HOVER}; }}
QHeaderView::section {{ background: {RAISED}; border: none; border-right: 1px solid {BORDER};
    border-bottom: 1px solid {BORDER}; padding: 2px 4px; color: {MUTED}; }}
QTableCornerButton::section {{ background: {RAISED}; border: none; }}
QGroupBox {{ border: 1px solid {BORDER}; border-radius: 6px; margin-top: 16px;
            padding: 10px 8px 8px 8px; background: {WINDOW}; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {MUTED};
                   font-weight: 600; }}
QLabel#heading {{ font-size: 13pt; font-weight: 600; color: {TEXT}; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#resultCaption {{ color: {TEXT}; font-weight: 500; }}
QLabel#error {{ color: {ERROR}; }}
QLabel#incomplete {{ color: {INCOMPLETE}; font-weight: 600; }}
QLabel#opBadge {{ color: {C.badge_text}; border-radius: 4px; padding: 3px 8px; font-weight: 600; }}
QScrollArea {{ border: none; background: {PANEL}; }}
QScrollArea > QWidget > QWidget {{ background: {PANEL}; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {BORDER}; border-radius: 3px; min-height: 24px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {BORDER}; border-radius: 3px; min-width: 24px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
QMenu {{ background: {RAISED}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 28px 5px 12px; border-radius: 4px; }}
QMenu::item:selected {{ background: {SELECTED}; }}
QMenu::item:disabled {{ color: {DISABLED}; }}
QMenu::separator {{ height: 1px; background: {BORDER}; margin: 4px 6px; }}
QToolTip {{ background: {RAISED}; color: {TEXT}; border: 1px solid {BORDER}; padding: 5px; }}
QWidget:disabled {{ color: {DISABLED}; }}
QPushButton:disabled, QLineEdit:disabled, QPlainTextEdit:disabled, QSpinBox:disabled,
QDoubleSpinBox:disabled, QComboBox:disabled {{ color: {DISABLED}; background: {PANEL};
    border-color: {RAISED}; }}
QToolButton:disabled, QCheckBox:disabled, QRadioButton:disabled, QLabel:disabled,
QLabel#muted:disabled, QTabBar::tab:disabled, QGroupBox:disabled {{ color: {DISABLED}; }}
QCheckBox::indicator:disabled {{ background: {PANEL}; border-color: {RAISED}; }}
"""


def ui_font(point_size: float = 10, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def mono_font(point_size: float = 9.5) -> QFont:
    font = QFont()
    font.setFamilies(MONO_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size)
    return font


def apply_theme(app: QApplication) -> None:
    """Fusion style, the dark palette, fonts and the style sheet, once per application."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW, QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE, QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.Text: TEXT, QPalette.ColorRole.Button: PANEL,
        QPalette.ColorRole.ButtonText: TEXT, QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: C.on_accent, QPalette.ColorRole.ToolTipBase: RAISED,
        QPalette.ColorRole.ToolTipText: TEXT, QPalette.ColorRole.PlaceholderText: C.placeholder,
        QPalette.ColorRole.Light: HOVER, QPalette.ColorRole.Midlight: RAISED,
        QPalette.ColorRole.Dark: BASE, QPalette.ColorRole.Shadow: C.shadow,
        QPalette.ColorRole.Link: ACCENT, QPalette.ColorRole.Mid: BORDER,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(DISABLED))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(DISABLED))
    app.setPalette(palette)
    app.setFont(ui_font(10))
    app.setStyleSheet(STYLE_SHEET + focus_style_sheet(C))


def app_icon() -> QIcon:
    path = ICON_DIR / "app.svg"
    icon = QIcon(str(path)) if path.exists() else QIcon()
    return icon if not icon.isNull() else make_icon("layout")


def _pen(colour: str, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _arc_arrow(p: QPainter, clockwise: bool) -> None:
    """An undo (anticlockwise) or redo arrow in a 24×24 box."""
    path = QPainterPath()
    if clockwise:
        path.moveTo(5, 17)
        path.cubicTo(5, 9, 14, 6, 19, 11)
        head = [QPointF(19, 5), QPointF(19, 11), QPointF(13, 11)]
    else:
        path.moveTo(19, 17)
        path.cubicTo(19, 9, 10, 6, 5, 11)
        head = [QPointF(5, 5), QPointF(5, 11), QPointF(11, 11)]
    p.drawPath(path)
    p.drawPolyline(head)


def _draw(name: str, p: QPainter, colour: str) -> None:
    p.setPen(_pen(colour, 1.8))
    accent = QColor(colour)
    if name == "new":
        p.drawPolygon([QPointF(6, 3), QPointF(14, 3), QPointF(18, 7), QPointF(18, 21), QPointF(6, 21)])
        p.drawPolyline([QPointF(14, 3), QPointF(14, 7), QPointF(18, 7)])
        p.drawLine(QPointF(9.5, 14), QPointF(14.5, 14))
        p.drawLine(QPointF(12, 11.5), QPointF(12, 16.5))
    elif name == "open":
        p.drawPolyline([QPointF(3, 19), QPointF(3, 5), QPointF(9, 5), QPointF(11, 7.5), QPointF(19, 7.5),
                        QPointF(19, 10)])
        p.drawPolygon([QPointF(3, 19), QPointF(6.5, 10.5), QPointF(21.5, 10.5), QPointF(18, 19)])
    elif name == "save":
        p.drawRoundedRect(QRectF(4, 4, 16, 16), 2, 2)
        p.drawRect(QRectF(8, 4, 8, 5))
        p.drawRoundedRect(QRectF(7.5, 13, 9, 7), 1, 1)
    elif name in ("undo", "redo"):
        _arc_arrow(p, clockwise=name == "redo")
    elif name == "fit":
        for x, y, dx, dy in ((4, 4, 1, 1), (20, 4, -1, 1), (4, 20, 1, -1), (20, 20, -1, -1)):
            p.drawPolyline([QPointF(x, y + 5 * dy), QPointF(x, y), QPointF(x + 5 * dx, y)])
        p.drawRoundedRect(QRectF(9, 9, 6, 6), 1.5, 1.5)
    elif name == "layout":
        p.drawLine(QPointF(7, 7), QPointF(17, 12))
        p.drawLine(QPointF(7, 17), QPointF(17, 12))
        p.setBrush(accent)
        for cx, cy in ((6, 6.5), (6, 17.5), (18, 12)):
            p.drawEllipse(QPointF(cx, cy), 2.8, 2.8)
    elif name in ("run", "step"):
        p.setBrush(accent)
        right = 18 if name == "run" else 15
        p.drawPolygon([QPointF(7, 5), QPointF(right, 12), QPointF(7, 19)])
        if name == "step":
            p.drawLine(QPointF(18.5, 5.5), QPointF(18.5, 18.5))
    elif name in ("zoom_in", "zoom_out"):
        p.drawEllipse(QPointF(10.5, 10.5), 6, 6)
        p.drawLine(QPointF(15, 15), QPointF(20, 20))
        p.drawLine(QPointF(7.5, 10.5), QPointF(13.5, 10.5))
        if name == "zoom_in":
            p.drawLine(QPointF(10.5, 7.5), QPointF(10.5, 13.5))
    elif name == "delete":
        p.drawPolyline([QPointF(4, 7), QPointF(20, 7)])
        p.drawPolygon([QPointF(6.5, 7), QPointF(7.5, 20), QPointF(16.5, 20), QPointF(17.5, 7)])
        p.drawPolyline([QPointF(9.5, 7), QPointF(10, 4), QPointF(14, 4), QPointF(14.5, 7)])
    elif name == "help":
        p.drawEllipse(QPointF(12, 12), 8.5, 8.5)
        path = QPainterPath()
        path.moveTo(9.3, 9.8)
        path.cubicTo(9.3, 6.5, 14.7, 6.5, 14.7, 9.8)
        path.cubicTo(14.7, 12, 12, 12, 12, 14.3)
        p.drawPath(path)
        p.setBrush(accent)
        p.drawEllipse(QPointF(12, 17.2), 0.6, 0.6)
    elif name == "more":           # », the toolbar's overflow menu
        for x in (6.5, 12.5):
            p.drawPolyline([QPointF(x, 7), QPointF(x + 5, 12), QPointF(x, 17)])
    else:
        p.drawEllipse(QPointF(12, 12), 7, 7)


def make_icon(name: str, colour: str | None = None) -> QIcon:
    """A 24-px line icon (rendered at 2× for crispness), with a greyed disabled state."""
    icon = QIcon()
    for mode, tint in ((QIcon.Mode.Normal, colour or C.icon), (QIcon.Mode.Disabled, DISABLED)):
        pixmap = QPixmap(48, 48)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(2, 2)
        _draw(name, painter, tint)
        painter.end()
        icon.addPixmap(pixmap, mode)
    return icon


def symbol_icon(symbol: str, colour: str, size: int = 22) -> QIcon:
    """A rounded badge with an op's symbol, for palette entries."""
    scale = 2
    pixmap = QPixmap(size * 2 * scale, size * scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    rect = QRectF(1, 1, size * 2 - 2, size - 2)
    base = QColor(colour)
    painter.setBrush(base)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, 5, 5)
    painter.setPen(QColor(C.badge_text))
    size_pt = 8.5
    font = ui_font(size_pt, bold=True)
    while size_pt > 5.5 and QFontMetricsF(font).horizontalAdvance(symbol) > rect.width() - 6:
        size_pt -= 0.5
        font = ui_font(size_pt, bold=True)
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, symbol)
    painter.end()
    return QIcon(pixmap)

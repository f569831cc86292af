"""The application's look: Fusion style, the palette and style sheet of the colour table in use
(gui/theme/colors.py), the desktop's font at the chosen text size, and icons.

``apply_look(app, choice, text_percent, reduce_motion)`` changes any of them, live
(gui/theme/look.py says in which order everything hears of it). The names below (``TEXT``,
``MUTED``, ``C`` …) are the active table's and are re-read on every change: read them when
drawing (``theme.TEXT``), never copy them at import.

Fonts: ``ui_font(size)`` and ``mono_font(size)`` take a size in points as it was written for a
10 pt desktop at 100 %, and return it scaled to the desktop's font and the text size;
``set_font(widget, size)`` sets one that follows later changes. ``set_tone(widget, tone)``
colours a label by role (error, muted, warning, …) through the style sheet, so it follows a
switch of theme. Icons are drawn at the size asked for, in the active colours
(gui/theme/drawing.py).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from gui.theme import colors, look
from gui.theme.focus import focus_style_sheet
from gui.theme.drawing import make_icon, symbol_icon  # noqa: F401  (the theme's icons)

__all__ = ["QColor", "apply_look", "apply_theme", "make_icon", "symbol_icon", "ui_font",
           "mono_font", "set_font", "set_tone", "category_colour", "app_icon"]

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
MONO_FAMILIES = ["JetBrains Mono", "Cascadia Mono", "Noto Sans Mono", "DejaVu Sans Mono",
                 "Monospace"]
WRITTEN_FOR_PT = 10.0     # the sizes passed to ui_font / mono_font were written for this
TONES = ("error", "muted", "warning", "value", "grad", "emphasis", "ok", "text")

# -- the active table's colours (re-read on every change) ------------------------------------
C = colors.active()
ACCENT = TEXT = MUTED = WINDOW = PANEL = BASE = RAISED = BORDER = HOVER = SELECTED = ""
ERROR = INCOMPLETE = GRAD = VALUE = DISABLED = TEMPLATE_COLOUR = ""


@look.on_change
def _reload() -> None:
    global C, ACCENT, TEXT, MUTED, WINDOW, PANEL, BASE, RAISED, BORDER, HOVER, SELECTED
    global ERROR, INCOMPLETE, GRAD, VALUE, DISABLED, TEMPLATE_COLOUR
    C = colors.active()
    ACCENT, TEXT, MUTED, WINDOW, PANEL = C.accent, C.text, C.muted, C.window, C.panel
    BASE, RAISED, BORDER, HOVER, SELECTED = C.base, C.raised, C.border, C.hover, C.selected
    ERROR, INCOMPLETE = C.error, C.warning   # amber: a node still being built, not an alarm
    GRAD, VALUE = C.grad, C.value            # gradients warm everywhere, values cool
    DISABLED, TEMPLATE_COLOUR = C.disabled, C.other_category


_reload()


def category_colour(op=None, category: str | None = None) -> str:
    """The colour of an op's category, the same as its node header on the canvas."""
    return C.op_colour(op) if op is not None else C.category(category)


# -- fonts ------------------------------------------------------------------------------------
def base_point_size() -> float:
    """The desktop's font size in points (before the text size)."""
    font = look.current().base_font
    size = font.pointSizeF() if font is not None else -1
    return size if size > 0 else WRITTEN_FOR_PT


def point_size(size: float) -> float:
    """``size`` (written for a 10 pt desktop at 100 %) on this desktop at the text size."""
    return size * base_point_size() / WRITTEN_FOR_PT * look.text_scale()


def ui_font(size: float = WRITTEN_FOR_PT, bold: bool = False) -> QFont:
    base = look.current().base_font
    font = QFont(base) if base is not None else QFont()
    font.setPointSizeF(point_size(size))
    font.setBold(bold)
    return font


def mono_font(size: float = 9.5) -> QFont:
    font = QFont()
    font.setFamilies(MONO_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size(size))
    return font


def set_font(widget, size: float, mono: bool = False, bold: bool = False) -> None:
    """``widget``'s font: ``mono_font(size)`` or ``ui_font(size, bold)``, kept at that size
    relative to the text size when it changes."""
    widget.setProperty("lookFont", f"{size} {int(mono)} {int(bold)}")
    widget.setFont(mono_font(size) if mono else ui_font(size, bold))


def _refont_widgets(app) -> None:
    for widget in app.allWidgets():
        spec = widget.property("lookFont")
        if spec:
            size, mono, bold = spec.split()
            widget.setFont(mono_font(float(size)) if mono == "1"
                           else ui_font(float(size), bold == "1"))


def set_tone(widget, tone: str | None) -> None:
    """Colour ``widget``'s text by role (one of ``TONES``; None: the plain text colour),
    through the style sheet, so it follows a switch of theme."""
    if tone is not None and tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}")
    if widget.property("tone") == tone:
        return
    widget.setProperty("tone", tone)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


# -- the style sheet --------------------------------------------------------------------------
def _icon_file(name: str, colour: str) -> str:
    """A small SVG (a chevron for combo and spin boxes) in ``colour``, written once to a cache
    folder: style sheets take images from files only."""
    paths = {"down": "M3 4.5 L6 7.5 L9 4.5", "up": "M3 7.5 L6 4.5 L9 7.5"}
    folder = Path(tempfile.gettempdir()) / f"backprop-studio-{os.getuid() if hasattr(os, 'getuid') else 0}"
    path = folder / f"chevron-{name}-{colour.lstrip('#')}.svg"
    if not path.exists():
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="12" height="12" '
               f'viewBox="0 0 12 12"><path d="{paths[name]}" stroke="{colour}" '
               f'stroke-width="1.6" fill="none" stroke-linecap="round" '
               f'stroke-linejoin="round"/></svg>')
        try:
            folder.mkdir(parents=True, exist_ok=True)
            scratch = path.with_suffix(f".{os.getpid()}.tmp")
            scratch.write_text(svg, encoding="utf-8")
            scratch.replace(path)
        except OSError:
            return ""
    return path.as_posix()


def style_sheet(c: colors.Colors | None = None) -> str:
    """The application's style sheet for table ``c`` at the current text size."""
    c = c or colors.active()
    pt = point_size
    down, up = _icon_file("down", c.icon), _icon_file("up", c.icon)
    down_off, up_off = _icon_file("down", c.disabled), _icon_file("up", c.disabled)
    arrow = max(8, round(9 * look.text_scale()))
    button_w = max(16, round(16 * look.text_scale()))
    named = ("heading", "muted", "error", "incomplete", "resultCaption")   # beat their own rules
    tones = "\n".join(", ".join([f'*[tone="{tone}"]'] + [f'QLabel#{n}[tone="{tone}"]' for n in named])
                      + f" {{ color: {getattr(c, tone)}; }}" for tone in TONES)
    return f"""
QMainWindow, QDialog, QMessageBox {{ background: {c.window}; }}
QWidget {{ color: {c.text}; }}
QMenuBar {{ background: {c.window}; padding: 2px; }}
QMenuBar::item {{ padding: 4px 10px; border-radius: 4px; }}
QMenuBar::item:selected {{ background: {c.hover}; }}
QToolBar {{ background: {c.window}; border: none; border-bottom: 1px solid {c.divider};
           spacing: 2px; padding: 4px 8px; }}
QToolBar QToolButton {{ padding: 5px 8px; border-radius: 5px; color: {c.text}; }}
QToolBar QToolButton:hover {{ background: {c.hover}; }}
QToolBar QToolButton:pressed {{ background: {c.selected}; }}
QToolBar QToolButton:checked {{ background: {c.selected}; }}
QToolBar QToolButton:disabled {{ color: {c.disabled}; }}
QToolButton:checked {{ background: {c.selected}; border-radius: 5px; }}
QToolButton:disabled {{ color: {c.disabled}; }}
QToolBar::separator {{ background: {c.divider}; width: 1px; margin: 6px 6px; }}
QDockWidget {{ color: {c.muted}; font-weight: 600; }}
QDockWidget::title {{ background: {c.window}; padding: 8px 12px 6px 12px; text-transform: uppercase; }}
QDockWidget > QWidget {{ background: {c.panel}; }}
QMainWindow::separator {{ background: {c.divider}; width: 1px; height: 1px; }}
QStatusBar {{ background: {c.window}; border-top: 1px solid {c.divider}; color: {c.muted}; }}
QStatusBar QLabel {{ padding: 0 10px; }}
QStatusBar::item {{ border: none; }}
QStatusBar[warning="true"] {{ color: {c.warning}; background: {c.warning_background};
                             font-weight: 600; border-top: 1px solid {c.warning}; }}
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
    background: {c.base}; border: 1px solid {c.border}; border-radius: 5px; padding: 4px 6px;
    color: {c.text}; selection-background-color: {c.accent}; selection-color: {c.on_accent}; }}
QTextEdit, QTextBrowser {{ padding: 2px; }}
QLineEdit:focus, QPlainTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus,
QComboBox:focus {{ border: 1px solid {c.focus}; }}
QLineEdit:disabled, QPlainTextEdit:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled,
QComboBox:disabled {{ color: {c.disabled}; border-color: {c.divider}; background: {c.panel}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: 1px solid {c.error};
    background: {c.error_background}; }}
QLineEdit#headerRename {{ border: 1px solid {c.focus}; border-radius: 3px; padding: 0 4px;
    font-weight: 600; }}
QComboBox::drop-down {{ border: none; width: {button_w + 6}px; }}
QComboBox::down-arrow {{ image: url({down}); width: {arrow + 3}px; height: {arrow + 3}px; }}
QComboBox::down-arrow:disabled {{ image: url({down_off}); }}
QComboBox QAbstractItemView {{ background: {c.raised}; border: 1px solid {c.border};
    selection-background-color: {c.selected}; selection-color: {c.text}; }}
QSpinBox, QDoubleSpinBox {{ padding-right: {button_w + 2}px; }}
QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-origin: border;
    subcontrol-position: top right; width: {button_w}px; border: none;
    border-left: 1px solid {c.divider}; border-top-right-radius: 5px; }}
QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-origin: border;
    subcontrol-position: bottom right; width: {button_w}px; border: none;
    border-left: 1px solid {c.divider}; border-bottom-right-radius: 5px; }}
QSpinBox::up-button:hover, QDoubleSpinBox::up-button:hover,
QSpinBox::down-button:hover, QDoubleSpinBox::down-button:hover {{ background: {c.hover}; }}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url({up}); width: {arrow}px;
    height: {arrow}px; }}
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{ image: url({down}); width: {arrow}px;
    height: {arrow}px; }}
QSpinBox::up-arrow:disabled, QDoubleSpinBox::up-arrow:disabled,
QSpinBox::up-arrow:off, QDoubleSpinBox::up-arrow:off {{ image: url({up_off}); }}
QSpinBox::down-arrow:disabled, QDoubleSpinBox::down-arrow:disabled,
QSpinBox::down-arrow:off, QDoubleSpinBox::down-arrow:off {{ image: url({down_off}); }}
QCheckBox::indicator, QRadioButton::indicator {{ width: {button_w - 1}px; height: {button_w - 1}px;
    border: 1px solid {c.border}; border-radius: 3px; background: {c.base}; }}
QRadioButton::indicator {{ border-radius: {(button_w - 1) // 2}px; }}
QCheckBox::indicator:checked, QRadioButton::indicator:checked {{ background: {c.accent};
    border-color: {c.accent}; }}
QCheckBox:disabled, QRadioButton:disabled {{ color: {c.disabled}; }}
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{ border-color: {c.divider};
    background: {c.panel}; }}
QPushButton {{ background: {c.raised}; border: 1px solid {c.border}; border-radius: 5px;
              padding: 5px 12px; color: {c.text}; }}
QPushButton:hover {{ border-color: {c.focus}; background: {c.hover}; }}
QPushButton:pressed, QPushButton:checked {{ background: {c.selected}; }}
QPushButton:disabled {{ color: {c.disabled}; border-color: {c.divider}; background: {c.window}; }}
QSlider::groove:horizontal {{ height: 4px; background: {c.border}; border-radius: 2px; }}
QSlider::handle:horizontal {{ width: {button_w - 2}px; margin: -6px 0; border-radius: {(button_w - 2) // 2}px;
    background: {c.accent}; border: 1px solid {c.base}; }}
QSlider::groove:horizontal:disabled {{ background: {c.divider}; }}
QSlider::handle:horizontal:disabled {{ background: {c.disabled}; }}
QTreeWidget, QTableWidget, QListWidget {{ background: {c.panel}; border: none;
    alternate-background-color: {c.raised}; gridline-color: {c.divider}; }}
QTableWidget {{ background: {c.base}; border: 1px solid {c.divider}; border-radius: 4px; }}
QTreeView::item {{ padding: 3px 2px; border-radius: 4px; }}
QTreeView::item:selected, QListView::item:selected {{ background: {c.selected}; color: {c.text}; }}
QTreeView::item:hover {{ background: {c.hover}; }}
QTreeView::item:disabled {{ color: {c.disabled}; }}
QHeaderView::section {{ background: {c.raised}; border: none; border-right: 1px solid {c.divider};
    border-bottom: 1px solid {c.divider}; padding: 2px 4px; color: {c.muted}; }}
QTableCornerButton::section {{ background: {c.raised}; border: none; }}
QGroupBox {{ border: 1px solid {c.divider}; border-radius: 6px; margin-top: {round(16 * look.text_scale())}px;
            padding: 10px 8px 8px 8px; background: {c.window}; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {c.muted};
                   font-weight: 600; }}
QTabBar::tab {{ color: {c.muted}; }}
QTabBar::tab:selected {{ color: {c.text}; }}
QTabBar::tab:disabled {{ color: {c.disabled}; }}
QTabBar#plot_tabs::tab {{ padding: 3px 7px; border: none; background: transparent;
    border-bottom: 2px solid transparent; }}
QTabBar#plot_tabs::tab:selected {{ border-bottom: 2px solid {c.focus}; }}
QLabel#heading {{ font-size: {pt(13):.1f}pt; font-weight: 600; color: {c.text}; }}
QLabel#muted {{ color: {c.muted}; }}
QLabel#resultCaption {{ color: {c.text}; font-weight: 500; }}
QLabel#error {{ color: {c.error}; }}
QLabel#incomplete {{ color: {c.warning}; font-weight: 600; }}
QLabel#opBadge {{ color: {c.badge_text}; border-radius: 4px; padding: 3px 8px; font-weight: 600; }}
QLabel:disabled {{ color: {c.disabled}; }}
{tones}
QScrollArea {{ border: none; background: {c.panel}; }}
QScrollArea > QWidget > QWidget {{ background: {c.panel}; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {c.border}; border-radius: 3px; min-height: 24px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {c.border}; border-radius: 3px; min-width: 24px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
QMenu {{ background: {c.raised}; border: 1px solid {c.border}; padding: 4px; }}
QMenu::item {{ padding: 5px 28px 5px 12px; border-radius: 4px; }}
QMenu::item:selected {{ background: {c.selected}; color: {c.text}; }}
QMenu::item:disabled {{ color: {c.disabled}; }}
QMenu::separator {{ height: 1px; background: {c.divider}; margin: 4px 6px; }}
QToolTip {{ background: {c.raised}; color: {c.text}; border: 1px solid {c.border}; padding: 5px; }}
QProgressBar {{ border: 1px solid {c.border}; border-radius: 4px; background: {c.base};
    text-align: center; }}
QProgressBar::chunk {{ background: {c.accent}; }}
QFrame#pathRow {{ background: {c.raised}; border: 1px solid {c.divider};
                  border-left: 3px solid {c.divider}; border-radius: 6px; }}
QFrame#pathRow[hovered="true"] {{ background: {c.hover}; border-left: 3px solid {c.path}; }}
QFrame#pathRow:focus {{ border: 2px solid {c.focus}; }}
QLabel#pathIndex {{ color: {c.muted}; font-weight: 600; }}
QLabel#pathRoute {{ color: {c.muted}; }}
#QuickSearch {{ background: {c.search_fill}; border: 1px solid {c.search_border};
    border-radius: 6px; }}
#QuickSearch QLineEdit {{ background: {c.base}; border: 1px solid {c.search_field_border};
    border-radius: 4px; padding: 4px; }}
#QuickSearch QListWidget {{ background: {c.search_fill}; color: {c.node_text}; border: none; }}
#QuickSearch QListWidget::item:selected {{ background: {c.selected}; color: {c.text}; }}
QLabel#canvasBanner {{ background: {colors.rgba_css(c.banner_fill)}; color: {c.banner_text};
    border-bottom: 1px solid {c.node_error}; padding: 0 12px; font-weight: 600; }}
QWidget:disabled {{ color: {c.disabled}; }}
QLabel:disabled, QLabel#muted:disabled, QGroupBox:disabled {{ color: {c.disabled}; }}
QLabel#import_trust {{ border: 1px solid {c.warning}; border-radius: 5px; padding: 8px; }}
QLabel#lesson_reveal {{ border-left: 3px solid {c.accent}; padding: 4px 0 4px 8px; }}
QFrame#predict_box {{ border: 1px solid {c.accent}; border-radius: 6px; }}
"""


def _palette(c: colors.Colors) -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window, QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.base, QPalette.ColorRole.AlternateBase: c.panel,
        QPalette.ColorRole.Text: c.text, QPalette.ColorRole.Button: c.raised,
        QPalette.ColorRole.ButtonText: c.text, QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.on_accent, QPalette.ColorRole.ToolTipBase: c.raised,
        QPalette.ColorRole.ToolTipText: c.text, QPalette.ColorRole.PlaceholderText: c.placeholder,
        QPalette.ColorRole.Light: c.hover, QPalette.ColorRole.Midlight: c.raised,
        QPalette.ColorRole.Dark: c.base, QPalette.ColorRole.Shadow: c.shadow,
        QPalette.ColorRole.Link: c.link, QPalette.ColorRole.LinkVisited: c.link,
        QPalette.ColorRole.Mid: c.border, QPalette.ColorRole.BrightText: c.on_accent,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.disabled))
    return palette


def apply_look(app: QApplication, choice: str | None = None, text_percent: int | None = None,
               reduce_motion: bool | None = None) -> look.Look:
    """Change the look (any of theme, text size, reduce motion), live, everywhere."""
    state = look.current()
    if state.base_font is None:               # the desktop's font, before the app sets one
        state.base_font = QFont(app.font())
    if choice is not None:
        if choice not in look.THEME_CHOICES:
            raise ValueError(f"theme must be one of {', '.join(look.THEME_CHOICES)}")
        state.choice = choice
    if text_percent is not None:
        state.text_percent = int(text_percent)
    if reduce_motion is not None:
        state.reduce_motion = bool(reduce_motion)
    state.theme = look.resolve(state.choice)
    colors.set_active(state.theme)
    look.run_listeners()
    c = colors.active()
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(_palette(c))
    app.setFont(ui_font())
    app.setStyleSheet(style_sheet(c) + focus_style_sheet(c))   # rings: gui/theme/focus.py
    _refont_widgets(app)
    _follow_the_desktop(app)
    look.signals().changed.emit()
    return state


def _follow_the_desktop(app) -> None:
    """Once: a change of the desktop's colour scheme re-applies a theme that follows it."""
    if app.property("backprop_studio_follows_scheme"):
        return
    app.setProperty("backprop_studio_follows_scheme", True)

    def scheme_changed(*_args) -> None:
        if look.current().choice == "system":
            apply_look(app)
    app.styleHints().colorSchemeChanged.connect(scheme_changed)


def apply_theme(app: QApplication, choice: str = "system") -> None:
    """The look at start-up (``apply_look`` with the theme ``choice``)."""
    apply_look(app, choice)


def app_icon():
    from PySide6.QtGui import QIcon
    path = ICON_DIR / "app.svg"
    icon = QIcon(str(path)) if path.exists() else QIcon()
    return icon if not icon.isNull() else make_icon("layout")

"""One colour table per theme, below everything that draws (gui/theme/colors.py): every role
is a colour Qt reads, every op category has one, and no other module writes a colour of its
own — a new theme is one new table."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from engine.ops import CATEGORIES
from gui.theme import colors

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "gui" / "theme" / "colors.py"
LITERAL = re.compile(r"""#[0-9a-fA-F]{6}\b|QColor\(\s*\d|rgba?\(\s*\d|mkBrush\(\s*\d|mkPen\(\s*\d"""
                     r"""|GlobalColor\.(?!transparent)|Qt\.(white|black|red|green|blue|gray)\b"""
                     r"""|color:\s*(white|black|gray|grey|red)\b""")


def colour_literals(text: str) -> list[str]:
    return [m.group(0) for m in LITERAL.finditer(text)]


@pytest.mark.parametrize("theme", colors.THEMES.values(), ids=lambda t: t.name)
def test_every_role_is_a_colour(theme):
    for role in colors.role_names():
        value = getattr(theme, role)
        for colour in (value.values() if isinstance(value, dict) else
                       value if isinstance(value, tuple) else (value,)):
            assert QColor(colour).isValid(), (theme.name, role, colour)
    assert set(CATEGORIES) <= set(theme.categories)
    assert len(theme.classes) >= 4 and len(theme.plot_pens) >= 4


def test_no_module_writes_a_colour_of_its_own():
    found = {str(p.relative_to(ROOT)): colour_literals(p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "gui").rglob("*.py")) if p != TABLE}
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_the_check_sees_a_colour_literal():
    assert colour_literals('pen = QColor("#ff0000"); QColor(255, 0, 0); "color: white;"') == \
        ["#ff0000", "QColor(2", "color: white"]
    assert colour_literals("QColor(theme.C.text)") == []

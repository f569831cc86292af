"""The op palette: every op the engine registers, grouped by category, plus the templates.

Built from `engine.ops.OPS` / `CATEGORIES` at construction, so a newly registered op appears
without touching this file. Entries drag onto the canvas with the canvas's own mime format
(`gui.canvas.mime`); a double-click (or Enter in the search field) asks to add the entry at
the centre of the view through the `entry_activated(kind, name)` signal.
"""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QLineEdit, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QToolButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from engine import ops as engine_ops
from gui import theme
from gui.model import templates
from gui.canvas import mime

KIND_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
TEMPLATES_CATEGORY = "Templates"
ROW_HEIGHT = 20     # compact rows: most entries fit a 1400×900 window; the rest scroll
LINE_HEIGHT = 16    # each extra line of a two-line template label


def op_label(op) -> str:
    """The op's human label (`Op.label` when the engine provides one, else its name)."""
    return getattr(op, "label", None) or op.name.replace("_", " ")


def split_label(label: str) -> str:
    """`Neuron (w·x + b → tanh)` → `Neuron` over `w·x + b → tanh`: a narrow palette, nothing cut."""
    name, sep, rest = label.partition(" (")
    return f"{name}\n{rest[:-1] if rest.endswith(')') else rest}" if sep and rest else label


def palette_mime_data(kind: str, name: str) -> QMimeData:
    """What a palette drag carries: the canvas's op mime with `kind:name`."""
    return mime.mime_data(kind, name)


def _template_tooltip(label: str, fragment) -> str:
    doc = ""
    if isinstance(fragment, dict):
        doc = fragment.get("doc") or fragment.get("description") or ""
        ops = [n.get("op", "?") for n in fragment.get("nodes", []) if isinstance(n, dict)]
        if ops:
            doc = (doc + "\n\n" if doc else "") + "Nodes: " + ", ".join(ops)
    return f"<b>{label}</b><br>{doc}".replace("\n", "<br>")


class RowDelegate(QStyledItemDelegate):
    """Even rows (the styled default measures some rows by their icon, some by text)."""

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        lines = (index.data() or "").count("\n")
        return QSize(hint.width(), ROW_HEIGHT + LINE_HEIGHT * lines)

    def paint(self, painter, option, index) -> None:
        """A two-line label: the name, and under it in muted text what the template computes."""
        text = index.data() or ""
        if "\n" not in text:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        rect = rect.adjusted(2, 2, 0, -2)
        first, second = text.split("\n", 1)
        half = rect.height() // 2
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(QColor(theme.TEXT))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect.adjusted(0, 0, 0, -half), align, first)
        small = QFont(opt.font)
        small.setPointSizeF(opt.font.pointSizeF() * 0.9)
        painter.setFont(small)
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(rect.adjusted(0, rect.height() - half, 0, 0), align, second)
        painter.restore()


class PaletteTree(QTreeWidget):
    """The tree of entries; drags carry `palette_mime_data`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setIndentation(12)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(False)     # a template's label takes two lines
        self.setItemDelegate(RowDelegate(self))
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAnimated(False)   # animated expansion lays rows out lazily, at uneven heights
        self.setIconSize(QSize(40, 20))

    def mimeTypes(self) -> list[str]:
        return [mime.OP_MIME]

    def mimeData(self, items) -> QMimeData:
        entries = [i for i in items if i.data(0, KIND_ROLE)]
        if not entries:
            return QMimeData()
        item = entries[0]
        return palette_mime_data(item.data(0, KIND_ROLE), item.data(0, NAME_ROLE))


class PaletteWidget(QWidget):
    """Search field over the entry tree."""

    entry_activated = Signal(str, str)   # kind ("op" / "template"), name

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search ops…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Filter by name, symbol or description. Enter adds the first match.")
        self.search.setAccessibleName("Search ops")
        for button in self.search.findChildren(QToolButton):       # the clear button
            button.setAccessibleName("Clear the search")
        self.tree = PaletteTree()
        self.tree.setAccessibleName("Ops and templates: Enter adds one to the canvas")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._categories: dict[str, QTreeWidgetItem] = {}
        self.populate()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._activate_first)
        self.tree.itemActivated.connect(self._activate)

    # -- building ---------------------------------------------------------------------------
    def _category_item(self, name: str) -> QTreeWidgetItem:
        if name not in self._categories:
            item = QTreeWidgetItem([name])    # sized before it joins the tree (heights are cached)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = theme.ui_font(9.5, bold=True)
            item.setFont(0, font)
            item.setForeground(0, theme.QColor(theme.MUTED))
            self.tree.addTopLevelItem(item)
            self._categories[name] = item
        return self._categories[name]

    def _add_entry(self, category: str, kind: str, name: str, label: str, symbol: str,
                   tooltip: str, search_text: str, colour: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label])
        item.setIcon(0, theme.symbol_icon(symbol, colour))
        item.setToolTip(0, tooltip)
        item.setData(0, KIND_ROLE, kind)
        item.setData(0, NAME_ROLE, name)
        item.setData(0, SEARCH_ROLE, search_text.lower())
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsDragEnabled)
        self._category_item(category).addChild(item)
        return item

    def populate(self) -> None:
        """(Re)build from the engine's registry and the templates."""
        self.tree.clear()
        self._categories.clear()
        categories = list(getattr(engine_ops, "CATEGORIES", []))
        for category in categories:
            self._category_item(category)
        for name, op in engine_ops.OPS.items():
            category = getattr(op, "category", "") or "Other"
            label = op_label(op)
            symbol = getattr(op, "symbol", "") or name
            doc = getattr(op, "doc", "") or ""
            ports = ", ".join(getattr(op, "port_names", ()) or ())
            tooltip = (f"<b>{label}</b> <span style='color:{theme.MUTED}'>({name}"
                       f"{'; inputs: ' + ports if ports else ''})</span><br>{doc}")
            self._add_entry(category, "op", name, label, symbol, tooltip,
                            " ".join((name, label, symbol, category, doc)),
                            theme.category_colour(op))
        for label, fragment in getattr(templates, "TEMPLATES", {}).items():
            self._add_entry(TEMPLATES_CATEGORY, "template", label, split_label(label), "▦",
                            _template_tooltip(label, fragment), f"{label} template",
                            theme.TEMPLATE_COLOUR)
        for category, item in list(self._categories.items()):
            if item.childCount() == 0:       # a category the engine has no ops for (yet)
                self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
                del self._categories[category]
        self.tree.expandAll()

    def preferred_width(self) -> int:
        """Wide enough for every entry's icon and label (and a scroll bar), in pixels."""
        tree = self.tree
        widest = 0
        for i in range(tree.topLevelItemCount()):
            category = tree.topLevelItem(i)
            widest = max(widest, QFontMetrics(category.font(0)).horizontalAdvance(category.text(0)))
            metrics = QFontMetrics(tree.font())
            for j in range(category.childCount()):
                lines = category.child(j).text(0).split("\n")
                text = max(metrics.horizontalAdvance(line) for line in lines)
                widest = max(widest, tree.indentation() + tree.iconSize().width() + 8 + text)
        margins = self.layout().contentsMargins()
        return widest + tree.indentation() + 28 + margins.left() + margins.right()

    # -- queries and filtering --------------------------------------------------------------
    def entries(self, visible_only: bool = False) -> list[tuple[str, str]]:
        """(kind, name) of every entry, in display order."""
        result = []
        for category in self._categories.values():
            for i in range(category.childCount()):
                child = category.child(i)
                if visible_only and (child.isHidden() or category.isHidden()):
                    continue
                result.append((child.data(0, KIND_ROLE), child.data(0, NAME_ROLE)))
        return result

    def entry_item(self, kind: str, name: str) -> QTreeWidgetItem | None:
        for category in self._categories.values():
            for i in range(category.childCount()):
                child = category.child(i)
                if child.data(0, KIND_ROLE) == kind and child.data(0, NAME_ROLE) == name:
                    return child
        return None

    def filter(self, text: str) -> None:
        """Show entries whose name, label, symbol, category or doc contain every word."""
        words = text.lower().split()
        for category in self._categories.values():
            shown = 0
            for i in range(category.childCount()):
                child = category.child(i)
                haystack = child.data(0, SEARCH_ROLE) or ""
                match = all(w in haystack for w in words)
                child.setHidden(not match)
                shown += match
            category.setHidden(shown == 0)
        self.tree.expandAll()
        visible = self.entries(visible_only=True)
        if words and visible:
            self.tree.setCurrentItem(self.entry_item(*visible[0]))

    def _activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self.entry_activated.emit(kind, item.data(0, NAME_ROLE))

    def _activate_first(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.isHidden() or not item.data(0, KIND_ROLE):
            visible = self.entries(visible_only=True)
            item = self.entry_item(*visible[0]) if visible else None
        if item is not None:
            self._activate(item)

"""What the inspector shows when no single node is selected: the loss and, for every leaf
(input, constant, parameter), its value and its gradient — the answer backprop gives.

Clicking a row asks for that node to be selected (`node_clicked`). The numbers are those of
the record the canvas shows (``records``): in a replay, the step shown ("not computed yet",
"not yet", or "?" for a hidden number), never the final pass. In a narrow dock the table gives
way by priority (``LEVELS``), never by cutting a column down to "…": first the headers
shorten, then a tensor's ``‖·‖ = 8.929`` becomes ``‖8.929‖``, then numbers keep three digits,
then the shape column goes (its text stays in the tooltips); only then does the node column
elide, in the middle.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from gui import theme
from gui.theme import look
from gui.display import GRAD_NOT_YET, HIDDEN, NOT_YET, current_record
from gui.model import files
from gui.formatting import describe, fmt_number, grad_symbol, norm, norm_text
from gui.model.node_status import attention_summary

MAX_ROWS = 40
NODE_COLUMN_MIN = 40      # pixels the node column keeps in a narrow dock
CELL_PADDING = 12         # pixels beside a cell's text
# what gives way first: (tensor norm written "‖·‖ = x" or "‖x‖", digits, shape column shown,
# short headers)
LEVELS = ((True, 4, True, False), (True, 4, True, True), (False, 4, True, True),
          (False, 3, True, True), (False, 3, False, True))
SHORT_HEADERS = ("node", "shape", "value", "gradient")


def shape_cell(array) -> str:
    """The shape column: ``scalar`` for one number, else numpy's own ``(16,)``, ``(4, 2)``."""
    if array is None:
        return "—"
    shape = np.shape(array)
    return "scalar" if shape == () else str(tuple(shape))


def short(array, note: str = "", spelled: bool = True, digits: int = 4) -> str:
    """A value or gradient cell: the number for a scalar, the norm ``‖·‖ = 0.2204`` for a
    tensor (its shape has a column of its own; not ``spelled``: ``‖0.2204‖``); with no array
    "?" (hidden), "not yet" (a replay has not reached it) or "—" (the cell's tooltip says
    why)."""
    if array is None:
        return {HIDDEN: HIDDEN, NOT_YET: "not yet", GRAD_NOT_YET: "not yet"}.get(note, "—")
    a = np.asarray(array, dtype=float)
    if a.size == 1:
        return describe(a, digits=6 if digits >= 4 else digits + 1)
    return norm_text(a, digits) if spelled else f"‖{fmt_number(norm(a), digits)}‖"


def cell_tooltip(label: str, array, note: str = "") -> str:
    """The full story of one cell: the exact number, or shape, range and norm of a tensor."""
    if note == HIDDEN:
        return f"{label} = {HIDDEN} (hidden: predict it, then step on to see it)"
    if array is None:
        return f"{label}: {note or 'not computed'}"
    a = np.asarray(array, dtype=float)
    if a.size == 1:
        return f"{label} = {float(a.reshape(()))!r}"
    return f"{label}: {describe(a, digits=6, with_shape=True)}, norm {norm_text(a, 6)}"


def sample_rows_note(model) -> str:
    """For a graph that trains on a data set: the loss above is on the rows the document's
    own input nodes hold, not the training set's (the Training panel shows that one)."""
    data = model.training_sections()[0]
    if not data:
        return ""
    names = [n for n in (data.get("features"), data.get("targets"))
             if isinstance(n, str) and n in model.node_ids()]
    rows = {np.shape(model.values[n])[0] for n in names
            if n in model.values and np.ndim(model.values[n]) >= 1}
    held = f"the {rows.pop()} rows in " if len(rows) == 1 else ""
    where = " and ".join(names) or "the input nodes"
    return (f"This loss is on {held}{where}; the Training panel shows the loss on the "
            "training data.")


class GraphOverview(QWidget):
    node_clicked = Signal(str)
    example_requested = Signal(str)   # path of an example to open (links on an empty graph)

    def __init__(self, model, records=None, parent=None):
        super().__init__(parent)
        self.model = model
        self.records = records      # what the canvas shows (the scene), None: the model
        self._numbers_shown = None
        self.loss_label = QLabel(objectName="heading", wordWrap=True)
        self.status_label = QLabel(objectName="muted", wordWrap=True)
        self.description_label = QLabel(objectName="muted", wordWrap=True)   # the file's own
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.try_label = QLabel(objectName="try_lines", wordWrap=True,     # "what to try"
                                textFormat=Qt.TextFormat.RichText)
        self.try_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption = QLabel("Leaves: values and gradients", objectName="muted", wordWrap=True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["node", "shape", "value", "gradient"])
        self.table.setAccessibleName("Leaves: values and gradients")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        theme.set_font(self.table, 8.5)
        self.table.verticalHeader().setDefaultSectionSize(round(22 * look.text_scale()))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)   # sized once per refresh
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(30)
        header.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # "∂mul…ode", never cut off
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # a long node id
        self.leaves: list = []
        self.headers = ["node", "shape", "value", "∂L/∂node"]
        self.level = None
        self.table.cellClicked.connect(self._clicked)
        self.table.viewport().installEventFilter(self)      # its width decides the level
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.examples = self._example_links()
        for widget in (self.loss_label, self.status_label, self.caption, self.table,
                       self.description_label, self.try_label, self.examples):
            layout.addWidget(widget)
        self.refresh()

    def _example_links(self) -> QWidget:
        """"Start from an example:" and one link per example, each with its one-line
        summary as a tooltip."""
        box = QWidget(objectName="example_links")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        paths = files.example_files()
        if paths:
            column.addWidget(QLabel("Start from an example:", objectName="muted"))
        self._links = []
        for path in paths:
            link = QLabel(self._link_html(path), textFormat=Qt.TextFormat.RichText)
            self._links.append((link, path))
            link.setToolTip(files.example_summary(path))
            link.linkActivated.connect(self.example_requested)
            column.addWidget(link)
        box.has_links = bool(paths)
        return box

    @staticmethod
    def _link_html(path) -> str:
        """An example's link, in the theme's link colour (re-made on a switch of theme)."""
        return (f'<a style="color: {theme.C.link}; text-decoration: none" '
                f'href="{html.escape(str(path))}">{html.escape(files.example_title(path))}</a>')

    def example_link(self, title: str) -> QLabel | None:
        """The link of the example titled ``title`` (tests)."""
        return next((label for label in self.examples.findChildren(QLabel)
                     if f">{html.escape(title)}</a>" in label.text()), None)

    def restyle(self) -> None:
        """A change of theme or text size: links, row heights and cell colours again."""
        self.table.verticalHeader().setDefaultSectionSize(round(22 * look.text_scale()))
        for link, path in self._links:
            link.setText(self._link_html(path))
        self.refresh()

    def refresh_numbers(self) -> None:
        """The canvas shows another record: refresh when the loss or a leaf shows another
        number (a replay's animation frames mostly do not)."""
        if self._state(current_record(self.records, self.model)) != self._numbers_shown:
            self.refresh()

    def _state(self, record) -> tuple:
        """What the overview's numbers depend on (display objects compare by identity)."""
        ids = self.model.node_ids()
        return (record.caption, record.loss, self.model.loss_id, self.model.status, len(ids),
                tuple(record.node(n) for n in ids[:4 * MAX_ROWS]))

    def refresh(self) -> None:
        model = self.model
        record = current_record(self.records, model)
        ids = model.node_ids()
        self._numbers_shown = self._state(record)
        loss = model.loss_id
        shown_loss = record.node(loss) if loss else None
        name = ("Loss" if loss.lower() == "loss" else f"Loss {loss}") if loss else ""
        if shown_loss is not None and shown_loss.value is not None:
            self.loss_label.setText(f"{name} = {describe(shown_loss.value, digits=6)}")
        elif shown_loss is not None and not record.live and shown_loss.value_note:
            self.loss_label.setText(f"{name} = {HIDDEN}" if shown_loss.value_hidden
                                    else f"{name}: {shown_loss.value_note}")
        elif ids:
            self.loss_label.setText("No loss yet")
        else:
            self.loss_label.setText("Empty graph")
        edges = model.edge_count()
        lines = [f"{len(ids)} node{'s' * (len(ids) != 1)}, {edges} edge{'s' * (edges != 1)}"]
        if not record.live and record.caption:
            lines.append(f"Replaying the last pass: {record.caption}")
        rows = sample_rows_note(model)
        if rows and loss and loss in model.values:
            lines.append(rows)
        if model.status:
            lines.append(model.status)
        attention = attention_summary(model)
        if attention:
            lines.append(attention)
        self.status_label.setText("\n".join(lines))
        description = model.description()
        tries = model.try_lines()
        if any(n.value_hidden or n.grad_hidden for n in record.nodes.values()):
            # predict mode asks a number: the example's own prose may quote it
            description = "The example's description is hidden while you predict." \
                if description or tries else ""
            tries = []
        self.description_label.setText(description)
        self.description_label.setVisible(bool(description))
        self.try_label.setText(
            f'<p style="margin: 0 0 2px 0"><b>Try:</b></p><ul style="margin: 0; '
            f'-qt-list-indent: 1">{"".join(f"<li>{html.escape(t)}</li>" for t in tries)}</ul>'
            if tries else "")
        self.try_label.setVisible(bool(tries))
        self.examples.setVisible(not ids and self.examples.has_links)
        all_leaves = [n for n in ids if model.op(n).is_leaf]
        leaves = all_leaves[:MAX_ROWS]
        more = len(all_leaves) - len(leaves)

        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(leaves))
        grad_header = grad_symbol(loss, "node")
        self.table.setHorizontalHeaderLabels(["node", "shape", "value", grad_header])
        self.level = None
        tips = ("The leaf's id (click a row to select it)",
                "The shape of its value: scalar (one number), (16,) a vector of 16, (4, 2) a "
                "matrix of 4 rows and 2 columns",
                "The value: the number itself, or for a tensor its norm ‖·‖ (hover a cell for "
                "its range)",
                f"The gradient {grad_header}: the number, or for a tensor its norm ‖·‖ (select "
                "the node for the heatmap)")
        for col, tip in enumerate(tips):
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        self.leaves = []
        for row, node_id in enumerate(leaves):
            shown = record.node(node_id)
            value, grad = shown.value, shown.grad
            grad_note = shown.grad_note or ("" if record.live else GRAD_NOT_YET)
            # a hidden value keeps its shape cell: the shape is the question, not the answer
            known = model.values.get(node_id) if shown.value_hidden else value
            shape = shape_cell(known if known is not None else model.node(node_id).value)
            self.leaves.append((node_id, shape, value, grad, shown.value_note, grad_note))
            cell_tips = (f"Select {node_id}", cell_tooltip(node_id, value, shown.value_note),
                         cell_tooltip(node_id, value, shown.value_note),
                         cell_tooltip(grad_symbol(loss, node_id), grad, grad_note))
            colours = (theme.TEXT, theme.MUTED, theme.VALUE, theme.GRAD)
            for col, colour in enumerate(colours):
                item = QTableWidgetItem()
                item.setToolTip(cell_tips[col])
                item.setForeground(QColor(colour))
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        self.headers = ["node", "shape", "value", grad_header]
        self.level = None
        self.fit_columns()
        self.table.setUpdatesEnabled(True)
        any_tensor = any(np.size(model.values.get(n, 0)) > 1 for n in leaves)
        self.caption.setText("Leaves: values and gradients"
                             + (f" (first {MAX_ROWS} of {len(all_leaves)})" if more else "")
                             + ("\nTensors: ‖·‖ is the norm (hover a cell for the range)"
                                if any_tensor else ""))
        self.caption.setVisible(bool(leaves))
        self.table.setVisible(bool(leaves))
        rows = min(len(leaves), 16)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + 22 * rows + 2 * self.table.frameWidth() + 2)

    def texts(self, level) -> list[tuple[str, str, str, str]]:
        """The cells' texts at one level of ``LEVELS``."""
        spelled, digits, _shape, _short = level
        return [(node_id, shape, short(value, value_note, spelled, digits),
                 short(grad, grad_note, spelled, digits))
                for node_id, shape, value, grad, value_note, grad_note in self.leaves]

    def widths(self, level) -> list[int]:
        """The widths the shape, value and gradient columns want at ``level`` (0: hidden)."""
        metrics = self.table.fontMetrics()
        header_metrics = self.table.horizontalHeader().fontMetrics()
        headers = SHORT_HEADERS if level[3] else self.headers
        rows = self.texts(level)
        wanted = []
        for column in (1, 2, 3):
            if column == 1 and not level[2]:
                wanted.append(0)
                continue
            cells = [metrics.horizontalAdvance(row[column]) for row in rows]
            wanted.append(max([header_metrics.horizontalAdvance(headers[column]), *cells])
                          + CELL_PADDING)
        return wanted

    def first_level_fitting(self, room: int):
        """``(level, widths)`` of the first level of ``LEVELS`` whose columns fit ``room``."""
        for level in LEVELS:
            widths = self.widths(level)
            if sum(widths) <= room:
                return level, widths
        return None

    def fit_columns(self) -> None:
        """Shape, value and gradient as wide as their cells and headers; in a narrow dock the
        table gives way by ``LEVELS``, the node column last (elided in the middle): no
        scroll bar, and no column cut down to "…"."""
        table = self.table
        viewport = table.viewport().width()
        ids = max((table.fontMetrics().horizontalAdvance(leaf[0]) for leaf in self.leaves),
                  default=0) + CELL_PADDING
        fitted = None
        for node_room in dict.fromkeys((max(ids, NODE_COLUMN_MIN), NODE_COLUMN_MIN)):
            room = viewport - node_room      # whole ids first: they elide only at the last
            fitted = self.first_level_fitting(room)
            if fitted is not None:
                break
        if fitted is not None:
            level, wanted = fitted
        else:
            level, wanted = LEVELS[-1], self.widths(LEVELS[-1])
            if sum(wanted) > room > 0:             # the last resort: all in proportion
                wanted = [w * room // sum(wanted) for w in wanted]
        if level != self.level:
            self.level = level
            headers = SHORT_HEADERS if level[3] else self.headers
            for column, text in enumerate(headers):
                table.horizontalHeaderItem(column).setText(text)
            for row, cells in enumerate(self.texts(level)):
                for column, text in enumerate(cells):
                    table.item(row, column).setText(text)
        table.setColumnHidden(1, not level[2])
        for column, width in zip((1, 2, 3), wanted):
            if width:
                table.setColumnWidth(column, width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize and obj is self.table.viewport():
            self.fit_columns()
        return super().eventFilter(obj, event)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(node, shape, value, gradient) as shown."""
        return [tuple(self.table.item(r, c).text() for c in range(4))
                for r in range(self.table.rowCount())]

    def _clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.node_clicked.emit(item.text())

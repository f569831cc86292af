"""The chain-rule panel: every path from the selected node to the loss, as the seeds write it.

Select a node and the panel lists each path to the loss as the product of its local
derivatives, with numbers (``∂y/∂x = ∂y/∂u · ∂u/∂sq · ∂sq/∂x = 31.6875 · 1 · 3 = 95.0625``),
and the total as the sum over paths. Beside it stand the engine's gradient and a central-
difference check of that node (run through the engine on a worker thread), and the node's
gradient-health badges. Hovering a path picks it out on the canvas (``GraphScene.show_path``);
leaving restores the view. Everything comes from GraphModel (``paths_to_loss``,
``gradient_check_task``, ``gradient_health``): the panel only writes text.

During a replay the panel follows the step the canvas shows (the scene's record): the paths of
a node appear once its gradient is complete at that step; before, it says the gradient has
not arrived (or how much has), and a hidden gradient (predict mode) is never given away.
"""
from __future__ import annotations

import time
from collections import Counter

import numpy as np
from PySide6.QtCore import QObject, QRectF, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QScrollArea,
                               QVBoxLayout, QWidget)
from shiboken6 import isValid

from gui import theme
from gui.accessibility import plain
from gui.canvas import style
from gui.display import HIDDEN
from gui.formatting import fmt_number, grad_symbol, norm, short_summary
from gui.panels.chain_text import array_text, equation_html, esc, route_text, sum_html
from gui.theme.focus import focus_ring

ROW_STYLE = f"""
QFrame#pathRow {{ background: {theme.RAISED}; border: 1px solid {theme.BORDER};
                  border-left: 3px solid {theme.BORDER}; border-radius: 6px; }}
QFrame#pathRow[hovered="true"] {{ background: {theme.HOVER}; border-left: 3px solid
                  {style.PATH.name()}; }}
QLabel#pathIndex {{ color: {theme.MUTED}; font-weight: 600; }}
QLabel#pathRoute {{ color: {theme.MUTED}; }}
"""
REFRESH_MS = 50
POSITIVE, NEGATIVE = QColor(theme.GRAD), QColor(theme.C.contribution_negative)   # orange / blue: colour-blind safe


class _CheckDone(QObject):
    finished = Signal(int, object, str)    # generation, NodeCheck or None, error text


class _CheckRunner(QRunnable):
    """Runs one finite-difference check off the GUI thread."""

    def __init__(self, task, generation: int, done: _CheckDone):
        super().__init__()
        self.task, self.generation, self.done = task, generation, done

    def run(self) -> None:
        try:
            result, error = self.task(), ""
        except Exception as exc:  # noqa: BLE001 - shown as one line, never a traceback
            result, error = None, f"{type(exc).__name__}: {exc}"
        if isValid(self.done):
            self.done.finished.emit(self.generation, result, error)


class ShareBar(QWidget):
    """A thin bar: this path's |contribution| against the largest, orange + / blue −."""

    def __init__(self, fraction: float, positive: bool, parent=None):
        super().__init__(parent)
        self.fraction, self.positive = fraction, positive
        self.setFixedHeight(4)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(theme.BORDER))
        painter.drawRoundedRect(QRectF(self.rect()), 2, 2)
        painter.setBrush(POSITIVE if self.positive else NEGATIVE)
        width = max(2.0, self.width() * min(1.0, self.fraction))
        painter.drawRoundedRect(QRectF(0, 0, width, self.height()), 2, 2)


class PathRow(QFrame):
    """One path: its route, its product of local derivatives, its share of the total.
    Hovering it picks the path out on the canvas."""

    def __init__(self, panel, index: int, path, route: str, equation: str, share: float):
        super().__init__()
        self.panel, self.index, self.path = panel, index, path
        self.setObjectName("pathRow")
        self.setProperty("hovered", False)
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(3)
        layout.addWidget(QLabel(f"{index}", objectName="pathIndex"), 0, 0)
        self.route = QLabel(route, objectName="pathRoute", wordWrap=True)
        layout.addWidget(self.route, 0, 1)
        value = np.asarray(path.contribution, dtype=float)
        self.share = QLabel(f"{share:.0%}" if np.isfinite(share) else "")
        self.share.setObjectName("pathIndex")
        layout.addWidget(self.share, 0, 2, Qt.AlignRight)
        self.equation = QLabel(equation, wordWrap=True)
        self.equation.setTextFormat(Qt.RichText)
        self.equation.setFont(theme.ui_font(10.5))
        layout.addWidget(self.equation, 1, 0, 1, 3)
        positive = bool(np.sum(value) >= 0)
        layout.addWidget(ShareBar(share if np.isfinite(share) else 0.0, positive), 2, 0, 1, 3)
        layout.setColumnStretch(1, 1)
        # Tab reaches each path; a screen reader reads it whole (issue 19)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAccessibleName(f"Path {index}: {plain(route)}. {plain(equation)}"
                               + (f", {share:.0%} of the gradient" if np.isfinite(share)
                                  else ""))

    def focusInEvent(self, event) -> None:      # the keyboard picks the path out, as hovering
        self.panel.hover_path(self)
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.panel.unhover_path(self)
        super().focusOutEvent(event)

    def set_hovered(self, on: bool) -> None:
        if bool(self.property("hovered")) != on:
            self.setProperty("hovered", on)
            self.style().unpolish(self)
            self.style().polish(self)
            self.update()

    def enterEvent(self, event) -> None:
        self.panel.hover_path(self)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self.panel.unhover_path(self)
        super().leaveEvent(event)


class ChainRulePanel(QWidget):
    """Follows the canvas's selection and the model's re-runs; hovering a path row picks the
    path out on the canvas's scene."""

    def __init__(self, model, canvas, parent=None):
        super().__init__(parent)
        self.model, self.scene = model, canvas.graph_scene
        self.node_id: str | None = None
        self.step_note = ""               # why a replay's step shows no paths yet ("": it does)
        self.report = None
        self.check = None                 # the NodeCheck shown, or None
        self.check_error = ""
        self.rows: list[PathRow] = []
        self.hovered: PathRow | None = None
        self._generation = 0
        self._check_running = False
        self._check_pending = False
        self._pool = QThreadPool(self)    # created before _done: deleted (and waited) first
        self._pool.setMaxThreadCount(1)
        self._done = _CheckDone(self)
        self._done.finished.connect(self._on_check)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.setStyleSheet(ROW_STYLE + focus_ring("QFrame#pathRow"))
        self._build()
        model.results_changed.connect(self.schedule_refresh)
        model.node_renamed.connect(self._on_renamed)
        model.node_removed.connect(self._on_removed)
        model.graph_reset.connect(lambda: self.set_selection([]))
        canvas.selection_changed.connect(self.set_selection)
        self.scene.record_shown.connect(self._follow_record)
        self.refresh()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 8)
        outer.setSpacing(12)
        left = QVBoxLayout()
        left.setSpacing(6)
        head = QHBoxLayout()
        self.title = QLabel(objectName="heading")
        self.title.setTextFormat(Qt.RichText)
        self.subtitle = QLabel(objectName="muted")
        head.addWidget(self.title)
        head.addWidget(self.subtitle, 1)
        left.addLayout(head)
        self.health_label = QLabel(wordWrap=True)   # gradient health, one line per badge
        self.health_label.setTextFormat(Qt.RichText)
        left.addWidget(self.health_label)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(6)
        self.rows_box.setContentsMargins(0, 0, 4, 0)
        rows_page = QWidget()
        rows_page.setLayout(self.rows_box)
        self.scroll = QScrollArea()
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # it only frames the rows
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(rows_page)
        left.addWidget(self.scroll, 1)
        outer.addLayout(left, 5)

        right = QVBoxLayout()
        right.setSpacing(8)
        totals = QGroupBox("Sum over paths")
        grid = QGridLayout(totals)
        grid.setHorizontalSpacing(12)
        self.sum_label = QLabel(wordWrap=True)
        self.sum_label.setTextFormat(Qt.RichText)
        self.sum_label.setFont(theme.ui_font(10.5))
        grid.addWidget(self.sum_label, 0, 0, 1, 3)
        # caption | value | Δ (how far the sum over paths / the numeric check is from the engine)
        self.engine_value, self.check_value = QLabel(), QLabel()
        self.sum_diff, self.check_diff = QLabel(), QLabel()
        rows = (("Engine (backward pass)", self.engine_value, self.sum_diff),
                ("Central differences", self.check_value, self.check_diff))
        for row, (caption, value, diff) in enumerate(rows, 1):
            grid.addWidget(QLabel(caption, objectName="muted", wordWrap=True), row, 0,
                           Qt.AlignTop)
            value.setWordWrap(True)       # a narrow dock wraps rather than clips
            diff.setWordWrap(True)
            value.setFont(theme.mono_font(10))
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            grid.addWidget(value, row, 1, Qt.AlignTop)
            diff.setTextFormat(Qt.RichText)
            diff.setToolTip("Δ: the largest |difference| from the engine's gradient")
            grid.addWidget(diff, row, 2, Qt.AlignTop | Qt.AlignRight)
        self.check_note = QLabel(objectName="muted", wordWrap=True)
        grid.addWidget(self.check_note, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        right.addWidget(totals)
        right.addStretch(1)
        page = QWidget()
        page.setLayout(right)
        self.right = QScrollArea()        # a short dock scrolls instead of growing the window
        self.right.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.right.setWidgetResizable(True)
        self.right.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.right.setWidget(page)
        outer.addWidget(self.right, 4)

    # -- following the canvas and the model ---------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(600, 250)     # the width comes from the canvas above it

    def set_selection(self, node_ids) -> None:
        node_ids = [n for n in node_ids if self.model.has_node(n)]
        new = node_ids[0] if len(node_ids) == 1 else None
        if new != self.node_id:
            self.node_id = new
            self.refresh()

    def schedule_refresh(self) -> None:
        """After a re-run: at most one refresh per REFRESH_MS, or per four times what the
        last refresh took (training re-runs often)."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_renamed(self, old: str, new: str) -> None:
        if self.node_id == old:
            self.node_id = new
            self.schedule_refresh()

    def _on_removed(self, node_id: str) -> None:
        if self.node_id == node_id:
            self.set_selection([])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.schedule_refresh()

    def refresh(self) -> None:
        """Recompute the paths and start the finite-difference check (hidden: nothing)."""
        started = time.perf_counter()
        self._refresh_timer.stop()
        node, model = self.node_id, self.model
        self.report, self.check, self.check_error = None, None, ""
        self._generation += 1
        self.step_note = self._step_note()
        if node is not None and model.has_node(node) and self.isVisible() \
                and not self.step_note:
            self.report = model.paths_to_loss(node)
            self._start_check()
        self._show()
        # a big graph re-running fast (training) must not spend the GUI thread here
        spent_ms = (time.perf_counter() - started) * 1000
        self._refresh_timer.setInterval(max(REFRESH_MS, int(4 * spent_ms)))

    def _follow_record(self) -> None:
        """The canvas shows another record (a replay's step): refresh when what the panel
        may show of the selected node changes."""
        if self.node_id is not None and self._step_note() != self.step_note:
            self.refresh()

    def _step_note(self) -> str:
        """During a replay, why the selected node's paths are not shown at the step shown:
        its gradient has not arrived, is partly summed, or is hidden ("" when complete)."""
        record, node, model = self.scene.record, self.node_id, self.model
        trace = model.trace
        if record.live or node is None or not model.has_node(node) or trace is None \
                or node not in model.grads:
            return ""
        shown = record.node(node)
        name = grad_symbol(model.loss_id, node)
        step = record.caption.split(" · ")[0] or "this step"
        out = [(s.source, s.target, s.port) for s in trace.backward_steps if s.source == node]
        if shown.grad_hidden or any(record.edge(k).hidden for k in out):
            return f"At {step}, {name} is {HIDDEN}: predict it first."
        arrived = sum(record.edge(k).contribution is not None for k in out)
        if shown.grad is None or (out and not arrived):
            return (f"At {step} the backward pass has not reached {node} yet: its paths to "
                    f"the loss appear here once {name} is complete.")
        if arrived < len(out):
            return (f"At {step}, {arrived} of {len(out)} contributions have arrived: so far "
                    f"{name} = {short_summary(shown.grad)}. The paths appear here once the "
                    "last one arrives.")
        return ""

    def _start_check(self) -> None:
        """One check at a time; edits during a check ask for one more after it."""
        if self._check_running:
            self._check_pending = True
            return
        task = self.model.gradient_check_task(self.node_id) if self.node_id else None
        if task is None:
            return
        self._check_running, self._check_pending = True, False
        self._pool.start(_CheckRunner(task, self._generation, self._done))

    def _on_check(self, generation: int, result, error: str) -> None:
        self._check_running = False
        if self._check_pending:
            self._check_pending = False
            self._start_check()
        if generation != self._generation:
            return
        self.check, self.check_error = result, error
        self._show_totals()

    def wait_for_check(self, msecs: int = 10000) -> bool:
        """Block until the running check is done (tests, rendering); False on time-out."""
        return self._pool.waitForDone(msecs)

    # -- hover ---------------------------------------------------------------------------------
    def hover_path(self, row: PathRow) -> None:
        if self.hovered is not None and self.hovered is not row and isValid(self.hovered):
            self.hovered.set_hovered(False)
        self.hovered = row
        row.set_hovered(True)
        self.scene.show_path(row.path.nodes, row.path.edges)

    def unhover_path(self, row: PathRow) -> None:
        if self.hovered is row:
            self.hovered = None
            row.set_hovered(False)
            self.scene.clear_path()

    # -- showing -------------------------------------------------------------------------------
    def _clear_rows(self) -> None:
        if self.hovered is not None:
            self.hovered = None
            self.scene.clear_path()
        while self.rows_box.count():
            item = self.rows_box.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()          # gone now, not when the event loop deletes it
                widget.deleteLater()
        self.rows = []

    def _show(self) -> None:
        self._clear_rows()
        report, node, model = self.report, self.node_id, self.model
        loss = model.loss_id
        if node is None:
            self.title.setText("Chain rule")
            self.subtitle.setText("")
            self._note("Select a node to see every path from it to the loss: each path is the "
                       "product of its local derivatives, and the gradient is their sum.")
        elif self.step_note:
            self.title.setText(esc(grad_symbol(loss, node)))
            self.subtitle.setText(f"replaying: {self.scene.record.caption}")
            self._note(esc(self.step_note))
        elif report is None or report.reason:
            self.title.setText(esc(grad_symbol(loss, node)))
            self.subtitle.setText("")
            why = report.reason if report is not None else "hidden"
            if report is not None and report.loss is None:
                why = model.status or "no loss to differentiate"
            self._note(f"No paths: {why}." + (f" {grad_symbol(loss, node)} = 0."
                                               if report is not None and report.loss else ""))
        else:
            self.title.setText(esc(grad_symbol(report.loss, node)))
            record = self.scene.record
            self.subtitle.setText(self._subtitle(report) + (
                f" · complete at {record.caption}" if not record.live and record.caption
                else ""))
            self._add_rows(report)
        self.rows_box.addStretch(1)
        self._show_totals()
        self._show_health()

    @staticmethod
    def _subtitle(report) -> str:
        count = report.count
        noun = "path" if count == 1 else "paths"
        text = f"{count:,} {noun} from {report.node} to the loss {report.loss}"
        if not report.complete:
            how = "largest" if report.exact_ranking else "largest found"
            text += f" · the {len(report.paths)} {how} shown"
        return text

    def _note(self, text: str, muted: bool = True) -> None:
        label = QLabel(text, wordWrap=True, objectName="muted" if muted else "")
        label.setTextFormat(Qt.RichText)
        self.rows_box.addWidget(label)

    def _add_rows(self, report) -> None:
        pairs = Counter((e.source, e.target) for e in self.model.edges())
        parallel = {pair for pair, n in pairs.items() if n > 1}   # x·x: name the ports
        port_names = lambda target: self.model.op(target).port_names   # noqa: E731
        magnitudes = [p.magnitude for p in report.paths]
        rest = report.rest
        whole = sum(magnitudes) + (norm(rest) if rest is not None else 0.0) or 1.0
        with_lhs = report.count == 1
        for index, path in enumerate(report.paths, 1):
            row = PathRow(self, index, path, route_text(path, port_names, parallel),
                          equation_html(path, report.loss, report.node, with_lhs),
                          path.magnitude / whole)
            self.rows.append(row)
            self.rows_box.addWidget(row)
        if not report.complete:
            rest = report.rest
            what = f", adding {array_text(rest)} together" if rest is not None else ""
            self._note(f"+ {report.hidden:,} more paths{what} (the engine's gradient minus the "
                       "paths above: the sum over paths is linear).")
        if any(not p.scalar for p in report.paths):
            self._note("<b>VJP</b>: a tensor step has no single local derivative; the gradient "
                       "is passed back through it as a vector–Jacobian product. <b>⊙[a … b]</b>: "
                       "one derivative per element. A path's value is exact either way.")

    def _show_totals(self) -> None:
        report = self.report
        engine = report.gradient if report is not None else None
        self.sum_label.setText(sum_html(report) if report is not None and report.paths else
                               "<span style='color:%s'>—</span>" % theme.MUTED)
        total = report.listed_sum if report is not None and report.complete else None
        self.engine_value.setText(array_text(engine) if engine is not None else "—")
        self.sum_diff.setText(_muted(f"Σ paths: Δ {_difference(total, engine)}")
                              if total is not None and engine is not None else "")
        check = self.check
        if check is not None:
            self.check_value.setText(array_text(check.numeric) if check.checked == check.size
                                     else f"{check.checked} of {check.size:,} elements")
            mark = (f"<span style='color:{theme.C.ok}'>✓</span>" if check.agrees else
                    f"<span style='color:{theme.ERROR}'>✗ differs</span>")
            self.check_diff.setText(f"{_muted(f'Δ {fmt_number(check.difference, 2)}')} {mark}")
            part = (f" on {check.checked} of {check.size:,} elements"
                    if check.checked < check.size else "")
            loss, node = self.model.loss_id or "L", check.node
            self.check_note.setText(f"({loss}({node} + ε) − {loss}({node} − ε)) / 2ε through "
                                    f"the engine, ε = {check.eps:g}{part}. Δ: the largest "
                                    "|difference| from the engine's gradient.")
        else:
            running = self._check_running and engine is not None
            self.check_value.setText("checking…" if running else "—")
            self.check_diff.setText(f"<span style='color:{theme.ERROR}'>"
                                    f"{esc(self.check_error)}</span>" if self.check_error else "")
            self.check_note.setText("")

    def _show_health(self) -> None:
        health = self.model.gradient_health()
        node = self.node_id
        lines = []
        # a replay's step before the node's gradient is there: no hint of its size
        own = () if node is None or self.step_note else health.get(node, ())
        for kind, text in own:
            glyph, colour = style.BADGES.get(kind, ("!", style.NODE_INCOMPLETE))
            lines.append(f"<span style='color:{colour.name()}'><b>{glyph}</b></span> "
                         f"{esc(text)}")
        if node is not None and not lines and self.model.grads and not self.step_note:
            lines.append(f"<span style='color:{theme.C.ok}'>✓</span> gradient health: nothing "
                         "vanishes or explodes here")
        others = [n for n in health if n != node]
        if others:
            shown = ", ".join(f"{style.BADGES.get(health[n][0][0], ('!',))[0]} {esc(n)}"
                              for n in others[:6])
            more = f" and {len(others) - 6} more" if len(others) > 6 else ""
            lines.append(f"<span style='color:{theme.MUTED}'>Elsewhere: {shown}{more} "
                         "(hover the node for why)</span>")
        if not lines:
            lines.append(f"<span style='color:{theme.MUTED}'>Badges appear on nodes whose "
                         "gradient vanishes (under 10⁻⁶ of the largest), explodes (over 10⁶) "
                         "or sits behind a dead ReLU.</span>")
        self.health_label.setText("<br>".join(lines))


def _muted(text: str) -> str:
    return f"<span style='color:{theme.MUTED}'>{esc(text)}</span>"


def _difference(a, b) -> str:
    with np.errstate(all="ignore"):
        d = np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)))
    return fmt_number(float(d), 2)

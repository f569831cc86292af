"""The Lessons dock's content: the list of lessons, then one lesson a step at a time.

The lesson page shows the step's prose (its numbers filled in from the graph on the canvas and
refilled when they change), what the step waits for, the reveal text once its prediction is
answered, and Back / Restart / Skip step / Next. A ``LessonDriver`` does the steps on the app.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QProgressBar, QPushButton, QScrollArea, QStackedWidget,
                               QVBoxLayout, QWidget)

from gui import theme
from gui.lessons.driver import LessonDriver

INTRO = ("Short walks through backprop on the app itself. Each lesson opens its example and "
         "moves the canvas, the player and the training panel for you; where it asks, predict "
         "the number before it is shown. Your place in each lesson is remembered.")


def paragraphs(text: str) -> str:
    """Plain prose (paragraphs split by blank lines) as rich text."""
    return "".join(f"<p style='margin: 0 0 8px 0'>{escape(p).replace(chr(10), '<br>')}</p>"
                   for p in text.split("\n\n") if p.strip())


class LessonsPanel(QWidget):
    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.setObjectName("lessons_panel")
        self.window = window
        self.driver = LessonDriver(window, self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._list_page())
        self.pages.addWidget(self._lesson_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        d = self.driver
        d.shown.connect(self._show_step)
        d.text_changed.connect(self._refresh_text)
        d.ready_changed.connect(self._refresh_buttons)
        d.ended.connect(self.show_list)
        self.show_list()

    # ------------------------------------------------------------ the list
    def _list_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        heading = QLabel("Lessons", objectName="heading")
        intro = QLabel(INTRO, objectName="muted", wordWrap=True)
        self.list = QListWidget(objectName="lesson_list")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.itemActivated.connect(lambda item: self.start(item.data(Qt.UserRole)))
        self.list.currentItemChanged.connect(lambda *_: self._list_buttons())
        self.start_button = QPushButton("Start", objectName="lesson_start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(lambda: self._start_selected())
        self.restart_list_button = QPushButton("Start over", objectName="lesson_start_over")
        self.restart_list_button.setToolTip("Start the selected lesson again from step 1")
        self.restart_list_button.clicked.connect(lambda: self._start_selected(at=1))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restart_list_button)
        buttons.addWidget(self.start_button)
        for widget in (heading, intro):
            layout.addWidget(widget)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        return page

    def show_list(self) -> None:
        """The lessons, each with its summary and how far the learner got."""
        current = self.list.currentRow()
        self.list.clear()
        progress = self.driver.progress
        for i, info in enumerate(self.window.model.lessons(), 1):
            if info.problem:
                status = f"cannot be used: {info.problem}"
            else:
                step, done = progress.where(info.path)
                status = ("done ✓" if done else f"step {step} of {info.steps}"
                          if progress.started(info.path) else f"{info.steps} steps")
            item = QListWidgetItem(f"{i}. {info.title}\n{info.summary}\n{status}".strip())
            item.setData(Qt.UserRole, str(info.path))
            item.setToolTip(info.summary or info.title)
            if info.problem:
                item.setFlags(item.flags() & ~Qt.ItemIsEnabled)
            self.list.addItem(item)
        self.list.setCurrentRow(max(0, current))
        self.pages.setCurrentIndex(0)
        self._list_buttons()

    def _list_buttons(self) -> None:
        item = self.list.currentItem()
        usable = item is not None and bool(item.flags() & Qt.ItemIsEnabled)
        self.start_button.setEnabled(usable)
        self.restart_list_button.setEnabled(usable)
        if usable:
            started = self.driver.progress.started(item.data(Qt.UserRole))
            self.start_button.setText("Continue" if started else "Start")

    def _start_selected(self, at: int | None = None) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.start(item.data(Qt.UserRole), at)

    def start(self, path, at: int | None = None) -> bool:
        return self.driver.start(path, at)

    # ------------------------------------------------------------ one lesson
    def _lesson_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        self.all_button = QPushButton("◂ All lessons", objectName="lesson_all")
        self.all_button.setFlat(True)
        self.all_button.clicked.connect(self.driver.close)
        self.title = QLabel(objectName="heading", wordWrap=True)
        self.bar = QProgressBar(objectName="lesson_progress")
        self.bar.setTextVisible(True)
        self.bar.setFormat("step %v of %m")
        self.text = QLabel(wordWrap=True, objectName="lesson_text",
                           textFormat=Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setFont(theme.ui_font(10.5))
        self.reveal = QLabel(wordWrap=True, objectName="lesson_reveal",
                             textFormat=Qt.TextFormat.RichText)
        self.reveal.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reveal.setStyleSheet(f"QLabel#lesson_reveal {{ border-left: 3px solid "
                                  f"{theme.C.accent}; padding: 4px 0 4px 8px; }}")
        self.reveal.setFont(theme.ui_font(10.5))
        self.note = QLabel(objectName="muted", wordWrap=True)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 4, 0)
        column.addWidget(self.text)
        column.addWidget(self.reveal)
        column.addWidget(self.note)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.back_button = QPushButton("&Back", objectName="lesson_back")
        self.back_button.clicked.connect(self.driver.back)
        self.restart_button = QPushButton("Restart", objectName="lesson_restart")
        self.restart_button.setToolTip("This lesson again, from step 1")
        self.restart_button.clicked.connect(self.driver.restart)
        self.skip_button = QPushButton("&Skip step", objectName="lesson_skip")
        self.skip_button.setToolTip("Go on without doing what this step asks")
        self.skip_button.clicked.connect(self.driver.skip)
        self.next_button = QPushButton("&Next", objectName="lesson_next")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.driver.next)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.back_button, self.restart_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.skip_button, self.next_button):
            buttons.addWidget(button)
        head = QHBoxLayout()
        head.addWidget(self.all_button)
        head.addStretch(1)
        layout.addLayout(head)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        return page

    def _show_step(self, n: int) -> None:
        guide = self.driver.guide
        self.pages.setCurrentIndex(1)
        self.title.setText(guide.title)
        self.bar.setRange(0, guide.count)
        self.bar.setValue(n)
        self.back_button.setEnabled(n > 1)
        self.next_button.setText("&Finish" if n == guide.count else "&Next")
        self._refresh_text()
        self._refresh_buttons()

    def _refresh_text(self) -> None:
        if not self.driver.active:
            return
        text, reveal, live = self.driver.texts()
        self.text.setText(paragraphs(text))
        self.reveal.setText(paragraphs(reveal))
        self.reveal.setVisible(bool(reveal))
        notes = [self.driver.waiting_for()]
        if not live:
            notes.append("The numbers above are the lesson's: your graph no longer has "
                         "everything this step talks about.")
        self.note.setText("\n".join(n for n in notes if n))
        self.note.setVisible(any(notes))

    def _refresh_buttons(self, *_args) -> None:
        ready = self.driver.ready
        self.next_button.setEnabled(ready)
        self.next_button.setToolTip("" if ready else self.driver.waiting_for())
        self._refresh_text()

    def lesson_text(self) -> str:
        """What the lesson page says, as plain text (tests)."""
        parts = [self.title.text(), self.bar.text(), self.text.text(), self.reveal.text()
                 if self.reveal.isVisible() else "", self.note.text()
                 if self.note.isVisible() else ""]
        return "\n".join(p for p in parts if p)

"""The Lessons dock's content: the list of lessons, then one lesson a step at a time.

The lesson page shows the step's prose (its numbers filled in from the graph on the canvas and
refilled when they change), what the step waits for, the reveal text once its prediction is
answered, and Back / Restart / Skip step / Next. A ``LessonDriver`` does the steps on the app.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QScrollArea, QStackedWidget, QVBoxLayout, QWidget)

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
        intro = WrapLabel(INTRO, objectName="muted")
        self.list_box = QWidget(objectName="lesson_list")
        self.list_column = QVBoxLayout(self.list_box)
        self.list_column.setContentsMargins(0, 0, 4, 0)
        self.list_column.setSpacing(8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)       # it only frames (issue 19)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.list_box)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        self.cards: list[LessonCard] = []
        return page

    def show_list(self) -> None:
        """The lessons, each with its summary, how far the learner got, and its buttons."""
        while self.list_column.count():
            item = self.list_column.takeAt(0)
            if item.widget() is not None:
                item.widget().setParent(None)
                item.widget().deleteLater()
        self.cards = []
        progress = self.driver.progress
        for i, info in enumerate(self.window.model.lessons(), 1):
            card = LessonCard(i, info, progress)
            card.start_button.clicked.connect(lambda _=False, p=info.path: self.start(p))
            card.over_button.clicked.connect(lambda _=False, p=info.path: self.start(p, 1))
            self.list_column.addWidget(card)
            self.cards.append(card)
        self.list_column.addStretch(1)
        self.pages.setCurrentIndex(0)

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
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)       # it only frames (issue 19)
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
        if guide.step(n).predict is None:
            self.next_button.setFocus()   # Enter goes on (a prediction's field takes it first)

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


class WrapLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its width (a plain
    one in a scroll area gets squeezed to one line)."""

    def __init__(self, text: str = "", **kwargs):
        super().__init__(text, wordWrap=True, **kwargs)
        self._width = 0

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self.heightForWidth(self.width())))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self._width = event.size().width()
            self.updateGeometry()


class LessonCard(QFrame):
    """One lesson in the list: number and title, its summary, where the learner is, and
    Start (or Continue) / Start over."""

    def __init__(self, number: int, info, progress, parent=None):
        super().__init__(parent)
        self.setObjectName("lesson_card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.path = info.path
        self.title_label = WrapLabel(f"{number}. {escape(info.title)}")
        self.title_label.setFont(theme.ui_font(10.5, bold=True))
        self.summary_label = WrapLabel(info.summary, objectName="muted")
        step, done = progress.where(info.path)
        started = progress.started(info.path)
        if info.problem:
            status = f"cannot be used: {info.problem}"
        elif done:
            status = "done ✓"
        else:
            status = f"step {step} of {info.steps}" if started else f"{info.steps} steps"
        self.status_label = QLabel(status, objectName="muted")
        self.start_button = QPushButton("Continue ▸" if started and not done else "Start ▸",
                                        objectName="lesson_start")
        self.over_button = QPushButton("Start over", objectName="lesson_start_over")
        self.over_button.setToolTip("This lesson from step 1")
        self.over_button.setVisible(started and not done)   # done: Start is from step 1
        for button in (self.start_button, self.over_button):
            button.setEnabled(not info.problem)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.over_button)
        buttons.addWidget(self.start_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(4)
        column.addWidget(self.title_label)
        column.addWidget(self.summary_label)
        column.addLayout(buttons)

    def text(self) -> str:
        return "\n".join((self.title_label.text(), self.summary_label.text(),
                          self.status_label.text()))

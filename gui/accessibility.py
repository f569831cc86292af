"""What assistive technology hears: the one announcement helper, accessibility events, and the
factory that gives custom widgets (the canvas) their own accessible interfaces.

* ``announce(text)`` is the only way the app speaks up on its own (a player step, a training
  milestone): a ``QAccessibleAnnouncementEvent`` for the screen reader and ``announcer().announced``
  for tests — PySide6 does not bind ``QAccessible.installUpdateHandler``, so the Qt signal is
  how a test hears what a screen reader was told.
* ``send_event(interface, kind)`` sends focus, selection and name changes of an interface the
  app made itself (a node on the canvas), and reports them on ``announcer().event_sent``.
* ``register_interface(class_name, make)`` names the maker of a widget class's interface;
  ``install_factory()`` (called by ``make_application`` before any widget exists) installs the
  one factory that asks these makers.

Interfaces made in Python are owned by Python: ``keep`` holds them until Qt is done with them
(``forget`` deletes one through ``QAccessible.deleteAccessibleInterface``), and at exit every
one still alive is deleted before Python's own teardown could free it under Qt.
"""
from __future__ import annotations

import atexit

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import (QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent,
                           QTextDocumentFragment)
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from shiboken6 import isValid

_MAKERS: dict = {}          # widget class name -> make(widget) -> QAccessibleInterface
_KEPT: list = []            # interfaces made here, alive while Qt may use them
_installed = [False]


class Announcer(QObject):
    """Reports what the app tells assistive technology (tests and logs listen here)."""

    announced = Signal(str)               # the text of every announcement, in order
    event_sent = Signal(object, str)      # (QAccessible.Event, the interface's name)


_announcer: list = []


def announcer() -> Announcer:
    """The process's one Announcer."""
    if not _announcer or not isValid(_announcer[0]):
        _announcer[:] = [Announcer()]
    return _announcer[0]


def announce(text: str, source: QObject | None = None, assertive: bool = False) -> None:
    """Say ``text`` to a screen reader (politely, after what it is reading, unless
    ``assertive``); ``announcer().announced`` carries it too."""
    text = " ".join(str(text).split())
    if not text:
        return
    announcer().announced.emit(text)
    if source is None or not isValid(source):
        source = QApplication.activeWindow() or QApplication.instance()
    if source is None or not QAccessible.isActive():
        return
    event = QAccessibleAnnouncementEvent(source, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)


def send_event(interface, kind: QAccessible.Event) -> None:
    """Tell assistive technology that ``interface`` (focus, selection, name …) changed."""
    if interface is None or not isValid(interface):
        return
    announcer().event_sent.emit(kind, interface.text(QAccessible.Text.Name))
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleEvent(interface, kind))


# ---------------------------------------------------------------- interfaces made in Python
def keep(interface) -> int:
    """Hold ``interface`` for Qt and register it; its unique id."""
    _KEPT[:] = [i for i in _KEPT if isValid(i)]
    _KEPT.append(interface)
    return QAccessible.registerAccessibleInterface(interface)


def forget(interface) -> None:
    """Unregister and delete an interface made with ``keep`` (its object went)."""
    if interface is not None and isValid(interface):
        QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(interface))
    _KEPT[:] = [i for i in _KEPT if isValid(i)]


def register_interface(class_name: str, make) -> None:
    """``make(widget)`` gives the accessible interface of widgets of class ``class_name``."""
    _MAKERS[class_name] = make


def _factory(class_name: str, obj):
    make = _MAKERS.get(class_name)
    if make is None or not isinstance(obj, QWidget):
        return None
    interface = make(obj)
    _KEPT[:] = [i for i in _KEPT if isValid(i)]
    _KEPT.append(interface)     # Qt's cache deletes it with its widget; Python must not first
    return interface


def install_factory() -> None:
    """Install the factory once per process (before any widget is asked for its interface)."""
    if not _installed[0]:
        QAccessible.installFactory(_factory)
        _installed[0] = True


@atexit.register
def _delete_kept() -> None:
    """At exit, let Qt delete what it still holds while Python's objects are alive."""
    for interface in list(_KEPT):
        if isValid(interface):
            try:
                QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(interface))
            except RuntimeError:
                pass
    _KEPT.clear()


# ---------------------------------------------------------------- names of plain widgets
def name(widget: QWidget, text: str, description: str | None = None) -> QWidget:
    """Give ``widget`` its accessible name (and description); returns it."""
    widget.setAccessibleName(text)
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def label_for(label: QLabel, widget: QWidget) -> QLabel:
    """``label`` names ``widget`` for a screen reader (Qt reads a buddy's text)."""
    label.setBuddy(widget)
    return label


def plain(text: str) -> str:
    """What a rich-text label says, without its markup (``<b>3</b>`` → ``3``)."""
    return " ".join(QTextDocumentFragment.fromHtml(text).toPlainText().split()) \
        if "<" in text or "&" in text else " ".join(text.split())


def first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence (not the one inside 2.25)."""
    text = " ".join(text.split())
    for i, char in enumerate(text):
        if char in ".!?" and (i + 1 == len(text) or text[i + 1] == " "):
            return text[:i + 1]
    return text

"""Can the app open a window here? Asked before QApplication exists, because Qt aborts the
process (exit 134, with a misleading "libxcb-cursor0 is needed … reinstalling may fix this")
when its X11 plugin cannot connect. Standard library only (ctypes for libxcb), no Qt.

`display_problem(environ)` returns None when a window can be opened, else one line saying what
is wrong and what to do. An X server that was started a moment ago (``Xvfb :99 & make run``)
may not accept connections yet: the check tries again for up to `STARTUP_GRACE` seconds before
it gives up — that race is how a live display could once abort the first ``make run``.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import time

STARTUP_GRACE = 3.0    # seconds an X server just started gets to accept connections
RETRY_EVERY = 0.1

NO_DISPLAY = (
    "backprop-studio: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set); "
    "run it under a virtual screen, e.g. `xvfb-run make run`, or render offscreen with "
    "`python main.py shot FILE --out shot.png`"
)


def _load(name: str):
    """The shared library `name` (e.g. "xcb"), or None when it is not installed."""
    path = ctypes.util.find_library(name)
    if path is None:
        return None
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


def _connects(xcb, display: str) -> bool:
    """One attempt: does the X server of `display` accept a connection from us?"""
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return connection is not None and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection is not None:
            xcb.xcb_disconnect(connection)


def x11_problem(display: str, grace: float = STARTUP_GRACE, clock=time.monotonic,
                sleep=time.sleep) -> str | None:
    """None when the X server at `display` answers (within `grace` seconds), else why not."""
    xcb = _load("xcb")
    if xcb is None:
        return ("backprop-studio: the X11 client library libxcb is missing; install the system "
                "libraries listed in the README (on Debian/Ubuntu: libxcb1 libxcb-cursor0 …)")
    if _load("xcb-cursor") is None:
        return ("backprop-studio: Qt needs the library libxcb-cursor0 to open a window on X11; "
                "install it (Debian/Ubuntu: sudo apt-get install libxcb-cursor0)")
    deadline = clock() + grace
    while True:
        if _connects(xcb, display):
            return None
        if clock() >= deadline:
            return (f"backprop-studio: cannot open the display {display!r}: no X server "
                    f"answers there (or it refused us); start one (e.g. `Xvfb {display} &`), "
                    "check DISPLAY, or run `xvfb-run make run`")
        sleep(RETRY_EVERY)


def display_problem(environ) -> str | None:
    """None when Qt can open a window with this environment, else one line for the user."""
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None        # offscreen, wayland, vnc…: chosen explicitly, Qt reports its own
    display = environ.get("DISPLAY", "")
    if not display:
        if environ.get("WAYLAND_DISPLAY") and not platform:
            return None
        return NO_DISPLAY
    return x11_problem(display)

"""No display means one line and exit 2, always — checked before Qt, which would abort (134)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_process
from gui.window import display_check
from gui.window.display_check import display_problem, x11_problem


def app_env(**values):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(values)
    return env


def free_display() -> str:
    taken = {name[1:] for name in os.listdir("/tmp/.X11-unix")} if os.path.isdir(
        "/tmp/.X11-unix") else set()
    return next(f":{n}" for n in range(173, 300) if str(n) not in taken)


def test_a_display_nobody_serves_is_one_line_and_exit_2():
    display = free_display()
    result = run_process([sys.executable, "main.py"], cwd=ROOT, env=app_env(DISPLAY=display),
                         capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert f"cannot open the display '{display}'" in lines[0] and "xvfb-run" in lines[0]
    assert "libxcb-cursor0" not in lines[0] and "Reinstalling" not in result.stderr


def test_an_x_server_still_starting_gets_time_to_answer(monkeypatch):
    """The first `make run` once aborted on a live display: the server was not yet accepting
    connections. The check tries again until the server answers."""
    answers = iter([False, False, False, True])
    monkeypatch.setattr(display_check, "_connects", lambda xcb, display: next(answers))
    now = [0.0]
    assert x11_problem(":5", clock=lambda: now[0],
                       sleep=lambda s: now.__setitem__(0, now[0] + s)) is None
    assert now[0] == pytest.approx(3 * display_check.RETRY_EVERY)


def test_it_gives_up_after_the_grace_period(monkeypatch):
    monkeypatch.setattr(display_check, "_connects", lambda xcb, display: False)
    now = [0.0]
    problem = x11_problem(":5", grace=1.0, clock=lambda: now[0],
                          sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert problem.startswith("backprop-studio: cannot open the display ':5'")
    assert 1.0 <= now[0] < 1.0 + 2 * display_check.RETRY_EVERY


def test_a_missing_library_is_named(monkeypatch):
    real = display_check._load
    monkeypatch.setattr(display_check, "_load",
                        lambda name: None if name == "xcb-cursor" else real(name))
    problem = x11_problem(":5", grace=0)
    assert "libxcb-cursor0" in problem and "apt-get install libxcb-cursor0" in problem


@pytest.mark.parametrize("environ, fine", [
    ({}, False),
    ({"QT_QPA_PLATFORM": "offscreen"}, True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, False),
])
def test_which_environments_need_no_x_server(environ, fine):
    assert (display_problem(environ) is None) == fine


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_a_just_started_xvfb_is_waited_for():
    display = free_display()
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "640x480x24"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        start = time.monotonic()
        assert display_problem({"DISPLAY": display}) is None
        assert time.monotonic() - start < display_check.STARTUP_GRACE
    finally:
        server.terminate()
        server.wait(timeout=10)

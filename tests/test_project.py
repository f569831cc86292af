"""Project-level guards: dependency traps, the Qt-free engine, the entry point."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env=full_env, capture_output=True, text=True, timeout=120)


def test_pyside_survives_many_void_calls():
    """PySide6-Essentials 6.12.0 aborts CPython 3.11 (none_dealloc) after a few thousand void
    Qt calls; this fails CI if an upgrade brings that back."""
    result = run_python("""
        from PySide6.QtGui import QPen
        pen = QPen()
        for i in range(20000):
            pen.setWidth(i % 7)
        print("ok")
    """, QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_engine_imports_without_pyside():
    """The engine is a library: it must work where PySide6 cannot even be imported."""
    result = run_python("""
        import sys
        sys.modules["PySide6"] = None   # any `import PySide6...` now raises ImportError
        import engine
        g = engine.Graph()
        g.add_node("x", "input", value=2.0)
        g.add_node("y", "mul")
        g.connect("x", "y", 0)
        g.connect("x", "y", 1)
        g.forward()
        print(float(g.backward()["x"]))
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "4.0"


def test_engine_sources_never_mention_qt():
    offenders = [p.name for p in (ROOT / "engine").rglob("*.py")
                 if "PySide6" in p.read_text() or "pyqtgraph" in p.read_text()]
    assert offenders == []


def test_headless_commands_do_not_load_qt():
    result = run_python("""
        import sys, io, contextlib
        import main
        with contextlib.redirect_stdout(io.StringIO()):
            main.main(["grad", "resources/examples/chain_rule.json"])
        print(sorted(m for m in sys.modules if m.startswith(("PySide6", "pyqtgraph", "gui"))))
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_app_without_display_says_so_in_one_line():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "xvfb-run" in lines[0]


def test_exit_after_copy_to_clipboard_is_clean():
    """Copy hands Qt a Python-made QMimeData; exiting afterwards must not segfault."""
    result = run_python("""
        from PySide6.QtWidgets import QApplication
        from PySide6.QtGui import QUndoStack
        app = QApplication([])
        from gui.model import GraphModel
        from gui.canvas import CanvasView
        model = GraphModel()
        view = CanvasView(model, QUndoStack())
        view.add_node_at("input", view.mapToScene(10, 10))
        view.select_all()
        assert view.copy_selection()
        print("copied")
    """, QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.strip() == "copied"


def test_a_run_without_torch_ends_by_counting_what_it_skipped():
    """tests/conftest.py counts the skips ``importorskip("torch")`` made — whole files and
    single tests — and names `make torch`; other skips are not counted."""
    import pytest
    from conftest import torch_note, torch_skips

    def report(kind, reason):
        longrepr = ("tests/x.py", 3, f"Skipped: {reason}")
        if kind == "file":
            return pytest.CollectReport("tests/x.py", "skipped", longrepr, [])
        return pytest.TestReport("tests/x.py::t", ("tests/x.py", 3, "t"), {}, "skipped",
                                 longrepr, "setup")

    missing = "could not import 'torch': No module named 'torch'"
    reports = [report("file", missing), report("test", missing), report("test", missing),
               report("test", "no display")]
    assert torch_skips(reports) == (1, 2)
    assert torch_note(1, 2) == ("PyTorch is not installed: 3 skipped (1 test file and 2 tests) "
                                "need it; `make torch` installs it, then `make test` runs them.")
    assert torch_skips([report("test", "no display")]) == (0, 0)

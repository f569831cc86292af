"""The command line as Python tools have it: --help lists the commands, --version, --help on
every command, and every usage error is one line on stderr with exit status 2 — before any
window opens. The headless commands never import Qt (nor torch)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import main as main_py
from conftest import EXAMPLES, ROOT
from engine.cli import COMMANDS
from engine.version import VERSION

XOR = EXAMPLES / "xor_mlp.json"


def call(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main_py.main([str(a) for a in argv])
        except SystemExit as done:   # argparse's --help
            status = done.code or 0
    return status, out.getvalue(), err.getvalue()


def pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


def test_help_lists_every_command():
    status, out, err = call("--help")
    assert status == 0 and err == ""
    assert out.startswith("usage: backprop-studio")
    for command in ("grad", "train", "export", "shot", "render"):
        assert re.search(rf"^  {command}\s+\S", out, re.M), command
    assert call("-h")[1] == out


def test_version_is_the_packages():
    assert VERSION == pyproject_version()
    status, out, err = call("--version")
    assert (status, out, err) == (0, f"backprop-studio {pyproject_version()}\n", "")


@pytest.mark.parametrize("command", ["grad", "train", "export", "shot", "lessons"])
def test_every_command_has_help(command):
    status, out, err = call(command, "--help")
    assert status == 0 and err == ""
    assert out.startswith(f"usage: backprop-studio {command}")


@pytest.mark.parametrize("command", ["grad", "train", "export", "shot", "render"])
def test_every_usage_line_writes_the_graph_as_FILE(command):
    """Issue 15 item 11: one spelling for the graph argument in every usage line."""
    status, out, _err = call(command, "--help")
    usage = out.split("\n\n")[0]
    assert status == 0 and re.search(r"\sFILE$", usage) and not re.search(r"\bfile\b", usage)


def test_the_console_script_and_main_py_list_the_commands():
    script = Path(sys.executable).parent / "backprop-studio"
    if not script.exists():
        script = shutil.which("backprop-studio")
    runs = [[sys.executable, "main.py", "--help"]]
    if script:
        runs.append([str(script), "--help"])
    for argv in runs:
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={k: v for k, v in os.environ.items()
                                   if k not in ("DISPLAY", "WAYLAND_DISPLAY")})
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert all(command in proc.stdout for command in COMMANDS)


MISTAKES = [
    (["grd", str(XOR)], "unknown command 'grd' (did you mean 'grad'?"),
    (["exprot"], "unknown command 'exprot' (did you mean 'export'?"),
    (["frobnicate"], "'frobnicate' is neither a command"),
    (["no_such_graph.json"], "no_such_graph.json: no such file"),
    (["missing/folder/g.json"], "no such file"),
    (["--verbose"], "unknown option '--verbose'"),
    ([str(XOR), "extra"], "unexpected argument 'extra'"),
    ([str(EXAMPLES)], "is a folder, not a graph file"),
    (["export"], "the following arguments are required"),
    (["export", str(XOR), "--to", "jpg", "--out", "x"], "invalid choice: 'jpg'"),
    (["export", str(XOR), "--to", "numpy"], "the following arguments are required: --out"),
    (["export", "nope.json", "--to", "numpy", "--out", "{tmp}/x.py"], "nope.json"),
    (["export", str(XOR), "--to", "numpy", "--out", "{tmp}/no/such/folder/x.py"],
     "does not exist"),
    (["export", str(XOR), "--to", "numpy", "--out", "{tmp}/x.py", "--scale", "2"],
     "--scale applies to --to png only"),
    (["export", str(XOR), "--to", "png", "--out", "{tmp}/x.png", "--scale", "-1"],
     "--scale must be above 0"),
    (["export", str(XOR), "--to", "svg", "--out", "{tmp}"], "it is a folder"),
    (["grad"], "the following arguments are required"),
    (["grad", "nope.json"], "nope.json"),
    (["train", str(XOR), "--steps", "many"], "invalid int value"),
    (["shot", str(XOR)], "the following arguments are required: --out"),
]


def test_every_usage_error_is_one_line_and_exit_2_before_any_window(tmp_path):
    """All the mistakes in one fresh interpreter: each is one line and status 2, and Qt was
    never even imported (so no window could have opened)."""
    cases = [[a.replace("{tmp}", str(tmp_path)) for a in argv] for argv, _ in MISTAKES]
    code = textwrap.dedent(f"""
        import contextlib, io, json, sys
        import main
        results = []
        for argv in {json.dumps(cases)}:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = main.main(argv)
            results.append([status, out.getvalue(), err.getvalue()])
        qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
        print(json.dumps({{"results": results, "qt": qt}}))
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    for (argv, expected), (status, out, err) in zip(MISTAKES, report["results"]):
        assert status == 2 and out == "", (argv, status, out)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, (argv, err)
        assert lines[0].startswith("backprop-studio") and expected in lines[0], (argv, lines)
    assert report["qt"] == [], report["qt"]


def test_a_typo_through_main_py_says_so_instead_of_opening_the_app():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "main.py", "exprot", str(XOR)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == ("backprop-studio: unknown command 'exprot' (did you mean "
                                   "'export'? see --help)")


def test_headless_commands_import_neither_qt_nor_torch(tmp_path):
    code = textwrap.dedent(f"""
        import contextlib, io, json, sys
        import main
        runs = [["grad", {str(XOR)!r}],
                ["train", {str(XOR)!r}, "--steps", "3"],
                ["export", {str(XOR)!r}, "--to", "numpy", "--out", {str(tmp_path / 'a.py')!r}],
                ["export", {str(XOR)!r}, "--to", "pytorch", "--out", {str(tmp_path / 'b.py')!r}]]
        statuses = []
        for argv in runs:
            with contextlib.redirect_stdout(io.StringIO()), \\
                    contextlib.redirect_stderr(io.StringIO()):
                statuses.append(main.main(argv))
        loaded = sorted(m for m in sys.modules
                        if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "gui",
                                               "torch"))
        print(json.dumps([statuses, loaded]))
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    statuses, loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert statuses == [0, 0, 0, 0] and loaded == []


def test_a_graph_that_cannot_run_exits_2_with_the_engines_reason(tmp_path):
    doc = json.loads(XOR.read_text())
    for node in doc["nodes"]:
        if node["id"] == "W2":
            node["value"] = [[0.1, 0.2]] * 4          # (4, 2): logits no longer fit y (4, 1)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    _, _, grad_err = call("grad", path)
    for kind in ("numpy", "pytorch", "svg", "png"):
        status, out, err = call("export", path, "--to", kind, "--out", tmp_path / f"o.{kind}")
        assert status == 2 and out == "", kind
        (line,) = err.strip().splitlines()
        assert "node 'loss'" in line and "shapes differ: (4, 2) vs (4, 1)" in line, line
        assert grad_err.split(": ", 2)[-1].strip() in line     # grad's own words
        assert not (tmp_path / f"o.{kind}").exists()


def test_export_writes_an_executable_script_and_says_so(tmp_path):
    out = tmp_path / "xor.py"
    status, stdout, err = call("export", XOR, "--to", "numpy", "--out", out)
    assert status == 0 and err == ""
    assert stdout.strip().startswith(f"wrote {out} (numpy script, ")
    assert out.read_text().startswith("#!/usr/bin/env python3\n")
    assert os.access(out, os.X_OK)

"""What a start imports: ``--help``, ``--version`` and a usage error answer before numpy,
networkx or Qt are loaded (engine/__init__ imports its names lazily, engine/cli/__init__ is
standard library only), and networkx loads with the first Graph, not with the engine's modules.

One fresh interpreter runs every case in turn and reports what was loaded after each.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "networkx", "PySide6", "pyqtgraph", "torch")

SCRIPT = r"""
import contextlib, io, json, sys
import main
HEAVY = %r
report = []
for argv in %r:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            status = main.main(argv)
    except SystemExit as exit:
        status = exit.code
    report.append([argv, status, [m for m in HEAVY if m in sys.modules], out.getvalue()])
import engine
engine.__all__
loaded = [m for m in HEAVY if m in sys.modules]
import engine.graph, engine.io, engine.evaluate
before = "networkx" in sys.modules
engine.Graph()
print(json.dumps({"cases": report, "import engine": loaded, "networkx before a Graph": before,
                  "networkx with a Graph": "networkx" in sys.modules}))
"""

CASES = [["--help"], ["-h"], ["--version"], ["grafd", "x.json"], ["--no-such-flag"],
         ["no/such/file.json"], ["a.json", "b.json"], ["grad", "--help"], ["export", "--help"], ["new", "--help"],
         ["import", "--help"], ["import", "m.py", "--class", "M", "--out", "o.json"]]


def test_help_version_and_usage_errors_load_no_numpy_networkx_or_qt():
    code = SCRIPT % (HEAVY, CASES)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    for argv, status, loaded, output in result["cases"]:
        assert loaded == [], f"{argv} loaded {loaded}"
        assert status == (0 if "--help" in argv or argv in (["-h"], ["--version"]) else 2), \
            (argv, status, output)
        assert output.strip(), argv                    # each says something
    assert result["import engine"] == []
    assert result["networkx before a Graph"] is False
    assert result["networkx with a Graph"] is True

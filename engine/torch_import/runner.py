"""The import as a separate process, for a GUI: ``main.py import`` with the right flags, and its
outcome read back (Qt-free; the caller chooses how to wait — QProcess, a worker thread).

    argv = command_line("model.py", "Net", [(8, 2)], "out.json", loss="ce")
    ...run argv (e.g. QProcess.start(argv[0], argv[1:])), collect status, stdout, stderr...
    result = outcome(status, stdout, stderr)
    result.ok, result.summary, result.notices, result.error

A process keeps the user's code (which the import runs), torch's 2-s start and its global
state (seed, default dtype) out of the app, and can be stopped if the code never returns.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "main.py"
PREFIX = "backprop-studio import: "


def command_line(model, class_name: str, shapes, out, loss: str = "none", weights=None,
                 seed: int = 0, python: str = sys.executable) -> list[str]:
    """The argv of ``python main.py import ...`` for these settings."""
    argv = [python, str(MAIN), "import", str(model), "--class", class_name]
    for shape in shapes:
        argv += ["--input-shape", ",".join(str(int(n)) for n in shape)]
    argv += ["--loss", loss, "--seed", str(int(seed)), "--out", str(out)]
    if weights:
        argv += ["--weights", str(weights)]
    return argv


@dataclass
class Outcome:
    """What the process said: ``ok`` (the file was written), ``summary`` (its JSON line:
    nodes, parameters, weights, max_abs_diff), ``notices`` (eval mode, elided modules) and
    ``error`` (the one line that says why nothing was written); ``status`` 0, 1 (the proof
    failed: a bug of the import) or 2 (refused)."""
    status: int
    summary: dict | None = None
    notices: list = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 0 and self.summary is not None


def outcome(status: int, stdout: str, stderr: str) -> Outcome:
    """Read a finished ``main.py import``."""
    lines = [line[len(PREFIX):] if line.startswith(PREFIX) else line
             for line in stderr.splitlines() if line.strip()]
    notices = [line[len("note: "):] for line in lines if line.startswith("note: ")]
    others = [line for line in lines if not line.startswith("note: ")]
    if status != 0:
        return Outcome(status, None, notices, others[-1] if others else
                       f"the import stopped with exit status {status}")
    try:
        summary = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return Outcome(1, None, notices, "the import printed no summary")
    return Outcome(0, summary, notices + others, None)


def run(model, class_name: str, shapes, out, loss: str = "none", weights=None, seed: int = 0,
        timeout: float | None = None) -> Outcome:
    """Run the import and wait (blocking: call it off the GUI thread)."""
    argv = command_line(model, class_name, shapes, out, loss, weights, seed)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Outcome(2, None, [], f"the import did not finish within {timeout:g} s (does "
                                    "the model's code wait for something?)")
    return outcome(done.returncode, done.stdout, done.stderr)

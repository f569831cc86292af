"""Run many Python scripts in one process, each as ``python SCRIPT ARGS`` would (``__main__``,
its own ``sys.argv``, stdout and stderr captured, ``SystemExit`` read as the exit status), so
an expensive import (torch) happens once for a whole batch of exported scripts.

    python tests/script_runner.py JOBS.json RESULTS.json

JOBS.json: ``[{"script": path, "args": [...]}, ...]``; RESULTS.json gets one
``{"status": int, "stdout": str, "stderr": str}`` per job, in order. Not a test module.
"""
from __future__ import annotations

import contextlib
import io
import json
import runpy
import sys
import traceback


def run(script: str, args: list) -> dict:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = [script, *args]
    status = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            runpy.run_path(script, run_name="__main__")
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            err.write(f"{done.code}\n")
    except BaseException:  # a crash: report it like the interpreter would
        status = 1
        err.write(traceback.format_exc())
    finally:
        sys.argv = saved
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main(jobs_path: str, results_path: str) -> int:
    with open(jobs_path, encoding="utf-8") as f:
        jobs = json.load(f)
    results = [run(job["script"], job.get("args", [])) for job in jobs]
    with open(results_path, "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

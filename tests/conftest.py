"""Shared test settings: Qt renders offscreen, never on a real display."""
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# The engine's fast pass (engine/compiled_pass.py) is tested, not trusted: under the tests a
# fast pass that cannot be written, or that raises where the careful loop then succeeds, is a
# FastPassError (in this process and in every subprocess a test starts), not a quiet fallback.
os.environ["BACKPROP_STUDIO_STRICT_FAST_PASS"] = "1"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "resources" / "examples"


def run_process(args, attempts=3, **kwargs):
    """``subprocess.run(args, **kwargs)``; a process the machine failed to start (an OSError
    from fork or exec, not from the program) is started again, up to ``attempts`` times.
    CI once lost a run to one such failure on a background thread."""
    for attempt in range(attempts):
        try:
            return subprocess.run(args, **kwargs)
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)

# Python's cyclic GC only between tests, never inside a Qt call: a collection that starts inside
# QObject::disconnect can finalise PySide objects that need the same Qt mutex and deadlock the
# run (seen here). The app does the same from a timer (gui.window.application.GarbageCollector).
import gc  # noqa: E402

import pytest  # noqa: E402

_TESTS_RUN = [0]


@pytest.fixture(autouse=True)
def _collect_garbage_between_tests():
    gc.disable()
    yield
    _TESTS_RUN[0] += 1
    gc.collect(2 if _TESTS_RUN[0] % 50 == 0 else 1)


@pytest.fixture(autouse=True)
def _fast_pass_fallbacks_fail_the_test():
    """A FastPassError swallowed on the way (a worker thread, a broad except) still fails the
    test that caused it."""
    yield
    module = sys.modules.get("engine.compiled_pass")
    if module is not None and module.FAILURES:
        failures = list(module.FAILURES)
        module.FAILURES.clear()
        pytest.fail(f"the fast pass fell back {len(failures)} time(s): {failures[0]}")


# Hypothesis: CI is repeatable (derandomized, fixed example counts); "nightly" searches longer
# with fresh randomness (pass --hypothesis-seed=N to replay one run).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, max_examples=50, print_blob=True)
settings.register_profile("nightly", derandomize=False, max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# PyTorch is optional (the oracle tests, `import`): without it those tests skip, and the run
# ends by saying how many and how to enable them. Counted on the controller (xdist workers send
# their reports there), from the skips `pytest.importorskip("torch")` makes.
TORCH_MISSING = "could not import 'torch'"


def torch_skips(reports) -> tuple[int, int]:
    """(modules, tests) skipped because torch could not be imported."""
    modules = tests = 0
    for report in reports:
        if TORCH_MISSING in str(getattr(report, "longrepr", "")):
            if isinstance(report, pytest.CollectReport):
                modules += 1
            else:
                tests += 1
    return modules, tests


def torch_note(modules: int, tests: int) -> str:
    where = [f"{n} {kind}{'s' if n != 1 else ''}"
             for n, kind in ((modules, "test file"), (tests, "test")) if n]
    return (f"PyTorch is not installed: {modules + tests} skipped ({' and '.join(where)}) "
            "need it; `make torch` installs it, then `make test` runs them.")


def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):          # an xdist worker: the controller reports
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    modules, tests = torch_skips(reporter.stats.get("skipped", ()))
    if modules or tests:
        reporter.write_line(torch_note(modules, tests), yellow=True, bold=True)

"""Shared test settings: Qt renders offscreen, never on a real display."""
import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "resources" / "examples"

# Hypothesis: CI is repeatable (derandomized, fixed example counts); "nightly" searches longer
# with fresh randomness (pass --hypothesis-seed=N to replay one run).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, max_examples=50, print_blob=True)
settings.register_profile("nightly", derandomize=False, max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

"""The model: the GUI's only door to the engine — a QObject over one ``engine.Graph``.

The boundary (docs/architecture.md): no other ``gui`` module holds the ``engine.Graph`` or
calls its methods. They read through this model, which hands out copies and read-only views
(``NodeView``, ``Edge``, read-only arrays), and they edit through its methods, which undo
commands call. Every edit is announced by a past-tense signal. Re-runs are throttled: the
first edit of a burst starts a short timer, so a stream of edits re-runs at most once per
interval and once more after the last edit. A re-run (``engine.evaluate``) refreshes
``values``, ``grads``, ``problems``, ``shapes``, ``trace`` and ``status``, then
``results_changed`` fires. An engine exception never escapes a re-run.

``graph_model.py`` holds GraphModel (reading, editing, re-runs, the modified flag); its
training API (``training_access.py``) and chain-rule API (``chain_rule_access.py``) are mixins.
"""
from .graph_model import LOSS_HOW, RERUN_INTERVAL_MS, GraphModel, NodeView, TrainingError, read_only

__all__ = ["GraphModel", "NodeView", "TrainingError", "read_only", "LOSS_HOW",
           "RERUN_INTERVAL_MS"]

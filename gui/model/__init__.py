"""The model: the GUI's only door to the engine (the boundary is in docs/architecture.md).

``graph_model.py`` holds GraphModel (reading, editing, throttled re-runs, the modified flag;
its docstring says how); its training API (``training_access.py``) and chain-rule API
(``chain_rule_access.py``) are mixins of it.
"""
from gui.model.graph_model import LOSS_HOW, RERUN_INTERVAL_MS, GraphModel, NodeView, read_only


def __getattr__(name: str):
    if name == "TrainingError":            # the engine's trainer, loaded when first needed
        from gui.model import graph_model
        return graph_model.TrainingError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["GraphModel", "NodeView", "TrainingError", "read_only", "LOSS_HOW",
           "RERUN_INTERVAL_MS"]

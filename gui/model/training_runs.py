"""The model's door to training runs on a worker (engine/training/live.py, remote.py): the
launcher and the plain-data records a run sends, for gui/training/worker.py and the panel's
probe (gui modules take from the engine only through the model)."""
from __future__ import annotations

from engine.training import remote
from engine.training.live import Failure, GridSampler, RunOptions, Snapshot, still_snapshot

__all__ = ["remote", "Failure", "GridSampler", "RunOptions", "Snapshot", "still_snapshot"]

"""The one error of training: it cannot start or go on."""
from __future__ import annotations

from engine.errors import Kind


class TrainingError(ValueError):
    """Training cannot start or go on; the message says why. `kind` (an ``engine.Kind`` or
    None), `node` (the node to blame, or None) and `step` (the step that failed, or None)
    let a GUI highlight the node; `role` ("features" or "targets") says which data node a
    NO_DATA_NODE problem, or a SHAPE problem (the data's width does not fit), is about."""

    def __init__(self, message: str, kind: Kind | None = None, node: str | None = None,
                 step: int | None = None, port: int | None = None, role: str | None = None):
        super().__init__(message)
        self.kind, self.node, self.step, self.port, self.role = kind, node, step, port, role

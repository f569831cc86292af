"""Where a set of weights sits on the training plots: timelines and marks (no Qt).

A ``Timeline`` is one line of training the plots draw: every snapshot the plots got, in order,
with its step offset (light copies: no weights, no prediction grid). A ``Mark`` is a set of
weights the user has seen: a timeline and the step of the plots' axis those weights belong to.
The session gives every weights change it makes (a run, Step, Reset, Re-init) the marks it
goes from and to, so an undo or redo lands on a mark: the panel shows that step, the curves
up to it in colour and the rest of the timeline (an undone run) greyed. A new run from an
earlier step starts a branch (``branch``): the old timeline stays as it was, for a redo.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np


class Timeline:
    def __init__(self, records=(), initial: dict | None = None):
        self.records: list = list(records)     # [(Snapshot, offset)] in step order
        self.initial = initial                 # the weights at step 0 (Reset's), when known

    def add(self, snap, offset: int) -> None:
        self.records.append((replace(snap, values={}, prediction=None), offset))

    @property
    def end(self) -> int:
        """The last step it reaches on the plots' axis (0 when empty)."""
        return max((s.step + o for s, o in self.records), default=0)

    def branch(self, step: int) -> "Timeline":
        """A new timeline with the records up to `step` (a new run starts there)."""
        return Timeline([(s, o) for s, o in self.records if s.step + o <= step], self.initial)


@dataclass(frozen=True)
class Mark:
    timeline: Timeline
    step: int
    epochs: float = 0.0


def fingerprint(values: dict) -> str:
    """A digest of parameter values (ids, shapes, exact bytes): equal weights, equal prints."""
    digest = hashlib.blake2b(digest_size=16)
    for key in sorted(values):
        value = values[key]
        if value is None:
            digest.update(f"{key}:none;".encode())
            continue
        array = np.ascontiguousarray(np.asarray(value, dtype=np.float64))
        digest.update(f"{key}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()

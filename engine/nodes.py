"""A graph's records: ``Node`` (id, op, attrs, leaf value, canvas position, extra keys) and
``Edge`` (source, target, port). ``Graph`` holds them; ``engine.graph`` re-exports both."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Node:
    id: str
    op: str
    attrs: dict
    value: np.ndarray | None = None
    position: tuple | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    port: int
    extra: dict = field(default_factory=dict, compare=False)

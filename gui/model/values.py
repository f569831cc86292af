"""Values on their way into the engine."""
from __future__ import annotations

import copy

import numpy as np


def copy_value(value):
    """An independent copy of a value on its way into the engine (arrays copied; anything
    else handed over as it is, for the engine to accept or refuse)."""
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    return copy.deepcopy(value)

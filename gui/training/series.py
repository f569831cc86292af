"""Growing arrays for the live plots (no Qt): amortised appends, views for ``setData``."""
from __future__ import annotations

import numpy as np


class Series:
    """x and y values appended as they come; ``x`` / ``y`` are views of the filled part."""

    def __init__(self, capacity: int = 1024):
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def clear(self) -> None:
        self.size = 0

    def extend(self, x, y) -> None:
        x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
        need = self.size + len(x)
        if need > len(self._x):
            capacity = max(need, 2 * len(self._x))
            self._x = np.resize(self._x, capacity)
            self._y = np.resize(self._y, capacity)
        self._x[self.size:need], self._y[self.size:need] = x, y
        self.size = need

    def append(self, x: float, y: float) -> None:
        self.extend([x], [y])

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.size]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.size]

    def nearest(self, x: float) -> int | None:
        """Index of the point whose x is nearest `x` (x ascending), None when empty."""
        if not self.size:
            return None
        xs = self.x
        i = int(np.searchsorted(xs, x))
        if i >= self.size:
            return self.size - 1
        if i > 0 and x - xs[i - 1] < xs[i] - x:
            return i - 1
        return i


class Smoothed:
    """A debiased exponential moving average of a Series' y, kept up to date as it grows
    (TensorBoard's smoothing): weight 0 shows the raw values."""

    def __init__(self, source: Series, weight: float = 0.0):
        self.source = source
        self.weight = weight
        self.values = Series()
        self._last = 0.0
        self._count = 0

    def set_weight(self, weight: float) -> None:
        if weight != self.weight:
            self.weight = weight
            self.values.clear()
            self._last, self._count = 0.0, 0

    def update(self) -> Series:
        src, out = self.source, self.values
        if out.size > src.size:        # the source was cleared
            out.clear()
            self._last, self._count = 0.0, 0
        if out.size == src.size:
            return out
        new = src.y[out.size:]
        w = self.weight
        if w == 0:
            out.extend(src.x[out.size:], new)
            return out
        ema = exponential_average(new, w, self._last)
        last, count = float(ema[-1]), self._count + len(new)
        smoothed = ema / (1.0 - w ** np.arange(self._count + 1, count + 1, dtype=np.float64))
        self._last, self._count = last, count
        out.extend(src.x[out.size:out.size + len(new)], smoothed)
        return out


def exponential_average(values: np.ndarray, weight: float, start: float = 0.0) -> np.ndarray:
    """s_i = weight·s_(i−1) + (1 − weight)·values_i from s_(−1) = start, vectorised: within a
    block s = wᵏ·(start + (1 − w)·cumsum(values / wᵏ)), with blocks short enough that
    w⁻ᵏ stays below 10⁶ (no precision lost to large numbers)."""
    values = np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    if weight <= 0.0 or weight >= 1.0:    # no smoothing; or nothing but the start
        out[:] = values if weight <= 0.0 else start
        return out
    block = max(1, min(4096, int(6.0 / -np.log10(weight))))
    powers = weight ** np.arange(1, min(block, len(values)) + 1, dtype=np.float64)
    last = start
    for a in range(0, len(values), block):
        chunk = values[a:a + block]
        p = powers[:len(chunk)]
        with np.errstate(over="ignore", invalid="ignore"):   # a diverging run: inf, as drawn
            out[a:a + len(chunk)] = p * (last + (1.0 - weight) * np.cumsum(chunk / p))
        last = out[a + len(chunk) - 1]
    return out

"""The built-in toy datasets, and ``Dataset``: the rows a Trainer trains on.

``make_dataset(name, n=200, noise=0.1, seed=0, classes=3)`` builds one of ``DATASETS``; the
same arguments always give the same arrays. ``X`` is (n, features), ``Y`` is (n, outputs):

- ``binary``     — Y (n, 1) of 0/1: xor, circles, moons.
- ``multiclass`` — Y one-hot (n, k): spiral (k = `classes`).
- ``regression`` — Y (n, 1): linear, sine (X (n, 1), sorted, so predictions plot as a curve).

`noise` is the standard deviation of Gaussian noise: added to each coordinate for the 2-D
sets, to the target for the regression sets. Rows of the classification sets are shuffled.
The arrays are read-only, so nobody can change a dataset behind the trainer's back. The
user's own data (a CSV) becomes a Dataset in ``engine.training.data``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np


TASKS = ("binary", "multiclass", "regression")

DATASETS = {
    "xor": "XOR: four blobs around (±1, ±1); label 1 where x1·x2 < 0",
    "circles": "two concentric circles (radii 1 and 0.5); label 1 on the inner one",
    "moons": "two interleaving half moons; label 1 on the lower one",
    "spiral": "k interleaved spiral arms, one class per arm (one-hot targets)",
    "linear": "y = 1.5·x − 0.5 + noise, x in [−1, 1]",
    "sine": "y = sin(x) + noise, x in [−π, π]",
}


@dataclass(frozen=True)
class Dataset:
    X: np.ndarray
    Y: np.ndarray
    task: str
    name: str
    feature_names: tuple = field(default=())
    target_names: tuple = field(default=())

    def __len__(self) -> int:
        return len(self.X)

    @property
    def classes(self) -> int | None:
        """Number of classes (2 for binary), None for regression."""
        if self.task == "regression":
            return None
        return 2 if self.task == "binary" else self.Y.shape[1]


def _frozen(array) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


def _integer(value, message: str, low: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 200.0 from a JSON writer is 200
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{message}, got {value!r}")
    return int(value)


def _check_args(name, n, noise, classes) -> tuple[int, float, int]:
    """Validated (n, noise, classes)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")
    n = _integer(n, "dataset size n must be a positive integer", 1)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) \
            or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    classes = _integer(classes, "classes must be an integer >= 2", 2)
    return n, float(noise), classes


def _split(n: int, parts: int) -> list[int]:
    """Sizes of `parts` groups of n rows, as even as possible."""
    return [len(chunk) for chunk in np.array_split(np.arange(n), parts)]


def _xor(n, noise, rng):
    centers = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)
    X = centers[np.arange(n) % 4] + noise * rng.standard_normal((n, 2))
    return X, (X[:, 0] * X[:, 1] < 0).astype(np.float64)[:, None]


def _circles(n, noise, rng):
    outer, inner = _split(n, 2)
    t = np.concatenate([np.linspace(0, 2 * np.pi, outer, endpoint=False),
                        np.linspace(0, 2 * np.pi, inner, endpoint=False)])
    radius = np.concatenate([np.ones(outer), np.full(inner, 0.5)])
    X = np.column_stack([radius * np.cos(t), radius * np.sin(t)])
    X = X + noise * rng.standard_normal(X.shape)
    return X, np.concatenate([np.zeros(outer), np.ones(inner)])[:, None]


def _moons(n, noise, rng):
    upper, lower = _split(n, 2)
    t_up, t_low = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    X = np.concatenate([np.column_stack([np.cos(t_up), np.sin(t_up)]),
                        np.column_stack([1 - np.cos(t_low), 0.5 - np.sin(t_low)])])
    X = X + noise * rng.standard_normal(X.shape)
    return X, np.concatenate([np.zeros(upper), np.ones(lower)])[:, None]


def _spiral(n, noise, rng, classes):
    points, labels = [], []
    for k, size in enumerate(_split(n, classes)):
        radius = np.linspace(0.05, 1.0, size)
        angle = np.linspace(0, 4.0, size) + 2 * np.pi * k / classes
        points.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(size, k))
    X = np.concatenate(points)
    X = X + noise * rng.standard_normal(X.shape)
    return X, np.eye(classes)[np.concatenate(labels)]


def make_dataset(name: str, n: int = 200, noise: float = 0.1, seed: int | None = 0,
                 classes: int = 3) -> Dataset:
    """The built-in dataset `name` (see ``DATASETS``); deterministic for a given seed."""
    n, noise, classes = _check_args(name, n, noise, classes)
    if seed is not None:
        seed = _integer(seed, "seed must be a non-negative integer", 0)
    rng = np.random.default_rng(seed)
    if name in ("linear", "sine"):
        x = np.sort(rng.uniform(-1.0, 1.0, n) * (np.pi if name == "sine" else 1.0))
        clean = 1.5 * x - 0.5 if name == "linear" else np.sin(x)
        Y = clean + noise * rng.standard_normal(n)
        return Dataset(_frozen(x[:, None]), _frozen(Y[:, None]), "regression", name,
                       ("x",), ("y",))
    if name == "spiral":
        X, Y = _spiral(n, noise, rng, classes)
        task = "multiclass"
    else:
        X, Y = {"xor": _xor, "circles": _circles, "moons": _moons}[name](n, noise, rng)
        task = "binary"
    order = rng.permutation(n)
    targets = tuple(f"class {k}" for k in range(Y.shape[1])) if task == "multiclass" else ("y",)
    return Dataset(_frozen(X[order]), _frozen(Y[order]), task, name, ("x1", "x2"), targets)


def _shown(labels, limit: int = 6) -> str:
    """Labels for a message: the first `limit`, then how many more."""
    shown = ", ".join(labels[:limit])
    return shown + (f", ... {len(labels) - limit} more" if len(labels) > limit else "")

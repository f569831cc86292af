"""What a Trainer trains on: a data section's rows, read, encoded, split and standardised.

A data section (the graph file's ``data``, or the panel's or the command line's settings)::

    built-in set:  {"dataset": "xor", "n": 200, "noise": 0.1, "seed": 0, "classes": 3}
    the user's:    {"csv": "iris.csv", "target": "species"}
    either, also:  "features", "targets"  input node ids (read by the Trainer)
                   "test_fraction"        0 <= f < 1, default 0: rows held out for testing
                   "standardize"          true, false, or {"mean": [...], "std": [...]}
                                          (default: true for a CSV, false for a built-in set)

A CSV's header names its columns; the target defaults to the last column and the features
are all the others. The target is encoded for the loss: **classes** are the sorted distinct
labels of the whole column (numbers numerically, text lexically) — one-hot for softmax_ce
(as many classes as the layer producing the prediction is wide), 0/1 for sigmoid_bce
(exactly two; the second is 1) — and numbers stay numbers for mse and any other loss.

**Split**: with f > 0, ``round(f · n)`` rows (at least 1, at most n − 1) are held out: the
first ones of ``np.random.default_rng([seed, 1]).permutation(n)``, where seed is the
training seed; both parts keep the file's row order. **Standardisation**: the features'
mean and population standard deviation over the *training* rows (a constant column gets
std 1); both parts are then ``(X − mean) / std``. Recorded numbers (a dict) are used as
they are, so a saved model keeps the inputs it was trained on.

Every problem is a ValueError with one clear line.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from numbers import Real
from pathlib import Path

import numpy as np

from engine.training.datasets import Dataset, _frozen, _shown, make_dataset
from engine.training.tables import read_table

SPLIT_STREAM = 1   # the split draws from default_rng([seed, SPLIT_STREAM])


class DataError(ValueError):
    """The data does not fit the graph; `node` is the input node it does not fit."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(message)
        self.node = node


@dataclass(frozen=True)
class Fit:
    """What the graph expects of its data: the loss op and the row widths it takes (None when
    unknown), read from its layers (``engine.networks.widths``); `features_by` / `targets_by`
    name the node that says so (a weight, the prediction), for messages."""
    loss_op: str
    features: str
    targets: str
    features_width: int | None = None
    targets_width: int | None = None
    features_by: str | None = None
    targets_by: str | None = None

    def takes(self, role: str) -> str:
        """"the features node 'x' takes 4 (it feeds 'W1')", for messages."""
        node, width, by = ((self.features, self.features_width, self.features_by)
                           if role == "features" else
                           (self.targets, self.targets_width, self.targets_by))
        said = "" if by is None or by == node else (
            f" (it feeds {by!r})" if role == "features" else f" (the width of {by!r})")
        return f"the {role} node {node!r} takes {width}{said}"


@dataclass(frozen=True)
class Standardization:
    """x → (x − mean) / std per feature column."""
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def of(cls, X: np.ndarray) -> "Standardization":
        std = X.std(axis=0)
        return cls(_frozen(X.mean(axis=0)), _frozen(np.where(std > 0, std, 1.0)))

    @classmethod
    def from_section(cls, value, width: int, source: str) -> "Standardization":
        if not isinstance(value, dict) or set(value) != {"mean", "std"}:
            raise ValueError(f"{source}: standardize must be true, false or "
                             "{\"mean\": [...], \"std\": [...]}")
        arrays = []
        for key in ("mean", "std"):
            try:
                array = np.array(value[key], dtype=np.float64)
            except (TypeError, ValueError):
                array = np.empty(0)
            if array.shape != (width,) or not np.isfinite(array).all():
                raise ValueError(f"{source}: standardize.{key} must be {width} numbers, one per "
                                 "feature column")
            arrays.append(array)
        if (arrays[1] <= 0).any():
            raise ValueError(f"{source}: standardize.std must be positive")
        return cls(_frozen(arrays[0]), _frozen(arrays[1]))

    def apply(self, X) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.std

    def invert(self, X) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) * self.std + self.mean

    def to_section(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}


@dataclass(frozen=True)
class TrainingData:
    """The rows a Trainer draws batches from (`train`), the held-out rows (`test`, or None),
    the standardisation applied to both (or None), the class labels in the order of the
    targets' columns (None for regression), and the section as used (`section`: defaults
    filled in, the CSV path absolute)."""
    train: Dataset
    test: Dataset | None
    standardization: Standardization | None
    labels: tuple | None
    section: dict

    def section_for(self, folder) -> dict:
        """The section to save in a graph file in `folder`: the CSV path relative to it, the
        standardisation's numbers recorded."""
        section = dict(self.section)
        if "csv" in section:
            try:
                section["csv"] = Path(os.path.relpath(section["csv"], folder)).as_posix()
            except ValueError:  # another drive (Windows): only an absolute path will do
                section["csv"] = Path(section["csv"]).as_posix()
        if self.standardization is not None:
            section["standardize"] = self.standardization.to_section()
        return section


def _fraction(value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) \
            or not 0 <= value < 1:
        raise ValueError(f"test_fraction must be a number from 0 up to (not including) 1, "
                         f"got {value!r}")
    return float(value)


def split_rows(n: int, test_fraction: float, seed: int | None):
    """(train rows, test rows or None) as sorted index arrays; see the module doc."""
    if test_fraction == 0:
        return np.arange(n), None
    if n < 2:
        raise ValueError(f"a test split needs at least 2 rows, the data has {n}")
    n_test = min(max(int(test_fraction * n + 0.5), 1), n - 1)
    rng = np.random.default_rng(None if seed is None else [seed, SPLIT_STREAM])
    order = rng.permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def prepare(section: dict, fit: Fit, seed: int | None = 0, folder=None) -> TrainingData:
    """The TrainingData a data `section` describes, encoded for `fit`; a relative CSV path is
    taken from `folder` (default: the working directory)."""
    section = dict(section)
    fraction = _fraction(section.get("test_fraction", 0))
    if section.get("csv") is not None:
        data, labels = _csv(section, fit, folder)
        default_standardize = True
    elif section.get("dataset") is not None:
        options = {k: section[k] for k in ("n", "noise", "seed", "classes") if k in section}
        data = make_dataset(section["dataset"], **options)
        labels = _builtin_labels(data)
        default_standardize = False
    else:
        raise ValueError("no data: the data section names neither a \"dataset\" nor a \"csv\"")
    train_rows, test_rows = split_rows(len(data), fraction, seed)
    train, test = _subset(data, train_rows), _subset(data, test_rows, " (test)")
    standardize = section.get("standardize", default_standardize)
    scaler = None
    if isinstance(standardize, dict):
        scaler = Standardization.from_section(standardize, data.X.shape[1], "data")
    elif standardize is True:
        scaler = Standardization.of(train.X)
    elif standardize is not False:
        raise ValueError(f"data: standardize must be true, false or "
                         f"{{\"mean\": [...], \"std\": [...]}}, got {standardize!r}")
    if scaler is not None:
        train, test = _scaled(train, scaler), _scaled(test, scaler)
        section["standardize"] = scaler.to_section()
    if fraction or "test_fraction" in section:
        section["test_fraction"] = fraction
    return TrainingData(train, test, scaler, labels, section)


def _subset(data: Dataset, rows, suffix: str = "") -> Dataset | None:
    if rows is None:
        return None
    if len(rows) == len(data) and not suffix:
        return data
    return Dataset(_frozen(data.X[rows]), _frozen(data.Y[rows]), data.task, data.name + suffix,
                   data.feature_names, data.target_names)


def _scaled(data: Dataset | None, scaler: Standardization) -> Dataset | None:
    if data is None:
        return None
    return Dataset(_frozen(scaler.apply(data.X)), data.Y, data.task, data.name,
                   data.feature_names, data.target_names)


def _builtin_labels(data: Dataset) -> tuple | None:
    if data.task == "multiclass":
        return data.target_names
    return ("0", "1") if data.task == "binary" else None


def _csv(section: dict, fit: Fit, folder) -> tuple[Dataset, tuple | None]:
    """Read the section's CSV and encode it for `fit`; fills in section's csv and target."""
    path = Path(section["csv"])
    if not path.is_absolute():
        path = Path(folder or ".") / path
    table = read_table(path)
    source = table.source
    if table.width < 2:
        raise ValueError(f"{source}: need at least two columns (features and a target), "
                         f"found {table.width}")
    target = table.column(section["target"] if section.get("target") is not None else -1)
    name = table.names[target]
    features = [k for k in range(table.width) if k != target]
    if fit.features_width is not None and len(features) != fit.features_width:
        raise DataError(f"{source}: {len(features)} feature column"
                         f"{'s' if len(features) != 1 else ''} "
                         f"({_shown([table.names[k] for k in features])}) but "
                         f"{fit.takes('features')}", fit.features)
    table.check_complete(range(table.width))
    X = table.numbers(features)
    labels = None
    if fit.loss_op in ("softmax_ce", "sigmoid_bce"):
        codes, labels = table.classes(target)
        k = len(labels)
        counted = f"{k} class{'es' if k != 1 else ''} ({_shown(labels)})"
        if fit.loss_op == "softmax_ce":
            if fit.targets_width is not None and k != fit.targets_width:
                raise DataError(f"{source}: column {name!r} has {counted} but "
                                f"{fit.takes('targets')} (softmax_ce: one column per class)",
                                fit.targets)
            Y, task = np.eye(k)[codes], "multiclass"
        else:
            if k != 2:
                raise DataError(f"{source}: column {name!r} has {counted}: sigmoid_bce needs "
                                "exactly 2", fit.targets)
            Y, task = codes[:, None].astype(np.float64), "binary"
    else:
        Y = table.numbers([target], f" ({fit.loss_op} needs numbers)")
        task = "regression"
    width = Y.shape[1]
    if task != "multiclass" and fit.targets_width not in (None, width):
        raise DataError(f"{source}: the target is one column ({name!r}) but "
                        f"{fit.takes('targets')}", fit.targets)
    section.update(csv=str(path.resolve()), target=name)
    if labels is not None:
        section["labels"] = list(labels)
    for key in ("dataset", "n", "noise", "seed", "classes"):
        section.pop(key, None)   # they describe a built-in set
    data = Dataset(_frozen(X), _frozen(Y), task, path.stem,
                   tuple(table.names[k] for k in features),
                   labels if task == "multiclass" else (name,))
    return data, labels

"""What a network for a CSV predicts: classes or numbers, and so its loss and output width.

The rule (the same in ``main.py new`` and the builder dialog):

- text labels are classes;
- a column of numbers is classes when every value is an integer and it has at most
  ``CLASS_LIMIT`` (20) distinct values, and numbers otherwise;
- an explicit task (``classify`` or ``regress``) overrides that.

Classes are the sorted distinct labels (numbers numerically, text lexically, as the training
data encodes them): three or more → ``softmax_ce`` with one output per class (one-hot rows),
two → ``sigmoid_bce`` with one output (the second class is 1); numbers → ``mse``, one output.
A column with one class, or a table without a feature column, is a ValueError with one line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from engine.training.tables import Table, is_number

CLASS_LIMIT = 20
TASKS = ("classify", "regress")


@dataclass(frozen=True)
class Target:
    """The target column and what the network predicts from it."""
    column: str
    task: str                   # "classify" or "regress"
    loss_op: str                # softmax_ce, sigmoid_bce or mse
    outputs: int                # the prediction's width
    labels: tuple | None        # the classes in the order of the outputs; None for numbers
    why: str                    # how the task was chosen, in words

    @property
    def description(self) -> str:
        """'3 classes (setosa, versicolor, virginica)' or 'numbers'."""
        if self.labels is None:
            return "numbers"
        shown = ", ".join(self.labels[:6]) + (
            f", ... {len(self.labels) - 6} more" if len(self.labels) > 6 else "")
        return f"{len(self.labels)} classes ({shown})"


@dataclass(frozen=True)
class CsvColumns:
    """A CSV read for a network: its table, the feature columns and the target."""
    table: Table
    features: tuple[str, ...]
    target: Target

    @property
    def source(self) -> str:
        return self.table.source


def read_columns(table: Table, target=None, task: str | None = None) -> CsvColumns:
    """The feature columns (all but the target) and the ``Target`` of `table`; `target` is a
    column name or index (default: the last column)."""
    if table.width < 2:
        raise ValueError(f"{table.source}: no feature columns: the only column, "
                         f"{table.names[0]!r}, is the target")
    index = table.column(target if target is not None else -1)
    features = tuple(name for k, name in enumerate(table.names) if k != index)
    return CsvColumns(table, features, choose_target(table, index, task))


def choose_target(table: Table, column: int, task: str | None = None) -> Target:
    """What the network predicts from `column` (see the module doc)."""
    if task is not None and task not in TASKS:
        raise ValueError(f"unknown task {task!r}: choose classify or regress")
    table.check_complete([column])
    name = table.names[column]
    cells = [row[column] for row in table.rows]
    numeric = all(is_number(cell) for cell in cells)
    if task == "regress" and not numeric:
        cell = next(c for c in cells if not is_number(c))
        raise ValueError(f"{table.source}: column {name!r} holds text ({cell!r}): a regression "
                         "needs numbers (drop --task regress to classify it)")
    if task is None:
        if not numeric:
            task, why = "classify", "text labels are classes"
        else:
            values = {float(c) for c in cells}
            whole = all(math.isfinite(v) and v.is_integer() for v in values)
            if whole and len(values) <= CLASS_LIMIT:
                task, why = "classify", (f"whole numbers with {len(values)} distinct values "
                                         "are classes; --task regress treats them as numbers")
            else:
                task, why = "regress", (
                    "numbers that are not all whole are regressed" if not whole else
                    f"more than {CLASS_LIMIT} distinct whole numbers are regressed; "
                    "--task classify treats them as classes")
    else:
        why = f"--task {task} was asked for"
    if task == "regress":
        return Target(name, task, "mse", 1, None, why)
    _, labels = table.classes(column)
    if len(labels) < 2:
        raise ValueError(f"{table.source}: column {name!r} has one class ({labels[0]!r}): "
                         "there is nothing to tell apart (a classifier needs 2 or more)")
    if len(labels) == 2:
        return Target(name, task, "sigmoid_bce", 1, labels, why)
    return Target(name, task, "softmax_ce", len(labels), labels, why)

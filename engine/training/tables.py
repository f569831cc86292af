"""The user's CSV as a table of text cells: reading it, columns as numbers, class labels.

``read_table(path)`` keeps every cell as text, so that a column of class names
("setosa", "virginica") and a column of numbers are read the same way; ``Table.numbers`` and
``Table.classes`` then turn chosen columns into arrays. Every problem is a ValueError whose
message names the file, and the line and column when there is one::

    iris.csv, line 7, column 'sepal_width': missing value
    iris.csv, line 9, column 'petal_length': 'abc' is not a number

The first row is the header: it names the columns. Cells are separated by commas (or ``;``,
a tab, or spaces, guessed from the first line);
quotes work as in any CSV. Blank lines and lines starting with ``#`` are skipped. An empty
cell, ``NA``, ``N/A``, ``NaN``, ``null``, ``None`` or ``?`` is a missing value. Numbers use a
decimal point: a decimal comma (``14,23``, the CSV of a spreadsheet set to a language that
writes decimals so, usually with ``;`` between cells) is refused with a message that says so
and what to do.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def decimal_comma_hint(cell: str, delimiter: str) -> str:
    """What to do about ``cell`` when it is a number written with a decimal comma ("" when
    it is not one)."""
    if not DECIMAL_COMMA.fullmatch(cell.strip()):
        return ""
    separated = {";": "semicolons", "\t": "tabs", " ": "spaces"}.get(delimiter)
    cells = f" (and separates its cells with {separated})" if separated else ""
    point = cell.strip().replace(",", ".")
    return (f": the file writes decimals with a comma{cells}, the way spreadsheets in French, "
            f"German and many other languages save CSV. Write numbers with a decimal point "
            f"({point}): export the CSV with '.' as the decimal separator, or replace those "
            "commas with points")


@dataclass(frozen=True)
class Table:
    """Rows of text cells. `names` has one name per column (the header's); `lines[r]` is
    the file line of row r, for messages."""
    source: str
    names: tuple
    rows: tuple
    lines: tuple
    delimiter: str = ","

    @property
    def width(self) -> int:
        return len(self.names)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, column) -> int:
        """The index of `column`: a header name or an index (negative counts from the end)."""
        if isinstance(column, str):
            if column in self.names:
                return self.names.index(column)
            raise ValueError(f"{self.source}: no column named {column!r} "
                             f"(columns: {', '.join(self.names)})")
        if isinstance(column, Integral) and not isinstance(column, bool) \
                and -self.width <= column < self.width:
            return int(column) % self.width
        raise ValueError(f"{self.source}: column {column!r} out of range "
                         f"(the file has {self.width} columns)")

    def where(self, row: int, column: int | None = None) -> str:
        """'data.csv, line 7, column 'b'' for messages."""
        text = f"{self.source}, line {self.lines[row]}"
        if column is not None:
            text += f", column {self.names[column]!r}"
        return text

    def check_complete(self, columns) -> None:
        """ValueError naming the first missing value (in file order) among `columns`."""
        for r, cells in enumerate(self.rows):
            for c in columns:
                if is_missing(cells[c]):
                    shown = f" ({cells[c]!r})" if cells[c].strip() else ""
                    raise ValueError(f"{self.where(r, c)}: missing value{shown}")

    def numbers(self, columns, why: str = "") -> np.ndarray:
        """The `columns` as a float64 array (rows × columns); text, a missing or a non-finite
        value is a ValueError naming the line and column (and `why`, e.g. "mse needs numbers")."""
        columns = list(columns)
        self.check_complete(columns)
        data = np.empty((len(self.rows), len(columns)))
        for r, cells in enumerate(self.rows):
            for j, c in enumerate(columns):
                try:
                    value = float(cells[c])
                except ValueError:
                    hint = decimal_comma_hint(cells[c], self.delimiter) or why
                    raise ValueError(f"{self.where(r, c)}: {cells[c]!r} is not a number"
                                     f"{hint}") from None
                if not math.isfinite(value):
                    raise ValueError(f"{self.where(r, c)}: {cells[c]!r} is not a finite number")
                data[r, j] = value
        return data

    def classes(self, column: int) -> tuple[np.ndarray, tuple]:
        """(codes, labels): the sorted distinct labels of `column` — numerically when every
        cell is a number, else as text — and each row's index into them."""
        self.check_complete([column])
        cells = [row[column] for row in self.rows]
        if all(is_number(cell) for cell in cells):
            values = np.array([float(cell) for cell in cells])
            distinct, codes = np.unique(values, return_inverse=True)
            labels = tuple(f"{v:g}" for v in distinct)
        else:
            labels = tuple(sorted(set(cells)))
            index = {label: k for k, label in enumerate(labels)}
            codes = np.array([index[cell] for cell in cells], dtype=np.intp)
        return codes.reshape(-1), labels


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"{path}: cannot read the file: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: cannot read the file: it is a folder") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: cannot read the file: it is not UTF-8 text") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot read the file ({error.strerror or error})") from None
    return [(i, line) for i, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]


def _delimiter(lines) -> str:
    return next((d for d in ",;\t" if d in lines[0][1]), " ")


def _split(lines) -> list[tuple[int, list[str]]]:
    delimiter = _delimiter(lines)
    rows = []
    for number, line in lines:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
        if delimiter == " ":
            cells = [c for c in cells if c != ""]
        rows.append((number, [c.strip() for c in cells]))
    return rows


def read_table(path) -> Table:
    """The CSV at `path` as a Table; its first row is the header. Every row must have as many
    cells as the header; ValueError otherwise (a missing file, no data, a header with no rows,
    a blank or repeated column name, ...)."""
    path = Path(path)
    rows = _split(lines) if (lines := _lines(path)) else []
    source = path.name
    if not rows:
        raise ValueError(f"{source}: the file holds no data")
    first_line, first = rows[0]
    width = len(first)
    names, rows = tuple(first), rows[1:]
    if not rows:
        raise ValueError(f"{source}: the file has a header but no data rows")
    blank = [k + 1 for k, name in enumerate(names) if not name]
    if blank:
        raise ValueError(f"{source}, line {first_line}: column {blank[0]} has no name "
                         "in the header")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{source}, line {first_line}: the header names column "
                         f"{repeated[0]!r} twice")
    for number, cells in rows:
        if len(cells) != width:
            raise ValueError(f"{source}, line {number}: expected {width} values, "
                             f"found {len(cells)}")
    return Table(source, names, tuple(tuple(c) for _, c in rows),
                 tuple(n for n, _ in rows), _delimiter(lines))

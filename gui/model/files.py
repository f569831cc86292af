"""Documents on disk: reading and writing graphs with one clear error, recent files, examples.

Reading and writing go through the engine (`engine.load_graph`, `engine.save_graph`, which is
atomic); this module turns every failure into a `DocumentError` with one sentence a user can
act on, so the window never shows a traceback.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QSettings

import engine

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "resources" / "examples"
MAX_RECENT = 10
RECENT_KEY = "files/recent"


class DocumentError(Exception):
    """A graph could not be read or written; `str(e)` is one sentence for the user."""


def read_graph(path: str | os.PathLike) -> "engine.Graph":
    """The graph in `path`, or DocumentError saying why not (nothing is half-loaded)."""
    path = Path(path)
    try:
        return engine.load_graph(str(path))
    except engine.FileFormatError as error:
        raise DocumentError(str(error)) from None
    except IsADirectoryError:
        raise DocumentError(f"{path.name}: is a folder, not a graph file") from None
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except PermissionError:
        raise DocumentError(f"{path.name}: permission denied") from None
    except OSError as error:
        raise DocumentError(f"{path.name}: {error.strerror or error}") from None
    except (ValueError, TypeError, KeyError) as error:   # an engine bug must not crash the app
        raise DocumentError(f"{path.name}: cannot read this graph ({error})") from None


def write_graph(model, path: str | os.PathLike) -> None:
    """Save the model's document atomically (the engine writes a temp file and replaces);
    DocumentError on failure."""
    path = Path(path)
    try:
        model.save(str(path))
    except engine.FileFormatError as error:
        raise DocumentError(str(error)) from None
    except PermissionError:
        raise DocumentError(f"{path}: permission denied") from None
    except OSError as error:
        raise DocumentError(f"{path}: {error.strerror or error}") from None
    except (ValueError, TypeError) as error:
        raise DocumentError(f"{path.name}: cannot save this graph ({error})") from None


def example_files(directory: Path = EXAMPLES_DIR) -> list[Path]:
    """The example graphs shipped with the app, sorted by name."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.json"), key=lambda p: p.name.lower())


ACRONYMS = {"xor", "mlp", "mse", "bce", "ce", "relu", "sgd"}


def example_title(path: Path) -> str:
    """`chain_rule.json` → `Chain rule`, `xor_mlp.json` → `XOR MLP`."""
    words = Path(path).stem.replace("-", " ").replace("_", " ").split()
    words = [w.upper() if w.lower() in ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def example_summary(path) -> str:
    """An example's one-line tooltip: the first sentence of its description ("" without)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return ""
    return _summary(str(path), stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _summary(path: str, _mtime: int) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            description = json.load(handle).get("description", "")
    except (OSError, ValueError, AttributeError):
        return ""
    if not isinstance(description, str):
        return ""
    text = " ".join(description.split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def is_example(path: str | os.PathLike | None) -> bool:
    if not path:
        return False
    try:
        return Path(path).resolve().parent == EXAMPLES_DIR.resolve()
    except OSError:
        return False


class RecentFiles:
    """Most-recently-used graph files in QSettings: newest first, at most MAX_RECENT, no dups."""

    def __init__(self, settings: QSettings | None = None):
        self.settings = settings if settings is not None else QSettings()

    def paths(self) -> list[str]:
        raw = self.settings.value(RECENT_KEY, [])
        if isinstance(raw, str):           # QSettings returns a lone string for a 1-item list
            raw = [raw]
        return [str(p) for p in (raw or []) if p][:MAX_RECENT]

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(RECENT_KEY, paths[:MAX_RECENT])
        self.settings.sync()

    def add(self, path: str | os.PathLike) -> None:
        path = str(Path(path).resolve())
        self._store([path] + [p for p in self.paths() if p != path])

    def remove(self, path: str | os.PathLike) -> None:
        path = str(Path(path).resolve())
        self._store([p for p in self.paths() if p != path])

    def prune(self) -> list[str]:
        """Drop files that no longer exist; returns the dropped paths."""
        paths = self.paths()
        missing = [p for p in paths if not Path(p).is_file()]
        if missing:
            self._store([p for p in paths if p not in missing])
        return missing

    def clear(self) -> None:
        self._store([])

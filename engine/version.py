"""The app's version: the installed package's (pyproject.toml), else the constant below."""
from __future__ import annotations

VERSION = "0.1.0"   # keep equal to pyproject.toml's version (tests/test_cli.py checks)


def app_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return VERSION
    try:
        return version("backprop-studio")
    except PackageNotFoundError:
        return VERSION

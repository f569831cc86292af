"""The two errors the engine raises: a problem in a graph, and a problem in a file."""
from __future__ import annotations

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_ESCAPES = str.maketrans({c: c.encode("unicode_escape").decode("ascii") for c in _LINE_BREAKS})


def one_line(text: str) -> str:
    """``text`` with every line break escaped (an id may hold one), so a message stays one line."""
    return str(text).translate(_ESCAPES)


class GraphError(Exception):
    """A graph that cannot run as asked: ``.node`` names the culprit (or is ``None``).

    ``GraphError("message")``, ``GraphError("message", node="h1")`` and
    ``GraphError("h1", "message")`` all work; ``str(e)`` is ``"node 'h1': message"``.
    """

    def __init__(self, *args, node: str | None = None, message: str | None = None):
        if message is None:
            if len(args) == 2:
                node, message = args
            elif len(args) == 1:
                message = args[0]
            else:
                message = "graph error"
        self.node = node
        self.message = str(message)
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.node is None:
            return self.message
        return f"node {self.node!r}: {self.message}"


class FileFormatError(Exception):
    """A file that cannot be read or written as a graph: one clear sentence naming the file."""

    def __init__(self, message="file format error", *args):
        super().__init__(one_line(message), *args)

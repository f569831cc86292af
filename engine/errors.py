"""The two errors the engine raises: a problem in a graph, and a problem in a file."""
from __future__ import annotations


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

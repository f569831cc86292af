"""What can go wrong, in words and in kinds: ``Problem`` records, ``GraphError``, ``FileFormatError``.

Every problem the engine reports carries a machine-readable ``kind`` (a ``Kind``), the node and
port it concerns where there is one, and a one-line message for people. Callers branch on the
kind and show the message; they never parse the text.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_ESCAPES = str.maketrans({c: c.encode("unicode_escape").decode("ascii") for c in _LINE_BREAKS})


def one_line(text: str) -> str:
    """``text`` with every line break escaped (an id may hold one), so a message stays one line."""
    return str(text).translate(_ESCAPES)


class Kind(str, Enum):
    """The kinds of problem a graph, an edit or a pass can have."""
    UNCONNECTED = "unconnected"      # an op node has an input port with no edge
    MISSING_VALUE = "missing_value"  # an input/constant (or an uninitialisable parameter) has no value
    SHAPE = "shape"                  # the op refuses its input shapes
    NONFINITE = "nonfinite"          # a value or a gradient is nan or inf
    CYCLE = "cycle"                  # the node is on a cycle (or an edge would make one)
    BAD_ATTR = "bad_attr"            # an attr is unknown or has a bad value
    BAD_VALUE = "bad_value"          # a leaf value is not a rectangular list of numbers
    UNKNOWN_OP = "unknown_op"
    NO_LOSS = "no_loss"              # nothing to differentiate: the graph is empty
    SEVERAL_SINKS = "several_sinks"  # no loss chosen and more than one end
    LOSS_SHAPE = "loss_shape"        # the loss does not hold exactly one number
    SELF_LOOP = "self_loop"          # an edge from a node into itself
    PORT = "port"                    # a port out of range, or not an integer
    OCCUPIED = "occupied"            # the input port already has an edge
    NO_NODE = "no_node"              # an id that is not in the graph
    DUPLICATE_ID = "duplicate_id"
    BAD_ID = "bad_id"
    OP_FAILED = "op_failed"          # an op raised on its inputs
    BLOCKED = "blocked"              # cannot be computed: a problem upstream
    INTERNAL = "internal"            # a bug of ours, reported rather than raised
    NO_PARAMETERS = "no_parameters"  # training: the graph has no parameter to train
    NO_DATA_NODE = "no_data_node"    # training: no input node named for the features / targets
    NO_DATASET = "no_dataset"        # training: no data set or CSV named

    def __str__(self) -> str:
        return self.value


# Problems that say a node is not finished yet rather than wrong (the canvas draws them amber).
UNFINISHED_KINDS = frozenset({Kind.UNCONNECTED, Kind.MISSING_VALUE})


@dataclass(frozen=True)
class Problem:
    """One problem: ``kind``, a one-line ``message``, and the ``node`` / ``port`` it concerns."""
    kind: Kind
    message: str
    node: str | None = None
    port: int | None = None
    ports: tuple = ()        # every port concerned (e.g. all unconnected inputs), in order

    def __str__(self) -> str:
        return self.message

    @property
    def unfinished(self) -> bool:
        """The node is still being built (an unconnected input, no value yet), not wrong."""
        return self.kind in UNFINISHED_KINDS

    def located(self) -> str:
        """``node 'h1': message`` (or the message alone when no node is concerned)."""
        return self.message if self.node is None else f"node {self.node!r}: {self.message}"


class GraphError(Exception):
    """A graph that cannot run as asked, carrying its ``Problem``.

    ``GraphError(kind, message, node=None, port=None)``; ``str(e)`` is ``"node 'h1': message"``.
    ``e.kind``, ``e.node``, ``e.port`` and ``e.message`` read the problem.
    """

    def __init__(self, kind: Kind, message: str, node: str | None = None,
                 port: int | None = None, ports: tuple = ()):
        if not isinstance(kind, Kind):
            raise TypeError(f"GraphError needs a Kind first, got {kind!r}")
        self.problem = Problem(kind, str(message), node, port, tuple(ports))
        super().__init__(self.problem.located())

    @classmethod
    def of(cls, problem: Problem) -> "GraphError":
        return cls(problem.kind, problem.message, problem.node, problem.port, problem.ports)

    @property
    def kind(self) -> Kind:
        return self.problem.kind

    @property
    def node(self) -> str | None:
        return self.problem.node

    @property
    def port(self) -> int | None:
        return self.problem.port

    @property
    def message(self) -> str:
        return self.problem.message

    def __str__(self) -> str:
        return self.problem.located()


class FileFormatError(Exception):
    """A file that cannot be read or written as a graph: one clear sentence naming the file."""

    def __init__(self, message="file format error", *args):
        super().__init__(one_line(message), *args)

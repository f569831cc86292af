"""Graph files, format version 1 (docs/file-format.md).

Every failure is one ``FileFormatError`` naming the file and the problem; a graph is built
completely or not at all. Unknown keys at the top, node and edge level are kept and written
back, node and edge order is kept, and save → load → save gives equal JSON.
"""
from __future__ import annotations

import copy
import json
import math
import os
import tempfile


from engine.errors import FileFormatError, GraphError
from engine.graph import Graph
from engine.ops import OPS
from engine.values import initial_value, is_finite, nonfinite_kind

FORMAT = "backprop-studio-graph"
VERSION = 1
TOP_KEYS = ("format", "version", "nodes", "edges", "loss")
NODE_KEYS = ("id", "op", "attrs", "value", "position")
EDGE_KEYS = ("source", "target", "port")


# ---------------------------------------------------------------------------- reading
def load_graph(path) -> Graph:
    """Read a graph file; FileFormatError naming the file when it cannot."""
    source = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise FileFormatError(f"{source}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError(f"{source}: not a text file (not UTF-8)") from None
    return loads(text, source=source)


# Python's JSON messages, some of which end mid-sentence ("Unterminated string starting at"),
# as whole sentences about the place the error names
_JSON_PROBLEMS = {
    "Unterminated string starting at": "a string starts here and is never closed",
    "Expecting value": "a value (a number, a string, a list or an object) should start here",
    "Expecting ',' delimiter": "a comma is missing here, between two items",
    "Expecting ':' delimiter": "a colon is missing here, after a key",
    "Expecting property name enclosed in double quotes": "a key in double quotes should "
                                                         "start here",
    "Extra data": "the JSON ended before this point, and more text follows it",
    "Invalid control character at": "a string holds a raw control character here (write a "
                                    "tab or line break as \\t or \\n)",
    "Invalid \\escape": "a backslash here starts an escape JSON does not know",
}
CUT_SHORT = "the file looks cut short (an interrupted save or copy?)"


def json_problem(exc: json.JSONDecodeError) -> str:
    """What is wrong at the place a JSONDecodeError names, as a whole sentence (Python's own
    message is a fragment, "Unterminated string starting at"); a file that ends before the
    JSON is complete is said to look cut short."""
    problem = _JSON_PROBLEMS.get(exc.msg, exc.msg.removesuffix(" at").rstrip(":"))
    doc = exc.doc or ""
    if exc.msg.startswith("Unterminated string"):
        problem += f": {CUT_SHORT}"
    elif not doc[exc.pos:].strip() and exc.msg != "Extra data":
        problem = ("the file ends before the JSON is complete: it looks cut short (an "
                   "interrupted save or copy?)")
    elif exc.msg.startswith("Expecting property name") and doc[:exc.pos].rstrip().endswith(","):
        problem += " (JSON allows no comma before a closing brace)"
    return problem[0].upper() + problem[1:] + "."


def _reject_constant(name):
    raise ValueError(f"{name} is not allowed")


def loads(text: str, source: str = "<string>") -> Graph:
    """A graph from JSON text."""
    if not text.strip():
        raise FileFormatError(f"{source}: the file is empty")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{source}: not valid JSON (line {exc.lineno}, column "
                              f"{exc.colno}): {json_problem(exc)}") from None
    except (ValueError, RecursionError) as exc:
        raise FileFormatError(f"{source}: not valid JSON: {exc}") from None
    return graph_from_dict(data, source=source)


def graph_from_dict(data, source: str = "<dict>") -> Graph:
    """A graph from parsed format-v1 data; FileFormatError(``"source: problem"``)."""
    def fail(problem):
        raise FileFormatError(f"{source}: {problem}")

    if not isinstance(data, dict):
        fail("not a Backprop Studio graph (the top level is not a JSON object)")
    if "format" not in data:
        fail("not a Backprop Studio graph (no \"format\" key)")
    if data["format"] != FORMAT:
        fail(f"not a Backprop Studio graph (format is {data['format']!r}, expected {FORMAT!r})")
    if "version" not in data:
        fail("missing key \"version\"")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        fail(f"unknown version {version!r} (this Backprop Studio reads version {VERSION})")
    if version > VERSION:
        fail(f"version {version} is newer than this Backprop Studio (it reads version "
             f"{VERSION}): please update")
    if version != VERSION:
        fail(f"unknown version {version} (this Backprop Studio reads version {VERSION})")
    for key in ("nodes", "edges"):
        if key not in data:
            fail(f"missing key {key!r}")
        if not isinstance(data[key], list):
            fail(f"{key!r} must be a list")

    graph = Graph()
    try:
        for i, node in enumerate(data["nodes"]):
            _add_node(graph, i, node, fail)
        for i, edge in enumerate(data["edges"]):
            _add_edge(graph, i, edge, fail)
    except GraphError as exc:
        fail(str(exc))
    loss = data.get("loss")
    if loss is not None:
        if not isinstance(loss, str) or loss not in graph:
            fail(f"\"loss\" names no node: {loss!r}")
        graph.loss = loss
    graph.extra = {k: copy.deepcopy(v) for k, v in data.items() if k not in TOP_KEYS}
    return graph


def _add_node(graph: Graph, i: int, node, fail) -> None:
    if not isinstance(node, dict):
        fail(f"node {i} is not a JSON object")
    for key in ("id", "op"):
        if key not in node:
            fail(f"node {i} has no {key!r} key")
    nid, op = node["id"], node["op"]
    if not isinstance(nid, str) or not nid:
        fail(f"node {i}: the id must be a non-empty string, not {nid!r}")
    if nid in graph:
        fail(f"duplicate node id {nid!r} (nodes {graph.node_ids().index(nid)} and {i})")
    if not isinstance(op, str) or op not in OPS:
        fail(f"node {nid!r}: unknown op {op!r}")
    attrs = node.get("attrs", {})
    if attrs is None:
        attrs = {}
    if not isinstance(attrs, dict):
        fail(f"node {nid!r}: \"attrs\" must be an object")
    value = node.get("value")
    if value is not None and OPS[op].arity != 0:
        fail(f"node {nid!r}: a {op} node computes its value; only input, constant and "
             "parameter nodes carry one")
    position = node.get("position")
    if position is not None and not _is_xy(position):
        fail(f"node {nid!r}: \"position\" must be two numbers [x, y]")
    extra = {k: copy.deepcopy(v) for k, v in node.items() if k not in NODE_KEYS}
    added = graph.add_node(nid, op, attrs=attrs, value=value, position=position, extra=extra)
    if added.value is not None and not is_finite(added.value):
        fail(f"node {nid!r}: value is not finite (a number too large for float64?)")


def _is_xy(position) -> bool:
    return (isinstance(position, (list, tuple)) and len(position) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and _finite(v)
        for v in position))


def _finite(v) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:  # an int beyond float64, e.g. 10**400
        return False


def _add_edge(graph: Graph, i: int, edge, fail) -> None:
    if not isinstance(edge, dict):
        fail(f"edge {i} is not a JSON object")
    for key in EDGE_KEYS:
        if key not in edge:
            fail(f"edge {i} has no {key!r} key")
    src, dst, port = edge["source"], edge["target"], edge["port"]
    where = f"edge {i} ({src} → {dst}, port {port})"
    for end in (src, dst):
        if not isinstance(end, str) or end not in graph:
            fail(f"{where}: no node {end!r}")
    if isinstance(port, bool) or not isinstance(port, int):
        fail(f"{where}: the port must be an integer")
    reason = graph.can_connect(src, dst, port)
    if reason is not None:
        fail(f"{where}: {reason}")
    extra = {k: copy.deepcopy(v) for k, v in edge.items() if k not in EDGE_KEYS}
    graph.connect(src, dst, port, extra=extra)


# ---------------------------------------------------------------------------- writing
def graph_to_dict(graph: Graph) -> dict:
    """Format-v1 data for ``graph`` (fresh lists and dicts, safe to modify)."""
    data = {"format": FORMAT, "version": VERSION}
    for key, value in graph.extra.items():
        if key not in TOP_KEYS:
            data[key] = copy.deepcopy(value)
    data["nodes"] = [node_entry(graph.node(nid)) for nid in graph.node_ids()]
    data["edges"] = [edge_entry(edge) for edge in graph.edges()]
    if graph.loss is not None:
        data["loss"] = graph.loss
    return data


def node_entry(node, initialise: bool = True) -> dict:
    """One node as the file writes it. A parameter's value is always written: with
    ``initialise`` a value-less parameter with a shape gets its initial value."""
    entry = {"id": node.id, "op": node.op, "attrs": copy.deepcopy(node.attrs)}
    value = node.value
    if initialise and value is None and node.op == "parameter" \
            and node.attrs.get("shape") is not None:
        try:
            value = initial_value(node)
        except GraphError as exc:
            raise FileFormatError(f"cannot save: {exc}") from None
    if value is not None:
        if not is_finite(value):
            raise FileFormatError(f"cannot save: node {node.id!r} has a value that is not "
                                  f"finite ({nonfinite_kind(value)})")
        entry["value"] = value.tolist()
    if node.position is not None:
        entry["position"] = list(node.position)
    for key, extra in node.extra.items():
        if key not in NODE_KEYS:
            entry[key] = copy.deepcopy(extra)
    return entry


def edge_entry(edge) -> dict:
    """One edge as the file writes it."""
    entry = {"source": edge.source, "target": edge.target, "port": edge.port}
    entry.update({k: copy.deepcopy(v) for k, v in edge.extra.items() if k not in EDGE_KEYS})
    return entry


def _dump(value) -> str:
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def dumps(graph: Graph) -> str:
    """The file's text: one node or edge per line, NaN-free."""
    data = graph_to_dict(graph)
    try:
        parts = []
        for key, value in data.items():
            if key in ("nodes", "edges") and value:
                items = ",\n".join("    " + _dump(item) for item in value)
                parts.append(f"  {_dump(key)}: [\n{items}\n  ]")
            else:
                parts.append(f"  {_dump(key)}: {_dump(value)}")
    except (TypeError, ValueError) as exc:
        raise FileFormatError(f"cannot save: {exc}") from None
    return "{\n" + ",\n".join(parts) + "\n}\n"


def save_graph(graph: Graph, path) -> None:
    """Write atomically: a temp file in the same folder, then ``os.replace``."""
    target = os.fspath(path)
    text = dumps(graph)  # every problem shows up before the file is touched
    folder = os.path.dirname(os.path.abspath(target))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".tmp",
                                   dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:  # mkstemp makes the file private: keep the old file's mode, else rw-r--r--
            mode = os.stat(target).st_mode & 0o777
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise FileFormatError(f"{target}: cannot save: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)

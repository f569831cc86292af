"""Fragments: a part of a graph as format-v1-like data, for copy, paste, duplicate and templates.

``fragment_dict(graph, ids)`` writes chosen nodes and the edges among them exactly as a file
would; ``plan_insertion(graph, fragment, offset)`` reads one back for insertion into ``graph``:
fresh ids where they clash, positions offset, and the whole fragment checked on a scratch graph
first, so an insertion succeeds whole or is refused whole with the reason.
"""
from __future__ import annotations

import copy
from typing import NamedTuple

from engine.errors import FileFormatError, GraphError, Kind
from engine.graph import Graph
from engine.io import EDGE_KEYS, NODE_KEYS, edge_entry, node_entry


class Insertion(NamedTuple):
    """What inserting a fragment adds: nodes ``(id, op, attrs, value, position, extra)`` and
    edges ``(source, target, port, extra)``, with the fragment's ids mapped to fresh ones."""
    nodes: list
    edges: list
    id_map: dict


def fragment_dict(graph: Graph, node_ids) -> dict:
    """``{"nodes": [...], "edges": [...]}``: the chosen nodes, in graph order, and every edge
    between two of them, written as in a file (values of tensors as nested lists)."""
    chosen = set(node_ids)
    try:
        nodes = [node_entry(graph.node(n), initialise=False) for n in graph.node_ids()
                 if n in chosen]
    except FileFormatError as exc:
        raise GraphError(Kind.NONFINITE, str(exc)) from None
    edges = [edge_entry(e) for e in graph.edges() if e.source in chosen and e.target in chosen]
    return {"nodes": nodes, "edges": edges}


def plan_insertion(graph: Graph, fragment, offset=(0.0, 0.0)) -> Insertion:
    """The nodes and edges that inserting ``fragment`` into ``graph`` adds. GraphError (with
    the reason) when the fragment is malformed or would not build; ``graph`` is not changed."""
    if not isinstance(fragment, dict):
        raise GraphError(Kind.BAD_VALUE, "malformed fragment: not an object of nodes and edges")
    raw_nodes = [n for n in fragment.get("nodes") or [] if isinstance(n, dict) and "id" in n]
    if not raw_nodes:
        raise GraphError(Kind.NO_NODE, "nothing to insert")
    taken: set = set()
    id_map = {}
    for node in raw_nodes:
        id_map[node["id"]] = new = graph.new_id(str(node["id"]), taken)
        taken.add(new)
    dx, dy = float(offset[0]), float(offset[1])
    nodes = []
    try:
        for node in raw_nodes:
            x, y = node.get("position") or (0, 0)
            extra = {k: copy.deepcopy(v) for k, v in node.items() if k not in NODE_KEYS}
            nodes.append((id_map[node["id"]], node.get("op"), copy.deepcopy(node.get("attrs")),
                          copy.deepcopy(node.get("value")), (float(x) + dx, float(y) + dy),
                          extra))
    except (TypeError, ValueError) as exc:
        raise GraphError(Kind.BAD_VALUE, f"malformed fragment: {exc}") from None
    edges, used_ports = [], set()
    for edge in fragment.get("edges") or []:
        if not isinstance(edge, dict):
            continue
        src, dst = id_map.get(edge.get("source")), id_map.get(edge.get("target"))
        port = edge.get("port", 0)
        if src is None or dst is None or (dst, port) in used_ports:
            continue
        used_ports.add((dst, port))
        extra = {k: copy.deepcopy(v) for k, v in edge.items() if k not in EDGE_KEYS}
        edges.append((src, dst, port, extra))
    _check_builds(nodes, edges)
    return Insertion(nodes, edges, id_map)


def _check_builds(nodes, edges) -> None:
    """Build the fragment on a scratch graph: the first refusal is raised as it is."""
    scratch = Graph()
    try:
        for node_id, op, attrs, value, position, extra in nodes:
            scratch.add_node(node_id, op, attrs, value, position, extra)
        for source, target, port, extra in edges:
            scratch.connect(source, target, port, extra)
    except (TypeError, ValueError) as exc:
        raise GraphError(Kind.BAD_VALUE, f"malformed fragment: {exc}") from None

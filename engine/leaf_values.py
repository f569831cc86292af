"""Leaf values: what a leaf holds, and the arrays a pass reads, each checked finite once.

``LeafValues`` is the part of ``Graph`` that gives input, constant and parameter nodes their
values (``set_value``, ``set_values``, ``value_problem``) and gathers a pass's leaf values and
feeds (``_leaf_values``). A leaf's or fed array found finite is trusted until another array
comes (arrays are never written in place, but by a Trainer, which writes only finite numbers
and says so: ``values_written``); a fed view is vouched for by its base, so the
minibatches sliced from one shuffled epoch are checked once. The Graph keeps the state:
``_nodes``, ``_finite_ok`` (leaf id -> the array last found finite), ``_fed_ok`` (the same for
feeds) and ``_fresh``.
"""
from __future__ import annotations

from itertools import repeat
from operator import attrgetter, is_

import numpy as np

from engine.errors import GraphError, Kind, Problem
from engine.nodes import Node
from engine.ops import OPS
from engine.plan import Plan
from engine.values import as_value, initial_value, is_finite, nonfinite_kind

_VALUE, _DTYPE, _BASE, _OP = (attrgetter(name) for name in ("value", "dtype", "base", "op"))
_FLOAT64 = np.dtype(np.float64)
_LEAF_OPS = frozenset(name for name, op in OPS.items() if op.arity == 0)
_UNCHECKED = repeat(object())   # finite_ok.get's default: no value is this


class LeafValues:
    """Giving leaves their values and gathering a pass's leaf values (a ``Graph`` base)."""

    def set_value(self, node_id, value) -> None:
        """Give a leaf a value (None clears it). Cheap: the compiled plan stays valid."""
        node = self.node(node_id)
        if value is not None:
            value = self._leaf_value(node_id, node.op, value)
        node.value = value
        self._fresh = False

    def values_written(self) -> None:
        """The caller wrote new numbers into leaf arrays in place (a Trainer's step writes its
        parameters so, once they are known to be finite): the values of the last pass are
        stale. Leaves' arrays are otherwise never written in place."""
        self._fresh = False

    def value_problem(self, node_id, value) -> Problem | None:
        """Why ``value`` cannot be ``node_id``'s value, or None: what ``set_value`` refuses
        (not a leaf, not a number or a rectangular list of numbers), and a value that is not
        finite, which every pass would refuse. For checking what a user types. Never raises."""
        try:
            node = self.node(node_id)
            array = self._leaf_value(node_id, node.op, value)
        except GraphError as exc:
            return exc.problem
        if not is_finite(array):
            return Problem(Kind.NONFINITE, f"values must be finite numbers, not "
                                           f"{nonfinite_kind(array)}", node_id)
        return None

    def set_values(self, values: dict, finite: bool = False) -> None:
        """Give several leaves new values, all or nothing. With `finite`, a value that is not
        finite is refused (GraphError of kind nonfinite naming the node, nothing changed), and
        the accepted ones need no second check on the next pass."""
        nodes, arrays = list(map(self._nodes.get, values)), list(values.values())
        if all(nodes) and _float64_leaf_values(nodes, arrays) \
                and (not finite or _views_of_one_finite_array(arrays)):  # e.g. a training step
            for node, value in zip(nodes, arrays):
                node.value = value
            if finite:
                self._finite_ok.update(zip(values, arrays))
        else:
            checked = self._checked_values(values, finite)
            for node, value in checked:
                node.value = value
                if finite and value is not None:
                    self._finite_ok[node.id] = value
        self._fresh = False

    def _checked_values(self, values: dict, finite: bool) -> list:
        """[(node, value)] for ``set_values``: each value converted and checked."""
        checked, finite_base = [], None   # views of one finite base need one check
        for node_id, value in values.items():
            node = self.node(node_id)
            if value is not None:
                value = self._leaf_value(node_id, node.op, value)
                if finite and (value.base is None or value.base is not finite_base):
                    base = value.base
                    if base.__class__ is np.ndarray and base.dtype == np.float64 \
                            and is_finite(base):
                        finite_base = base
                    elif not is_finite(value):
                        raise GraphError(Kind.NONFINITE, "its new value is not finite "
                                         f"({nonfinite_kind(value)})", node_id)
            checked.append((node, value))
        return checked

    def _leaf_value(self, node_id, op, value) -> np.ndarray:
        if OPS[op].arity != 0:
            raise GraphError(Kind.BAD_VALUE, f"{op} computes its value: only input, constant "
                             "and parameter nodes hold one", node_id)
        try:
            return as_value(value)
        except ValueError as exc:
            raise GraphError(Kind.BAD_VALUE, str(exc), node_id) from None

    def _leaf_values(self, plan: Plan, feeds: dict | None) -> dict:
        """Every leaf's value for this pass (feeds win), each checked finite once per array."""
        finite_ok = self._finite_ok
        values = list(map(_VALUE, plan.leaf_nodes))
        if all(map(is_, values, map(finite_ok.get, plan.leaf_ids, _UNCHECKED))):  # all known
            vals = dict(zip(plan.leaf_ids, values))
        else:
            vals = {}
            for nid, node in plan.leaves:
                value = node.value
                if value is None or finite_ok.get(nid) is not value:
                    value = None if feeds and nid in feeds else self._checked_leaf(node)
                vals[nid] = value
        if feeds:
            fed_ok = self._fed_ok
            for nid, fed in feeds.items():
                ok = fed_ok.get(nid)   # the array last found finite, or the base of such views
                if ok is not fed and (fed.__class__ is not np.ndarray or ok is None
                                      or fed.base is not ok or fed.dtype is not _FLOAT64):
                    fed = self._checked_feed(nid, fed)
                vals[nid] = fed
        return vals

    def _checked_leaf(self, node: Node) -> np.ndarray:
        if node.op not in OPS:
            raise GraphError(Kind.UNKNOWN_OP, f"unknown op {node.op!r}", node.id)
        value = node.value
        if value is None:
            if node.op != "parameter":
                raise GraphError(Kind.MISSING_VALUE, f"this {node.op} has no value", node.id)
            value = node.value = initial_value(node)
        if not is_finite(value):
            raise GraphError(Kind.NONFINITE, f"its value is not finite ({nonfinite_kind(value)})",
                             node.id)
        self._finite_ok[node.id] = value
        return value

    def _checked_feed(self, nid, fed) -> np.ndarray:
        node = self._nodes.get(nid)
        if node is None or OPS[node.op].arity != 0:
            what = "no such node" if node is None else f"{node.op} computes its value"
            raise GraphError(Kind.NO_NODE if node is None else Kind.BAD_VALUE,
                             f"cannot feed it: {what}", nid)
        if fed.__class__ is np.ndarray and fed.dtype is _FLOAT64:
            value = fed
        else:
            try:
                value = as_value(fed, "a fed value")
            except ValueError as exc:
                raise GraphError(Kind.BAD_VALUE, str(exc), nid) from None
        if not (self._finite_feed(nid, value) if value is fed else is_finite(value)):
            raise GraphError(Kind.NONFINITE,
                             f"the fed value is not finite ({nonfinite_kind(value)})", nid)
        return value

    def _finite_feed(self, nid, fed) -> bool:
        """Whether a fed float64 array is finite; a finite one is trusted until a different
        array is fed. A view (e.g. a minibatch sliced from a shuffled epoch) is vouched for by
        its base, checked once for all its views."""
        base = fed.base
        if base.__class__ is np.ndarray and base.dtype is _FLOAT64:
            if self._fed_ok.get(nid) is base or is_finite(base):
                self._fed_ok[nid] = base
                return True
        if is_finite(fed):
            self._fed_ok[nid] = fed
            return True
        return False


def _float64_leaf_values(nodes: list, arrays: list) -> bool:
    """Whether every array is a float64 numpy array and every node a leaf (C loops)."""
    return (all(map(is_, map(type, arrays), repeat(np.ndarray)))
            and all(map(is_, map(_DTYPE, arrays), repeat(_FLOAT64)))
            and all(map(_LEAF_OPS.__contains__, map(_OP, nodes))))


def _views_of_one_finite_array(arrays: list) -> bool:
    """Whether the arrays are views of one float64 array whose every element is finite (as
    an optimizer's step hands them out): one check for all."""
    base = arrays[0].base if arrays else None
    return (base.__class__ is np.ndarray and base.dtype is _FLOAT64
            and all(map(is_, map(_BASE, arrays), repeat(base))) and is_finite(base))

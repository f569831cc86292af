"""The player's timeline: a Trace cut into steps, and "the graph as it was at step k".

The steps themselves (pinned in the project's design, the frames of ``render``) are the
engine's (``engine.steps.player_steps``: lessons and the predict mode count the same steps);
the timeline gives each a one-line title.

``record_at(k, progress)`` builds the ``DisplayRecord`` of step k. Everything in it comes from
the Trace — values, gradients as they accumulated (``grad_after``), what flowed along each edge —
and from the engine's update preview; nothing is recomputed here. ``progress`` < 1 is a frame of
the step's animation: the pulse is on its way and what it brings has not arrived yet. Display
objects are reused between steps, so the canvas redraws only what changed. No Qt.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from engine.steps import (BACKWARD, FORWARD, GRANULARITIES, INITIAL, LOSS, UPDATE,
                          PlayerStep, check_granularity, frame_count, player_steps)
from gui.display import (ACTIVE, DIM, DONE, GRAD_NOT_YET, NOT_YET, DisplayRecord, EdgeDisplay,
                       NodeDisplay)
from gui.formatting import grad_symbol, norm, short_summary as _short, sum_text
from gui.player.derivatives import forward_text, is_scalar, vjp_text

__all__ = ["BACKWARD", "FORWARD", "GRANULARITIES", "INITIAL", "LOSS", "UPDATE", "StepInfo",
           "Timeline", "frame_count"]
SETTLED_PULSE = 0.88         # where a settled step leaves its pulse: almost arrived
NOT_DEPENDENT = "the loss does not depend on it"


@dataclass(frozen=True)
class StepInfo(PlayerStep):
    """The engine's step (``engine.steps.PlayerStep``: phase, node, edges, Trace records) with
    the one-line title the player shows."""
    title: str = ""


class Timeline:
    """Steps over ``trace``; ``node_ids`` / ``edge_keys`` are every node and edge of the graph
    (nodes outside the Trace are drawn as ``base``, the live record, shows them); ``update`` is
    the engine's UpdatePreview (its parameters make the update step)."""

    def __init__(self, trace, node_ids, edge_keys, granularity: str = "edge", update=None,
                 base: DisplayRecord | None = None):
        check_granularity(granularity)
        self.trace, self.granularity, self.update = trace, granularity, update
        self.node_ids = list(node_ids)
        self.edge_keys = [tuple(k) for k in edge_keys]
        self.base = base if base is not None else DisplayRecord()
        self.loss = trace.loss if trace.has_backward else None
        self._forward = trace.forward_steps
        self._backward = trace.backward_steps if trace.has_backward else []
        self._fwd_index = {s.node: i for i, s in enumerate(self._forward)}
        self._arrivals: dict[str, list] = {}      # source -> [backward index]
        for i, s in enumerate(self._backward):
            self._arrivals.setdefault(s.source, []).append(i)
        self._edge_step = {(s.source, s.target, s.port): i for i, s in enumerate(self._backward)}
        self._new_values = ({p.node: p.new for p in update.parameters}
                            if update is not None and self.loss is not None else {})
        self.edge_scale = self._largest_contribution()
        self._node_cache: dict = {}
        self._edge_cache: dict = {}
        self._last_nodes = (None, None, None)   # ((k, arrived), nodes, wires done) of the last
        self.steps = self._build_steps()

    # ------------------------------------------------------------ steps
    @property
    def count(self) -> int:
        return len(self.steps)

    def step_info(self, k: int) -> StepInfo:
        return self.steps[self._index(k)]

    def _index(self, k: int) -> int:
        if not 0 <= k < len(self.steps):
            raise IndexError(f"step {k} is outside 0..{len(self.steps) - 1}")
        return k

    def _build_steps(self) -> list:
        """The engine's steps (engine/steps.py), each with its one-line title."""
        return [StepInfo(index=s.index, count=s.count, phase=s.phase, node=s.node,
                         edges=s.edges, forward_index=s.forward_index,
                         backward_indices=s.backward_indices, title=self._title(s))
                for s in player_steps(self.trace, self.granularity, bool(self._new_values))]

    def _title(self, step) -> str:
        trace, loss = self.trace, self.loss
        if step.phase == INITIAL:
            return "the leaves hold their values; nothing is computed yet"
        if step.phase == FORWARD:
            s = self._forward[step.forward_index]
            op, attrs = trace.op_of(s.node) or (None, {})
            return f"{forward_text(op, attrs, s.inputs, s.node)} = {_short(s.value)}"
        if step.phase == LOSS:
            return f"the backward pass starts at the loss: {grad_symbol(loss, loss)} = 1"
        if step.phase == BACKWARD:
            first = self._backward[step.backward_indices[0]]
            if len(step.backward_indices) == 1:
                return (f"{first.target} → {first.source}: "
                        f"{self._edge_formula(step.backward_indices[0])}")
            sources = ", ".join(dict.fromkeys(key[0] for key in step.edges))
            return f"{first.target} sends {grad_symbol(loss, first.target)} back to {sources}"
        u = self.update
        return (f"{u.optimizer} step, lr = {u.settings['lr']:g}: {len(u.parameters)} parameter"
                f"{'s' if len(u.parameters) != 1 else ''} change (the document does not)")

    def _edge_formula(self, i: int) -> str:
        """``∂y/∂x += ∂y/∂x_squared · ∂x_squared/∂x = 31.6875 × 3 = 95.0625`` (numbers from
        the Trace), then the sum where several paths meet and this is the last to arrive."""
        trace, loss = self.trace, self.loss
        s = trace.backward_steps[i]
        gradient, upstream = grad_symbol(loss, s.source), grad_symbol(loss, s.target)
        local = trace.local_derivative(i)
        if local is not None and is_scalar(local) and is_scalar(s.upstream) \
                and is_scalar(s.contribution):
            text = (f"{gradient} += {upstream} · ∂{s.target}/∂{s.source} = "
                    f"{_short(s.upstream)} × {_short(local)} = {_short(s.contribution)}")
        else:
            op, attrs = trace.op_of(s.target) or (None, {})
            vjp = vjp_text(op, attrs, s.port, trace.inputs_of(s.target), s.target, upstream)
            broadcast = (op is not None and op.elementwise
                         and np.shape(s.contribution) != np.shape(s.upstream))
            text = (f"{gradient} += {vjp}{', summed over the broadcast axes' if broadcast else ''}"
                    f" → {_short(s.contribution)}")
        arrivals = self._arrivals[s.source]
        if len(arrivals) > 1 and arrivals[-1] == i:
            text += f";  {gradient} = {self.fan_in_sum(i)}"
        return text

    def fan_in_sum(self, i: int) -> str:
        """Where several paths meet at backward step ``i``'s source: the sum of what arrived
        so far and its total (``0.41218 + 1.64872 = 2.0609``; the step card's sum line and
        the step's title both say it)."""
        step = self._backward[i]
        arrivals = self._arrivals[step.source]
        parts = [self._backward[j].contribution for j in arrivals if j <= i]
        return sum_text(parts, step.grad_after)

    # ------------------------------------------------------------ records
    def record_at(self, k: int, progress: float = 1.0) -> DisplayRecord:
        """The graph as it was at step ``k`` (settled, or ``progress`` of the way through)."""
        info = self.step_info(k)
        arrived = progress >= 1.0
        pulse = SETTLED_PULSE if arrived else max(0.0, float(progress))
        phase = info.phase
        forward_done = len(self._forward)
        backward_done, seeded, updated = 0, False, False
        if phase in (INITIAL, FORWARD):
            forward_done = 0 if phase == INITIAL else info.forward_index + int(arrived)
        else:
            seeded = phase != LOSS or arrived
            if phase == BACKWARD:
                backward_done = (info.backward_indices[-1] + 1 if arrived
                                 else info.backward_indices[0])
            elif phase == UPDATE:
                backward_done, updated = len(self._backward), arrived
        active = {info.node} if info.node is not None and phase != BACKWARD else set()
        if phase == BACKWARD:
            active = {n for key in info.edges for n in key[:2]}
        if phase == UPDATE:
            active = set(self._new_values)
        state = (k, arrived)
        if self._last_nodes[0] != state:   # a pulse's frames share the step's nodes and wires
            nodes = {n: self._node(n, forward_done, backward_done, seeded, updated, phase,
                                   active) for n in self.node_ids}
            self._last_nodes = (state, nodes, self._done_edges(backward_done))
        nodes, done = self._last_nodes[1], self._last_nodes[2]
        edges = self._edges(info, done, pulse)
        return DisplayRecord(nodes, edges, self.loss, info.caption, live=False,
                             detail=info.title, edge_scale=self.edge_scale)

    def _node(self, n, forward_done, backward_done, seeded, updated, phase, active):
        trace = self.trace
        value = trace.values.get(n)
        if value is None:            # not in this pass (a problem, or blocked by one)
            return self.base.node(n)
        index = self._fwd_index.get(n)
        value_note = ""
        if index is not None and index >= forward_done:
            value, value_note = None, NOT_YET
        elif updated and n in self._new_values:
            value = self._new_values[n]
        grad, grad_note, complete = None, "", False
        dependent = n == self.loss or n in self._arrivals
        if seeded:
            complete = True
            if n == self.loss:
                grad = trace.grads.get(n)
            elif n in self._arrivals:
                arrivals = self._arrivals[n]
                got = bisect_left(arrivals, backward_done)
                complete = got == len(arrivals)
                if got:
                    grad = self._backward[arrivals[got - 1]].grad_after
                else:
                    grad_note = GRAD_NOT_YET
            else:
                grad = trace.grads.get(n)
                grad_note = "" if grad is not None else NOT_DEPENDENT
        if n in active:
            highlight = ACTIVE
        elif seeded and not dependent:
            highlight = DIM
        elif phase == FORWARD and index is not None and index < forward_done:
            highlight = DONE
        else:
            highlight = None
        key = (n, id(value), value_note, id(grad), grad_note, highlight, complete)
        shown = self._node_cache.get(key)
        if shown is None:
            # gradient-health badges judge the final gradient: shown once it is complete
            badges = self.base.node(n).badges if complete else ()
            shown = NodeDisplay(value=value, grad=grad, value_note=value_note,
                                grad_note=grad_note, highlight=highlight,
                                is_loss=n == self.loss, badges=badges)
            self._node_cache[key] = shown
        return shown

    def _done_edges(self, backward_done: int) -> dict:
        """The edges something has flowed back along, before this step."""
        edges = {}
        for key in self.edge_keys:
            j = self._edge_step.get(key)
            if j is not None and j < backward_done:
                edges[key] = self._edge(key, self._backward[j].contribution, DONE, None, False)
        return edges

    def _edges(self, info, done: dict, pulse) -> dict:
        edges = dict(done)
        if info.phase == FORWARD:
            for key in info.edges:
                edges[key] = self._edge(key, None, ACTIVE, pulse, False)
        elif info.phase == BACKWARD:
            for key in info.edges:
                contribution = self._backward[self._edge_step[key]].contribution
                edges[key] = self._edge(key, contribution, ACTIVE, pulse, True)
        return edges

    def _edge(self, key, contribution, highlight, pulse, backward) -> EdgeDisplay:
        cache_key = (key, id(contribution), highlight, pulse, backward)
        shown = self._edge_cache.get(cache_key)
        if shown is None:
            shown = EdgeDisplay(contribution, highlight, pulse, backward)
            if pulse is None or pulse == SETTLED_PULSE:    # animation frames are not kept
                self._edge_cache[cache_key] = shown
        return shown

    def _largest_contribution(self) -> float:
        """The scale of edge widths: the largest contribution of the whole pass, so widths do
        not jump while stepping (0 when nothing but zeros flowed back)."""
        sizes = (norm(s.contribution) for s in self._backward)
        return max((size for size in sizes if math.isfinite(size)), default=0.0)

    # ------------------------------------------------------------ look-ups for the card
    def arrivals(self, node: str) -> list:
        """Indices of the backward steps that add to ``node``'s gradient, in order."""
        return list(self._arrivals.get(node, ()))

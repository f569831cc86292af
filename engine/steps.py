"""The player's steps: a Trace cut into the steps the backprop player shows, as plain data.

Pinned in the project's design (they are also the frames of ``render``): 1 initial step, 1
per forward step of an op node, 1 for the loss seed, 1 per backward edge (granularity
``edge``) or per node that sends its gradient back (``node``: a run of backward steps with the
same target), and 1 update when the graph has parameters with gradients. Without a backward
pass (no loss) the steps end after the forward ones. Step ``k`` (from 0) is captioned
"step k+1/N · phase", as the player and lessons count it.

The player (gui/player/timeline.py) adds a title to each step and draws it; lessons and the
predict mode (engine/predict/) ask questions about the same steps. Nothing here is computed:
each step only says which Trace records it shows.
"""
from __future__ import annotations

from dataclasses import dataclass

INITIAL, FORWARD, LOSS, BACKWARD, UPDATE = "initial", "forward", "loss", "backward", "update"
PHASES = (INITIAL, FORWARD, LOSS, BACKWARD, UPDATE)
GRANULARITIES = ("edge", "node")


@dataclass(frozen=True)
class PlayerStep:
    """Step ``index`` (from 0) of ``count``: its phase, the node it is about, the edges that
    carry something (keys ``(source, target, port)``) and which Trace records it shows
    (``forward_index`` into ``trace.forward_steps``, ``backward_indices`` into
    ``trace.backward_steps``)."""
    index: int
    count: int
    phase: str
    node: str | None = None
    edges: tuple = ()
    forward_index: int | None = None
    backward_indices: tuple = ()

    @property
    def number(self) -> int:
        """The step as the caption counts it, from 1."""
        return self.index + 1

    @property
    def caption(self) -> str:
        return f"step {self.index + 1}/{self.count} · {self.phase}"


def node_groups(backward_steps) -> list:
    """Runs of consecutive backward steps with the same target: ``[(start, stop)]``."""
    groups, start = [], 0
    for i in range(1, len(backward_steps) + 1):
        if i == len(backward_steps) or backward_steps[i].target != backward_steps[start].target:
            groups.append((start, i))
            start = i
    return groups


def check_granularity(granularity: str) -> str:
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, "
                         f"got {granularity!r}")
    return granularity


def player_steps(trace, granularity: str = "edge", has_update: bool = False) -> list:
    """Every step of ``trace`` in order (``PlayerStep``s); ``has_update``: the graph has
    parameters with gradients, so the pass ends with an optimizer step."""
    check_granularity(granularity)
    raw = [dict(phase=INITIAL)]
    for i, s in enumerate(trace.forward_steps):
        raw.append(dict(phase=FORWARD, node=s.node, forward_index=i,
                        edges=tuple((src, s.node, p) for p, src in enumerate(s.inputs))))
    if trace.has_backward:
        backward = trace.backward_steps
        raw.append(dict(phase=LOSS, node=trace.loss))
        groups = ([(i, i + 1) for i in range(len(backward))] if granularity == "edge"
                  else node_groups(backward))
        for start, stop in groups:
            group = backward[start:stop]
            node = group[0].source if stop - start == 1 else group[0].target
            raw.append(dict(phase=BACKWARD, node=node,
                            edges=tuple((s.source, s.target, s.port) for s in group),
                            backward_indices=tuple(range(start, stop))))
        if has_update:
            raw.append(dict(phase=UPDATE))
    return [PlayerStep(index=k, count=len(raw), **fields) for k, fields in enumerate(raw)]


def frame_count(trace, granularity: str = "edge", has_parameters: bool = False) -> int:
    """The number of steps, by the pinned formula, from the Trace alone."""
    count = 1 + len(trace.forward_steps)
    if trace.has_backward:
        count += 1 + (len(trace.backward_steps) if granularity == "edge"
                      else len(node_groups(trace.backward_steps)))
        count += 1 if has_parameters else 0
    return count

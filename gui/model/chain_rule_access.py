"""GraphModel's chain-rule API (a mixin of ``GraphModel``; see gui/model/graph_model.py):
the paths from a node to the loss, gradient health and the one-node gradient check, all read
from the last re-run."""
from __future__ import annotations

from engine.gradcheck import check_node
from engine.health import gradient_health
from engine.paths import DEFAULT_LIMIT, PathReport, paths_to_loss


class ChainRuleAccess:
    """Needs ``trace``, ``grads``, ``loss_id``, ``blocked``, ``_health`` and ``_graph`` of
    GraphModel."""

    def paths_to_loss(self, node_id: str, limit: int = DEFAULT_LIMIT):
        """Every path from ``node_id`` to the loss of the last re-run, each with its local
        derivatives and contribution (``engine.paths.PathReport``; at most ``limit`` paths
        built, the largest, with the exact count)."""
        try:
            return paths_to_loss(self.trace, node_id, limit)
        except Exception as exc:  # noqa: BLE001 - a bug of ours: said in the panel, not raised
            return PathReport(node_id, self.loss_id, 0, (), self.grads.get(node_id),
                              reason=f"could not follow the paths ({type(exc).__name__}: "
                                     f"{exc})")

    def gradient_health(self) -> dict:
        """{node id: ((kind, one-line text), ...)} of the last re-run: vanishing / exploding
        gradients and dead ReLUs (``engine.health``), computed once per re-run."""
        if self._health is None:
            try:
                self._health = gradient_health(self.trace)
            except Exception:  # noqa: BLE001 - a bug of ours must not break drawing
                self._health = {}
        return self._health

    def gradient_check_task(self, node_id: str):
        """A function (safe to run on a worker thread) that checks the last re-run's gradient
        of ``node_id`` by central differences through the engine, on a copy of the graph made
        now (``engine.gradcheck.NodeCheck``); None when the node has no gradient."""
        analytic = self.grads.get(node_id)
        loss = self.loss_id
        if analytic is None or loss is None or not self.has_node(node_id):
            return None
        graph = self._graph.copy()
        for blocked in self.blocked:     # what could not run does not run in the check either
            if blocked in graph:
                graph.remove_node(blocked)
        return lambda: check_node(graph, node_id, analytic, of=loss)

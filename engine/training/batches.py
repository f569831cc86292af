"""Where a Trainer's minibatches come from (a mixin of ``engine.training.trainer.Trainer``).

The rows follow ``engine.training.rules.next_batch`` (the minibatch order the exports copy).
The dataset's rows are gathered once per queue of rows, into two buffers the trainer owns and
rewrites: every batch is a view of the same two arrays, which the graph checks finite once (the
dataset was checked finite when the trainer was built, so its rows are). With ``record`` each
batch is a copy: a Trace keeps what its pass was fed.
"""
from __future__ import annotations

import numpy as np

from engine.training.results import locked
from engine.training.rules import next_batch


class Batches:
    """Needs the Trainer's dataset, batch_size, rng, record, and ``_queue``, ``_at``, ``_Xs``,
    ``_Ys``, ``_buffers`` (set by ``_restart``)."""

    @locked
    def next_rows(self) -> np.ndarray:
        """Draw the next batch's row indices into ``dataset`` (the batch is used up)."""
        return self._next_batch()[0]

    def _next_batch(self):
        """(rows, X, Y) of the next batch (``rules.next_batch``); X and Y are views into the
        queue's rows, gathered once per queue."""
        size = self.batch_size
        queue, at = next_batch(self._queue, self._at, size, self.rng, len(self.dataset.X))
        if queue is not self._queue or self._Xs is None:
            self._queue = queue
            self._Xs, self._Ys = self._gather(queue)
        self._at = end = at + size
        if self.record:            # a Trace keeps what it was fed: arrays of its own
            return queue[at:end], self._Xs[at:end].copy(), self._Ys[at:end].copy()
        return queue[at:end], self._Xs[at:end], self._Ys[at:end]

    def _gather(self, queue) -> tuple:
        """The dataset's rows in the queue's order, written into the trainer's buffers (a
        Trainer writes only finite numbers in place)."""
        X, Y = self.dataset.X, self.dataset.Y
        n, buffers = len(queue), self._buffers
        if buffers is None or len(buffers[0]) < n:
            buffers = self._buffers = (np.zeros((n,) + X.shape[1:]),
                                       np.zeros((n,) + Y.shape[1:]))
        xs, ys = buffers[0][:n], buffers[1][:n]
        for data, out in ((X, xs), (Y, ys)):
            if data.dtype == np.float64:
                data.take(queue, axis=0, out=out)
            else:                        # (a Dataset of integers, given to the trainer)
                out[...] = data[queue]
        return xs, ys

"""The progress bar of ``python main.py train``: live on a terminal, one final line otherwise."""
from __future__ import annotations

import time

BAR_WIDTH = 20
ERASE_TO_END = "\033[K"


class ProgressBar:
    """A compact bar on `stream`: redrawn in place on a terminal (showing the minibatch
    loss), one final line otherwise; the final line shows the loss on the whole dataset."""

    def __init__(self, total: int, stream):
        self.total, self.stream = max(total, 0), stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.last_draw = 0.0

    def text(self, step: int, loss: float, label: str = "loss") -> str:
        filled = BAR_WIDTH if self.total == 0 else BAR_WIDTH * step // self.total
        seconds = time.perf_counter() - self.start
        return (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] step {step}/{self.total}"
                f"  {label} {loss:.6g}  {seconds:.1f}s")

    def update(self, step: int, loss: float) -> None:
        now = time.perf_counter()
        if self.live and (now - self.last_draw > 0.05 or step == self.total):
            self.last_draw = now
            self.stream.write("\r" + self.text(step, loss) + ERASE_TO_END)
            self.stream.flush()

    def finish(self, step: int, loss: float) -> None:
        text = self.text(step, loss, "final loss")
        self.stream.write("\r" + text + ERASE_TO_END + "\n" if self.live else text + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Erase a live bar so that an error message is the only line left."""
        if self.live:
            self.stream.write("\r" + ERASE_TO_END)
            self.stream.flush()

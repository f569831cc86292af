"""Where the learner is in each lesson, remembered in the app's settings (QSettings).

Per lesson file (by its name): the step shown last, and whether the lesson was finished. A
finished lesson starts again at step 1; any lesson can be restarted.
"""
from __future__ import annotations

from pathlib import Path

PREFIX = "lessons"


class LessonProgress:
    def __init__(self, settings):
        self.settings = settings

    @staticmethod
    def _key(path, name: str) -> str:
        return f"{PREFIX}/{Path(path).stem}/{name}"

    def where(self, path) -> tuple[int, bool]:
        """``(step, done)``: the step shown last (1 when never started) and whether the
        lesson was finished."""
        try:
            step = int(self.settings.value(self._key(path, "step"), 1))
        except (TypeError, ValueError):
            step = 1
        done = str(self.settings.value(self._key(path, "done"), "false")).lower() == "true"
        return max(1, step), done

    def remember(self, path, step: int) -> None:
        self.settings.setValue(self._key(path, "step"), int(step))

    def finish(self, path) -> None:
        self.settings.setValue(self._key(path, "done"), True)
        self.settings.setValue(self._key(path, "step"), 1)

    def restart(self, path) -> None:
        self.settings.setValue(self._key(path, "done"), False)
        self.settings.setValue(self._key(path, "step"), 1)

    def started(self, path) -> bool:
        return self.settings.contains(self._key(path, "step"))

"""What the import dialog remembers between imports, in the app's QSettings: the last model
file, and per file the fields of its last successful import (class, shapes, loss, weights,
seed), so importing the same model again is one click. Settings can be edited by hand or come
from another version: whatever does not fit is dropped, field by field."""
from __future__ import annotations

import json
from pathlib import Path

MODELS_KEY = "import/models"        # {model path: the fields of its last import}
LAST_FILE_KEY = "import/last_file"
MAX_REMEMBERED = 20


class ImportMemory:
    def __init__(self, settings):
        self.settings = settings
        try:
            found = json.loads(str(settings.value(MODELS_KEY, "{}")))
        except ValueError:
            found = {}
        self.models = found if isinstance(found, dict) else {}

    def last_file(self) -> Path | None:
        """The model file imported last, if it still exists."""
        last = self.settings.value(LAST_FILE_KEY)
        return Path(str(last)) if last and Path(str(last)).is_file() else None

    def of(self, path) -> dict:
        """The fields last used for ``path`` (empty when none): ``class`` (str or None),
        ``loss``, ``weights`` (str), ``seed`` (int), ``shapes`` ({argument: text})."""
        try:
            found = self.models.get(str(Path(path).resolve()))
        except (OSError, ValueError):
            return {}
        if not isinstance(found, dict):
            return {}
        shapes, seed = found.get("shapes"), found.get("seed")
        return {"class": found.get("class") if isinstance(found.get("class"), str) else None,
                "loss": found.get("loss"),
                "weights": found.get("weights") if isinstance(found.get("weights"), str) else "",
                "seed": seed if type(seed) is int and 0 <= seed < 2**31 else 0,
                "shapes": {k: v for k, v in shapes.items() if isinstance(v, str)}
                if isinstance(shapes, dict) else {}}

    def remember(self, path, class_name: str, shapes: dict, loss: str, weights, seed: int):
        """Keep these fields for ``path`` (the newest MAX_REMEMBERED files are kept)."""
        key = str(Path(path).resolve())
        models = {k: v for k, v in self.models.items() if k != key}
        models[key] = {"class": class_name, "loss": loss, "seed": seed, "weights": weights,
                       "shapes": dict(shapes)}
        self.models = dict(list(models.items())[-MAX_REMEMBERED:])
        self.settings.setValue(MODELS_KEY, json.dumps(self.models))
        self.settings.setValue(LAST_FILE_KEY, key)

"""The training panel's settings: the document's ``data`` and ``training`` sections.

The panel edits plain dicts shaped as the file format pins them (docs/file-format.md) and
writes them into the document through ``gui.model.commands.SetTrainingSections``, one undo
step; consecutive settings edits merge into one step, so nudging a spin box does not flood the
undo stack.
"""
from __future__ import annotations

BUILTIN_KEYS = ("dataset", "n", "noise", "seed", "classes")
CSV_KEYS = ("csv", "target", "labels", "standardize")
DEFAULT_DATA = {"dataset": "xor", "n": 200, "noise": 0.1, "seed": 0}


def guess_nodes(model) -> tuple[str | None, str | None]:
    """(features, targets) input nodes for a graph whose data section names none: the input
    wired into the loss's second port (its target) is the targets node, the first other input
    the features node."""
    inputs = [n for n in model.node_ids() if model.node(n).op == "input"]
    targets = None
    loss = model.loss_id or model.loss
    if loss is not None and model.has_node(loss):
        sources = model.input_sources(loss)
        if len(sources) > 1 and sources[1] in inputs:
            targets = sources[1]
    features = next((n for n in inputs if n != targets), None)
    if targets is None:
        targets = next((n for n in inputs if n != features), None)
    return features, targets


def sections_of(model) -> tuple[dict, dict, bool]:
    """(data, training, stored): the document's sections with the defaults filled in, and
    whether the document holds both already (otherwise training writes them in)."""
    data, training = model.training_sections()
    stored = data is not None and training is not None
    data = dict(data or DEFAULT_DATA)
    if not data.get("features") or not data.get("targets"):
        features, targets = guess_nodes(model)
        data.setdefault("features", features)
        data.setdefault("targets", targets)
        data["features"] = data["features"] or features
        data["targets"] = data["targets"] or targets
    training = {**model.DEFAULT_TRAINING, **(training or {})}
    return data, training, stored


def builtin_section(current: dict, name: str, **options) -> dict:
    """`current` switched to (or kept on) built-in set `name` with `options` (n, noise, seed,
    classes, test_fraction): CSV keys dropped; `classes` only for the spiral."""
    section = {k: v for k, v in current.items() if k not in CSV_KEYS + BUILTIN_KEYS}
    section["dataset"] = name
    for key in ("n", "noise", "seed"):
        section[key] = options.get(key, current.get(key, DEFAULT_DATA[key]))
    if name == "spiral":
        section["classes"] = options.get("classes", current.get("classes", 3))
    if "test_fraction" in options:
        section["test_fraction"] = options["test_fraction"]
    if not section.get("test_fraction"):
        section.pop("test_fraction", None)
    return section


def csv_section(current: dict, path: str, target: str | None, test_fraction: float,
                standardize: bool, features: str | None = None,
                targets: str | None = None) -> dict:
    """`current` switched to the user's CSV (an absolute path): the standardisation is
    measured afresh (recorded numbers and labels dropped)."""
    section = {k: v for k, v in current.items() if k not in CSV_KEYS + BUILTIN_KEYS}
    section["csv"] = path
    if target is not None:
        section["target"] = target
    if test_fraction:
        section["test_fraction"] = test_fraction
    else:
        section.pop("test_fraction", None)
    section["standardize"] = bool(standardize)
    if features:
        section["features"] = features
    if targets:
        section["targets"] = targets
    return section

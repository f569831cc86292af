"""The Training panel's words: why a graph cannot train, said in the panel's terms (its
controls, the palette) instead of the file format's — a GUI user picks nodes in "x →" /
"y →", never edits JSON — and what a run did."""
from __future__ import annotations

from engine import Kind
from gui.formatting import fmt_number

NO_PARAMETERS_TEXT = ("This graph has no parameters to train: add a Parameter (θ) node from "
                      "the palette and wire it into the loss")
PICK_FEATURES_TEXT = "Pick the input node that receives the features (x →)"
PICK_TARGETS_TEXT = "Pick the input node that holds the targets (y →)"


def cannot_train(model, data: dict) -> str | None:
    """The first reason, in the panel's terms, that this graph cannot train with `data`
    (before the engine is asked); None when nothing obvious is missing."""
    inputs = model.ids_of_op("input")
    if not model.parameter_ids():
        return NO_PARAMETERS_TEXT
    if not data.get("features"):
        if not inputs:
            return ("This graph has no input node for the data: add an Input (in) node from "
                    "the palette")
        return PICK_FEATURES_TEXT
    if not data.get("targets"):
        others = [i for i in inputs if i != data.get("features")]
        if not others:
            return ("Pick the input node that holds the targets (y →) — this graph has none: "
                    "add a second Input node from the palette")
        return PICK_TARGETS_TEXT
    return None


def in_panel_terms(error) -> str:
    """An engine TrainingError's line, with the file-format advice of its kind turned into
    the panel's (chosen by the error's ``kind`` and ``role``, never by its wording)."""
    kind = getattr(error, "kind", None)
    if kind == Kind.NO_DATA_NODE:
        return PICK_TARGETS_TEXT if error.role == "targets" else PICK_FEATURES_TEXT
    if kind == Kind.NO_PARAMETERS:
        return NO_PARAMETERS_TEXT
    if kind == Kind.NO_DATASET:
        return "Pick a data set (or your own CSV) under Data"
    return str(error)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def metric_parts(m: dict, short: bool = False) -> list:
    """["loss 0.01", "accuracy 100.0%", "test loss …", …] from ``TrainingSession.metrics()``
    (``short``: "acc" for "accuracy"), leaving out what is not known."""
    acc = "acc" if short else "accuracy"
    parts = []
    for key, label in (("loss", "loss"), ("accuracy", acc), ("test_loss", "test loss"),
                       ("test_accuracy", f"test {acc}")):
        if m.get(key) is not None:
            value = m[key]
            parts.append(f"{label} {value:.1%}" if key.endswith("accuracy")
                         else f"{label} {fmt_number(value, 4)}")
    return parts


def metrics_text(m: dict) -> str:
    """"loss 0.01, accuracy 100.0%, test loss …" from ``TrainingSession.metrics()``."""
    return ", ".join(metric_parts(m))


def stop_text(paused: bool, done: int, step: int, metrics: dict) -> str:
    """"Training paused at step 58085 (6518 steps this run): loss …" — the step the panel
    shows, and how many of them this run (since Train / Resume) took."""
    text = f"Training {'paused' if paused else 'done'} at step {step}"
    if done != step:
        text += f" ({plural(done, 'step')} this run)"
    numbers = metrics_text(metrics)
    return f"{text}: {numbers}" if numbers else text

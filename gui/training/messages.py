"""The Training panel's words: why a graph cannot train, said in the panel's terms (its
controls, the palette) instead of the file format's — a GUI user picks nodes in "x →" /
"y →", never edits JSON — and what a run did."""
from __future__ import annotations


def cannot_train(model, data: dict) -> str | None:
    """The first reason, in the panel's terms, that this graph cannot train with `data`
    (before the engine is asked); None when nothing obvious is missing."""
    inputs = model.ids_of_op("input")
    if not model.parameter_ids():
        return ("This graph has no parameters to train: add a Parameter (θ) node from the "
                "palette and wire it into the loss")
    if not data.get("features"):
        if not inputs:
            return ("This graph has no input node for the data: add an Input (x) node from "
                    "the palette")
        return "Pick the input node that receives the features (x →)"
    if not data.get("targets"):
        others = [i for i in inputs if i != data.get("features")]
        if not others:
            return ("Pick the input node that holds the targets (y →) — this graph has none: "
                    "add a second Input node from the palette")
        return "Pick the input node that holds the targets (y →)"
    return None


def in_panel_terms(message: str) -> str:
    """An engine TrainingError's line with the file-format advice turned into the panel's."""
    if "names no 'features' input node" in message:
        return "Pick the input node that receives the features (x →)"
    if "names no 'targets' input node" in message:
        return "Pick the input node that holds the targets (y →)"
    if message.startswith("nothing to train"):
        return ("This graph has no parameters to train: add a Parameter (θ) node from the "
                "palette and wire it into the loss")
    if message.startswith("no dataset:"):
        return "Pick a data set (or your own CSV) under Data"
    return message


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def metrics_text(m: dict) -> str:
    """"loss 0.01, accuracy 100.0%, test loss …" from ``TrainingSession.metrics()``."""
    parts = [f"loss {m['loss']:.4g}"] if m["loss"] is not None else []
    if m["accuracy"] is not None:
        parts.append(f"accuracy {m['accuracy']:.1%}")
    if m["test_loss"] is not None:
        parts.append(f"test loss {m['test_loss']:.4g}")
    if m["test_accuracy"] is not None:
        parts.append(f"test accuracy {m['test_accuracy']:.1%}")
    return ", ".join(parts)


def stop_text(paused: bool, done: int, step: int, metrics: dict) -> str:
    """"Training paused at step 58085 (6518 steps this run): loss …" — the step the panel
    shows, and how many of them this run (since Train / Resume) took."""
    text = f"Training {'paused' if paused else 'done'} at step {step}"
    if done != step:
        text += f" ({plural(done, 'step')} this run)"
    numbers = metrics_text(metrics)
    return f"{text}: {numbers}" if numbers else text

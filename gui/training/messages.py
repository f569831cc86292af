"""Why a graph cannot train, said in the panel's terms (its controls, the palette) instead of
the file format's: a GUI user picks nodes in "x →" / "y →", never edits JSON."""
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

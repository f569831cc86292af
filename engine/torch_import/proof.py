"""The proof on the spot: the engine's values and gradients against PyTorch's, node by node.

Two arrays agree when |a − b| ≤ 1e-9 · max(|b|, max|B|) elementwise, B being PyTorch's whole
tensor (so a tensor of zeros must be matched exactly). Values are compared first, in forward
order, then gradients, in forward order: a wrong value spoils every gradient, so the first
differing value names the culprit.
"""
from __future__ import annotations

import numpy as np

from engine.torch_import.problems import ProofFailed

TOLERANCE = 1e-9


def difference(a, b) -> tuple[bool, float, float]:
    """(agree, largest |a − b|, allowed difference) for engine array ``a`` and numpy ``b``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False, float("inf"), 0.0
    if not a.size:
        return True, 0.0, 0.0
    scale = float(np.max(np.abs(b), initial=0.0, where=np.isfinite(b)))
    diff = np.abs(a - b)
    allowed = TOLERANCE * np.maximum(np.abs(b), scale)
    same = (a == b) | (np.isnan(a) & np.isnan(b))        # equal infinities, NaN and NaN
    agree = bool(np.all((diff <= allowed) | same))
    return agree, float(np.nanmax(diff)) if np.isfinite(diff).any() else float("inf"), \
        TOLERANCE * scale


def torch_grad(tensor):
    """A PyTorch tensor's gradient as numpy (zeros when nothing flowed into it)."""
    if tensor.grad is None:
        return np.zeros(tuple(tensor.shape))
    return tensor.grad.detach().numpy()


def prove(checks, values: dict, grads: dict) -> None:
    """Raise ProofFailed naming the first node whose value, then gradient, differs."""
    for check in checks:
        b = check.tensor.detach().numpy()
        agree, diff, allowed = difference(values[check.id], b)
        if not agree:
            raise ProofFailed(failure(check, "value", values[check.id], b, diff, allowed),
                              check.id)
    for check in checks:
        if not check.tensor.requires_grad:
            continue       # a constant's gradient: PyTorch keeps none
        b = torch_grad(check.tensor)
        agree, diff, allowed = difference(grads[check.id], b)
        if not agree:
            raise ProofFailed(failure(check, "gradient", grads[check.id], b, diff, allowed),
                              check.id)


def failure(check, what, a, b, diff, allowed) -> str:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        detail = f"shape {a.shape} vs PyTorch's {b.shape}"
    else:
        detail = f"largest difference {diff:.3g}, allowed {allowed:.3g}"
    return (f"proof failed: the {what} of node {check.id!r} ({check.what}) differs from "
            f"PyTorch's ({detail}); this is a bug in the import, not in your model: please "
            "report it")


def max_abs_diff(loss_id: str, loss_tensor, parameters, values: dict, grads: dict) -> float:
    """The largest |engine − PyTorch| over the loss and every parameter's gradient."""
    worst = float(np.max(np.abs(values[loss_id] - loss_tensor.detach().numpy().reshape(
        values[loss_id].shape))))
    for node_id, tensor in parameters:
        d = np.abs(grads[node_id] - torch_grad(tensor))
        if d.size:
            worst = max(worst, float(np.max(d)))
    return worst

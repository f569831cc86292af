"""The cases of test_ops.py cross-checked against PyTorch (float64): values and gradients."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from engine.ops import OPS, normalize_attrs

sys.path.insert(0, str(Path(__file__).parent))  # test_ops, whatever pytest's import mode
from test_ops import CASES, LEAVES, case_rng, make_inputs  # noqa: E402

torch = pytest.importorskip("torch")
from torch_ops import TORCH_OPS as TORCH  # noqa: E402


def test_every_op_has_a_torch_reference():
    assert set(TORCH) == set(OPS) - set(LEAVES)


@pytest.mark.parametrize("name, attrs, shapes, domains", CASES)
def test_values_and_gradients_match_torch(name, attrs, shapes, domains):
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    xs = make_inputs(name, attrs, shapes, domains)
    out = op.forward(xs, attrs)
    r = case_rng(name, "R", shapes).standard_normal(out.shape)
    grads = op.backward(xs, out, r, attrs)

    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    t_out = TORCH[name](*ts, attrs)
    (t_out * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-13, atol=1e-15)
    for k, t in enumerate(ts):
        np.testing.assert_allclose(grads[k], t.grad.numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=f"{name} port {k}")


@pytest.mark.parametrize("name, attrs", [
    ("relu", {}), ("abs", {}), ("leaky_relu", {}), ("leaky_relu", {"slope": 0.3}),
    ("sqrt", {}), ("pow", {"exponent": 0}), ("pow", {"exponent": 2}), ("pow", {"exponent": 3}),
    ("sigmoid", {}), ("tanh", {}),
])
def test_kinks_at_zero_match_torch(name, attrs):
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    x = np.array([0.0, -0.0, 1.5, -1.5])
    out = op.forward([x], attrs)
    (grad,) = op.backward([x], out, np.ones(4), attrs)
    t = torch.tensor(x, requires_grad=True)
    TORCH[name](t, attrs).sum().backward()
    np.testing.assert_allclose(out, TORCH[name](torch.tensor(x), attrs).numpy(), rtol=1e-15)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-14, atol=0)
    np.testing.assert_array_equal(grad[:2], t.grad.numpy()[:2])  # exactly equal at the kink


@pytest.mark.parametrize("name", ["sigmoid_bce", "softmax_ce"])
def test_losses_with_extreme_logits_match_torch(name):
    z = np.array([[-800.0, 30.0, 0.0], [700.0, -5.0, 1e-3]])
    y = np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])
    out = OPS[name].forward([z, y], {})
    grads = OPS[name].backward([z, y], out, np.ones(()), {})
    tz, ty = (torch.tensor(a, requires_grad=True) for a in (z, y))
    t_out = TORCH[name](tz, ty, {})
    t_out.backward()
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(grads[0], tz.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads[1], ty.grad.numpy(), rtol=1e-12, atol=1e-15)

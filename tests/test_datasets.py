"""Built-in datasets: shapes, tasks, labels, determinism, noise, bad arguments (the user's CSV:
tests/test_training_data.py)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.training.datasets import DATASETS, Dataset, make_dataset

EXPECTED = {"xor": ("binary", 2, 1), "circles": ("binary", 2, 1), "moons": ("binary", 2, 1),
            "spiral": ("multiclass", 2, 3), "linear": ("regression", 1, 1),
            "sine": ("regression", 1, 1)}


def test_every_dataset_is_listed():
    assert set(DATASETS) == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_shapes_and_task(name, n):
    data = make_dataset(name, n=n)
    task, features, outputs = EXPECTED[name]
    assert isinstance(data, Dataset) and data.name == name and data.task == task
    assert data.X.shape == (n, features) and data.Y.shape == (n, outputs)
    assert data.X.dtype == data.Y.dtype == np.float64
    assert np.isfinite(data.X).all() and np.isfinite(data.Y).all()
    assert len(data) == n


@pytest.mark.parametrize("name", EXPECTED)
def test_deterministic_for_a_seed_and_read_only(name):
    a, b = make_dataset(name, seed=3), make_dataset(name, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.Y, b.Y)
    c = make_dataset(name, seed=4)
    assert not (np.array_equal(a.X, c.X) and np.array_equal(a.Y, c.Y))
    with pytest.raises(ValueError):
        a.X[0, 0] = 5.0


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spiral"])
def test_classification_labels_are_balanced(name):
    data = make_dataset(name, n=300, noise=0.0)
    assert np.isin(data.Y, (0.0, 1.0)).all()
    counts = data.Y.sum(axis=0) if data.task == "multiclass" else \
        np.array([(data.Y == 0).sum(), (data.Y == 1).sum()])
    assert counts.min() >= 300 // len(counts) - 1
    if data.task == "multiclass":
        np.testing.assert_array_equal(data.Y.sum(axis=1), 1.0)


def test_xor_labels_follow_the_sign_product():
    data = make_dataset("xor", n=400, noise=0.3, seed=1)
    np.testing.assert_array_equal(data.Y[:, 0], data.X[:, 0] * data.X[:, 1] < 0)
    assert (np.abs(np.abs(data.X) - 1) < 1.5).all()
    assert data.Y.mean() == pytest.approx(0.5, abs=0.08)


def test_xor_without_noise_sits_on_the_four_corners():
    data = make_dataset("xor", n=8, noise=0.0)
    assert sorted(map(tuple, data.X)) == sorted([(1, 1), (-1, -1), (1, -1), (-1, 1)] * 2)


def test_circles_radii_and_moons_geometry():
    circles = make_dataset("circles", n=100, noise=0.0)
    radius = np.hypot(circles.X[:, 0], circles.X[:, 1])
    np.testing.assert_allclose(radius[circles.Y[:, 0] == 1], 0.5)
    np.testing.assert_allclose(radius[circles.Y[:, 0] == 0], 1.0)
    moons = make_dataset("moons", n=100, noise=0.0)
    upper = moons.X[moons.Y[:, 0] == 0]
    assert (upper[:, 1] >= -1e-12).all()


def test_spiral_classes_argument():
    data = make_dataset("spiral", n=100, classes=5)
    assert data.Y.shape == (100, 5) and data.classes == 5
    assert sorted(data.Y.sum(axis=0)) == [20.0] * 5


def test_regression_targets_and_noise():
    clean = make_dataset("sine", n=500, noise=0.0)
    np.testing.assert_allclose(clean.Y, np.sin(clean.X))
    assert (np.diff(clean.X[:, 0]) >= 0).all() and clean.X.min() >= -np.pi
    noisy = make_dataset("sine", n=2000, noise=0.2)
    assert np.std(noisy.Y - np.sin(noisy.X)) == pytest.approx(0.2, rel=0.1)
    line = make_dataset("linear", n=50, noise=0.0)
    np.testing.assert_allclose(line.Y, 1.5 * line.X - 0.5)
    assert line.classes is None


def test_noise_scales_the_spread():
    quiet = make_dataset("moons", n=400, noise=0.0, seed=2)
    loud = make_dataset("moons", n=400, noise=0.3, seed=2)
    assert np.std(loud.X - quiet.X) == pytest.approx(0.3, rel=0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "mnist"}, "unknown dataset 'mnist': choose one of xor, circles"),
    ({"name": "xor", "n": 0}, "n must be a positive integer"),
    ({"name": "xor", "n": 2.5}, "n must be a positive integer"),
    ({"name": "xor", "noise": -1}, "noise must be a non-negative number"),
    ({"name": "xor", "noise": float("nan")}, "noise must be"),
    ({"name": "spiral", "classes": 1}, "classes must be an integer >= 2"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_dataset(**kwargs)


def test_integral_floats_are_accepted_and_bad_seed_refused():
    data = make_dataset("spiral", n=30.0, classes=3.0, seed=2.0)
    np.testing.assert_array_equal(data.X, make_dataset("spiral", n=30, seed=2).X)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        make_dataset("xor", seed=-1)

"""Initialisers: shapes, dtype, statistics, determinism, clear errors."""
import math

import numpy as np
import pytest

from engine.init import INITIALIZERS, NORMAL_STD, fans, initialize


@pytest.mark.parametrize("name", INITIALIZERS)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (0, 3)])
def test_shape_and_dtype(name, shape):
    value = initialize(name, shape, seed=1)
    assert value.shape == shape
    assert value.dtype == np.float64
    assert np.all(np.isfinite(value))


def test_shape_accepts_int_list_and_none():
    assert initialize("normal", 3).shape == (3,)
    assert initialize("normal", [2, 2]).shape == (2, 2)
    assert initialize("normal", None).shape == ()


def test_zeros_are_zero():
    assert not initialize("zeros", (4, 4), seed=3).any()


@pytest.mark.parametrize("name", ["normal", "xavier", "he"])
def test_same_seed_same_values_other_seed_differs(name):
    a = initialize(name, (6, 5), seed=7)
    b = initialize(name, (6, 5), seed=7)
    c = initialize(name, (6, 5), seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_rng_argument_is_used_and_advanced():
    rng = np.random.default_rng(0)
    first = initialize("normal", (3,), rng=rng)
    second = initialize("normal", (3,), rng=rng)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, np.random.default_rng(0).normal(0, NORMAL_STD, 3))


def test_normal_statistics():
    value = initialize("normal", (400, 500), seed=0)
    assert abs(value.mean()) < 0.002
    assert value.std() == pytest.approx(NORMAL_STD, rel=0.01)


def test_xavier_is_glorot_uniform_over_fans():
    fan_in, fan_out = 300, 200
    value = initialize("xavier", (fan_in, fan_out), seed=0)
    limit = math.sqrt(6 / (fan_in + fan_out))
    assert value.min() >= -limit and value.max() <= limit
    assert value.min() < -0.99 * limit and value.max() > 0.99 * limit
    assert value.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)


def test_he_is_kaiming_normal_over_fan_in():
    value = initialize("he", (250, 400), seed=0)
    assert value.std() == pytest.approx(math.sqrt(2 / 250), rel=0.01)
    assert abs(value.mean()) < 0.01


def test_fans_convention():
    assert fans(()) == (1, 1)
    assert fans((7,)) == (7, 1)
    assert fans((3, 4)) == (3, 4)
    assert fans((5, 3, 4)) == (3, 4)
    assert fans((0, 4)) == (1, 4)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="zeros, normal, xavier, he"):
        initialize("glorot", (2, 2))


@pytest.mark.parametrize("shape", [(-1, 2), (2.5,), "ab", (True,), object()])
def test_bad_shape_is_a_clear_error(shape):
    with pytest.raises(ValueError, match="shape must be"):
        initialize("normal", shape)

"""The live plots' smoothing (TensorBoard's debiased exponential moving average), computed in
numpy blocks as new steps arrive, equals the textbook recurrence."""
import numpy as np
import pytest

from gui.training.series import Series, Smoothed, exponential_average


def recurrence(values, weight):
    """s_t = w·s_(t−1) + (1 − w)·x_t from 0, divided by 1 − wᵗ: the definition, one by one."""
    out, last = [], 0.0
    for t, value in enumerate(values, start=1):
        last = weight * last + (1 - weight) * value
        out.append(last / (1 - weight ** t))
    return np.array(out)


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.5, 0.9, 0.97, 0.99, 0.999])
def test_smoothing_in_pieces_equals_the_recurrence(weight):
    rng = np.random.default_rng(3)
    values = np.exp(rng.normal(size=9000)) * np.linspace(3, 0.01, 9000)   # a falling loss
    source = Series()
    smoothed = Smoothed(source, weight)
    steps = np.arange(1, len(values) + 1)
    for a, b in [(0, 1), (1, 7), (7, 500), (500, 5003), (5003, 9000)]:   # snapshots as they come
        source.extend(steps[a:b], values[a:b])
        out = smoothed.update()
    np.testing.assert_array_equal(out.x, steps)
    np.testing.assert_allclose(out.y, recurrence(values, weight), rtol=1e-9, atol=0)


def test_a_cleared_source_starts_the_average_afresh():
    source = Series()
    smoothed = Smoothed(source, 0.9)
    source.extend([1, 2, 3], [5.0, 6.0, 7.0])
    smoothed.update()
    source.clear()
    source.extend([1, 2], [1.0, 3.0])
    np.testing.assert_allclose(smoothed.update().y, recurrence([1.0, 3.0], 0.9), rtol=1e-12)


def test_exponential_average_from_a_start_value():
    values = np.array([2.0, 4.0, 8.0])
    expected, last = [], 10.0
    for v in values:
        last = 0.5 * last + 0.5 * v
        expected.append(last)
    np.testing.assert_allclose(exponential_average(values, 0.5, 10.0), expected, rtol=1e-15)


def test_huge_values_of_a_diverging_run_smooth_without_an_error():
    source = Series()
    smoothed = Smoothed(source, 0.9)
    source.extend([1, 2, 3], [1.0, 1e305, 1.7e308])
    out = smoothed.update().y
    assert out[0] == 1.0 and out[1] > 1e303 and not np.isnan(out).any()

"""Datasets: shapes, tasks, labels, determinism, noise; CSV loading, good and bad."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.training.datasets import DATASETS, Dataset, load_csv, make_dataset

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


# ---------------------------------------------------------------- CSV

def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_header_last_column_binary(tmp_path):
    path = write(tmp_path, "a,b,label\n# a comment\n0.5,1,0\n\n-1,2.5,1\n3,4e-1,1\n")
    data = load_csv(path)
    np.testing.assert_array_equal(data.X, [[0.5, 1], [-1, 2.5], [3, 0.4]])
    np.testing.assert_array_equal(data.Y, [[0], [1], [1]])
    assert data.task == "binary" and data.name == "data"
    assert data.feature_names == ("a", "b") and data.target_names == ("label",)


def test_csv_without_header_is_regression_by_default(tmp_path):
    data = load_csv(write(tmp_path, "1;2;0.25\n3;4;0.5\n"))
    assert data.task == "regression" and data.X.shape == (2, 2)
    np.testing.assert_array_equal(data.Y, [[0.25], [0.5]])


def test_csv_tabs_spaces_and_named_targets(tmp_path):
    data = load_csv(write(tmp_path, "y1 x y2\n1  2 0\n0  5 1\n"), target_columns=["y1", "y2"])
    assert data.task == "multiclass" and data.X.tolist() == [[2], [5]]
    data = load_csv(write(tmp_path, "1\t2\t3\n4\t5\t6\n", "t.tsv"), target_columns=0)
    assert data.Y.tolist() == [[1], [4]] and data.X.tolist() == [[2, 3], [5, 6]]


def test_csv_integer_labels_to_one_hot(tmp_path):
    data = load_csv(write(tmp_path, "1,2,0\n3,4,2\n5,6,1\n"), task="multiclass")
    np.testing.assert_array_equal(data.Y, np.eye(3)[[0, 2, 1]])
    assert data.classes == 3


def test_csv_header_false_forces_numbers(tmp_path):
    with pytest.raises(ValueError, match="line 1, column 1: 'a' is not a number"):
        load_csv(write(tmp_path, "a,b\n1,2\n"), header=False)


@pytest.mark.parametrize("text, message", [
    ("", "holds no data"),
    ("x,y\n", "header but no data rows"),
    ("x,y\n1,2\n3\n", "line 3: expected 2 values, found 1"),
    ("x,y\n1,2\nabc,3\n", "line 3, column 'x': 'abc' is not a number"),
    ("1,2\n3,nan\n", r"line 2, column 2: missing value \('nan'\)"),
    ("a,b\n1,\n", "line 2, column 'b': missing value$"),
    ("1,2\n3,-inf\n", "line 2, column 2: '-inf' is not a finite number"),
    ("1\n2\n", "need at least two columns"),
])
def test_csv_bad_files_name_the_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_csv(write(tmp_path, text))


def test_csv_bad_targets_and_missing_file(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(ValueError, match="no column named 'c'"):
        load_csv(path, target_columns="c")
    with pytest.raises(ValueError, match="out of range"):
        load_csv(path, target_columns=5)
    with pytest.raises(ValueError, match="at least one feature"):
        load_csv(path, target_columns=[0, 1])
    with pytest.raises(ValueError, match="binary targets"):
        load_csv(path, task="binary")
    with pytest.raises(ValueError, match="missing.csv: cannot read"):
        load_csv(tmp_path / "missing.csv")


def test_integral_floats_are_accepted_and_bad_seed_refused():
    data = make_dataset("spiral", n=30.0, classes=3.0, seed=2.0)
    np.testing.assert_array_equal(data.X, make_dataset("spiral", n=30, seed=2).X)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        make_dataset("xor", seed=-1)


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6).flatmap(
    lambda width: st.lists(st.lists(finite, min_size=width, max_size=width),
                           min_size=1, max_size=8)),
       st.sampled_from([",", ";", "\t"]))
def test_csv_reads_back_every_float_exactly(tmp_path_factory, rows, delimiter):
    path = tmp_path_factory.mktemp("csv") / "numbers.csv"
    path.write_text("\n".join(delimiter.join(repr(v) for v in row) for row in rows))
    data = load_csv(path, header=False, task="regression")
    table = np.array(rows)
    np.testing.assert_array_equal(data.X, table[:, :-1])
    np.testing.assert_array_equal(data.Y, table[:, -1:])


@pytest.mark.parametrize("text, cell, separator", [
    ("width;height;label\n14,23;1,5;0\n12,1;2,25;1\n", "'14,23'", " (and separates its cells "
                                                                   "with semicolons)"),
    ('width,height,label\n"14,23","1,5",0\n', "'14,23'", ""),
    ("width\theight\tlabel\n-0,5\t1\t0\n", "'-0,5'", " (and separates its cells with tabs)"),
])
def test_a_decimal_comma_csv_says_what_to_do(tmp_path, text, cell, separator):
    """Issue 15 item 11: not just "'14,23' is not a number": the header is still found, and
    the message says the file writes decimals with a comma and how to fix it."""
    with pytest.raises(ValueError) as error:
        load_csv(write(tmp_path, text, "d.csv"))
    point = cell.strip("'").replace(",", ".")
    assert str(error.value) == (
        f"d.csv, line 2, column 'width': {cell} is not a number: the file writes decimals "
        f"with a comma{separator}, the way spreadsheets in French, German and many other "
        f"languages save CSV. Write numbers with a decimal point ({point}): export the CSV "
        "with '.' as the decimal separator, or replace those commas with points")


def test_text_gets_no_decimal_comma_hint(tmp_path):
    with pytest.raises(ValueError, match=r"'abc' is not a number$"):
        load_csv(write(tmp_path, "x;y\nabc;1\n2;3\n"))

"""The user's CSV as training data: classes, the test split, standardisation, bad files."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.training.tables import read_table
from engine.training.data import Fit, Standardization, prepare, split_rows

SOFTMAX = Fit("softmax_ce", "x", "y", features_width=2, targets_width=3)
BCE = Fit("sigmoid_bce", "x", "y", features_width=2, targets_width=1)
MSE = Fit("mse", "x", "y", features_width=2, targets_width=1)


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def csv_section(path, **more):
    return {"csv": str(path), **more}


# ---------------------------------------------------------------- classes

def test_text_labels_become_one_hot_in_lexical_order(tmp_path):
    path = write(tmp_path, "w,h,fruit\n1,2,pear\n3,4,apple\n5,6,fig\n7,8,apple\n")
    data = prepare(csv_section(path, standardize=False), SOFTMAX)
    assert data.labels == ("apple", "fig", "pear")
    np.testing.assert_array_equal(data.train.Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(data.train.X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert data.train.task == "multiclass" and data.train.target_names == data.labels
    assert data.section["target"] == "fruit" and data.section["labels"] == list(data.labels)


def test_number_labels_sort_numerically_not_as_text(tmp_path):
    path = write(tmp_path, "a,b,grade\n0,0,10\n0,1,9\n1,0,2.5\n1,1,9.0\n")
    data = prepare(csv_section(path, standardize=False), SOFTMAX)
    assert data.labels == ("2.5", "9", "10")               # "10" < "2.5" as text
    assert data.train.Y.argmax(axis=1).tolist() == [2, 1, 0, 1]   # 9 and 9.0 are one class


def test_sigmoid_bce_takes_exactly_two_classes_the_second_is_one(tmp_path):
    path = write(tmp_path, "a,b,answer\n0,0,yes\n0,1,no\n1,1,yes\n")
    data = prepare(csv_section(path, standardize=False), BCE)
    assert data.labels == ("no", "yes") and data.train.Y.tolist() == [[1], [0], [1]]
    three = write(tmp_path, "a,b,answer\n0,0,yes\n0,1,no\n1,1,maybe\n", "three.csv")
    with pytest.raises(ValueError, match=r"^three.csv: column 'answer' has 3 classes "
                       r"\(maybe, no, yes\): sigmoid_bce needs exactly 2$"):
        prepare(csv_section(three), BCE)


def test_softmax_class_count_must_match_the_targets_node(tmp_path):
    path = write(tmp_path, "a,b,c\n0,0,x\n0,1,y\n")
    with pytest.raises(ValueError, match=r"^data.csv: column 'c' has 2 classes \(x, y\) but "
                       r"the targets node 'y' takes 3 \(softmax_ce: one column per class\)$"):
        prepare(csv_section(path), SOFTMAX)


def test_mse_needs_numbers_and_keeps_them(tmp_path):
    path = write(tmp_path, "a,b,y\n0,0,1.5\n0,1,-2\n")
    assert prepare(csv_section(path, standardize=False), MSE).train.Y.tolist() == [[1.5], [-2]]
    text = write(tmp_path, "a,b,y\n0,0,1.5\n0,1,lots\n", "text.csv")
    with pytest.raises(ValueError, match=r"^text.csv, line 3, column 'y': 'lots' is not a "
                       r"number \(mse needs numbers\)$"):
        prepare(csv_section(text), MSE)


def test_target_column_by_name_and_features_are_the_rest(tmp_path):
    path = write(tmp_path, "kind,a,b\ncat,1,2\ndog,3,4\nemu,5,6\n")
    data = prepare(csv_section(path, target="kind", standardize=False), SOFTMAX)
    assert data.train.feature_names == ("a", "b") and data.labels == ("cat", "dog", "emu")
    np.testing.assert_array_equal(data.train.X, [[1, 2], [3, 4], [5, 6]])


# ---------------------------------------------------------------- bad files: one clear line

BAD = {
    "missing value": ("a,b,c\n1,2,x\n3,,y\n", SOFTMAX, r"^bad.csv, line 3, column 'b': "
                      r"missing value$"),
    "NA is missing": ("a,b,c\n1,NA,x\n", SOFTMAX, r"^bad.csv, line 2, column 'b': missing "
                      r"value \('NA'\)$"),
    "text in a feature": ("a,b,c\n1,2,x\n3,tall,y\n", SOFTMAX, r"^bad.csv, line 3, column "
                          r"'b': 'tall' is not a number$"),
    "unknown target": ("a,b,c\n1,2,x\n", SOFTMAX, r"^bad.csv: no column named 'kind' "
                       r"\(columns: a, b, c\)$"),
    "feature count": ("a,b,c,d\n1,2,3,x\n", SOFTMAX, r"^bad.csv: 3 feature columns \(a, b, c\) "
                      r"but the features node 'x' takes 2$"),
    "header, no rows": ("a,b,c\n", SOFTMAX, r"^bad.csv: the file has a header but no data "
                        r"rows$"),
    "empty file": ("", SOFTMAX, r"^bad.csv: the file holds no data$"),
    "ragged row": ("a,b,c\n1,2,x\n3,4\n", SOFTMAX, r"^bad.csv, line 3: expected 3 values, "
                   r"found 2$"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_csv_is_one_line_naming_the_place(tmp_path, case):
    text, fit, message = BAD[case]
    section = csv_section(write(tmp_path, text, "bad.csv"))
    if case == "unknown target":
        section["target"] = "kind"
    with pytest.raises(ValueError, match=message):
        prepare(section, fit)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ValueError, match=r"nope.csv: cannot read the file: no such file$"):
        prepare(csv_section(tmp_path / "nope.csv"), SOFTMAX)
    with pytest.raises(ValueError, match="cannot read the file: it is a folder"):
        prepare(csv_section(tmp_path), SOFTMAX)


def test_the_first_missing_value_in_file_order_is_named(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,x\n3,?,y\n,4,z\n")
    with pytest.raises(ValueError, match="line 3, column 'b'"):
        prepare(csv_section(path), SOFTMAX)


def test_relative_csv_path_is_taken_from_the_folder(tmp_path):
    write(tmp_path, "a,b,c\n1,2,x\n3,4,y\n5,6,z\n")
    data = prepare({"csv": "data.csv", "standardize": False}, SOFTMAX, folder=tmp_path)
    assert len(data.train) == 3
    assert data.section_for(tmp_path)["csv"] == "data.csv"
    (tmp_path / "sub").mkdir()
    assert data.section_for(tmp_path / "sub")["csv"] == "../data.csv"


# ---------------------------------------------------------------- split and standardisation

def hand_split(n, fraction, seed):
    """The documented rule, written out: round-half-up count, default_rng([seed, 1])."""
    n_test = min(max(int(fraction * n + 0.5), 1), n - 1)
    order = np.random.default_rng([seed, 1]).permutation(n)
    return sorted(order[n_test:].tolist()), sorted(order[:n_test].tolist())


@pytest.mark.parametrize("n, fraction, seed", [(10, 0.3, 0), (7, 0.5, 3), (150, 0.2, 42),
                                               (2, 0.01, 1), (5, 0.99, 0)])
def test_split_follows_the_documented_rule(n, fraction, seed):
    train, test = split_rows(n, fraction, seed)
    assert (train.tolist(), test.tolist()) == hand_split(n, fraction, seed)
    assert len(train) >= 1 and len(test) >= 1 and set(train) | set(test) == set(range(n))


def test_split_and_standardisation_numbers_by_hand(tmp_path):
    rows = [(1.0, 10.0, "a"), (2.0, 10.0, "b"), (4.0, 20.0, "c"), (8.0, 40.0, "a"),
            (16.0, 10.0, "b"), (32.0, 30.0, "c"), (64.0, 10.0, "a"), (0.0, 50.0, "b")]
    path = write(tmp_path, "p,q,k\n" + "".join(f"{p},{q},{k}\n" for p, q, k in rows))
    data = prepare(csv_section(path, test_fraction=0.25), SOFTMAX, seed=5)
    train_rows, test_rows = hand_split(8, 0.25, 5)
    assert len(test_rows) == 2
    raw = np.array([r[:2] for r in rows])
    mean = raw[train_rows].mean(axis=0)                       # training rows only
    std = np.sqrt(((raw[train_rows] - mean) ** 2).mean(axis=0))   # population spread
    np.testing.assert_allclose(data.standardization.mean, mean, rtol=1e-15)
    np.testing.assert_allclose(data.standardization.std, std, rtol=1e-15)
    np.testing.assert_allclose(data.train.X, (raw[train_rows] - mean) / std, rtol=1e-14)
    np.testing.assert_allclose(data.test.X, (raw[test_rows] - mean) / std, rtol=1e-14)
    np.testing.assert_allclose(data.train.X.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(data.train.X.std(axis=0), 1, rtol=1e-14)
    labels = np.array([r[2] for r in rows])
    assert data.train.Y.argmax(axis=1).tolist() == \
        [("a", "b", "c").index(k) for k in labels[train_rows]]
    saved = data.section_for(tmp_path)
    assert saved["test_fraction"] == 0.25
    assert saved["standardize"] == {"mean": mean.tolist(), "std": std.tolist()}


def test_recorded_standardisation_is_used_as_it_is(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,x\n3,4,y\n5,6,z\n")
    data = prepare(csv_section(path, standardize={"mean": [1, 2], "std": [2, 4]}), SOFTMAX)
    np.testing.assert_array_equal(data.train.X, [[0, 0], [1, 0.5], [2, 1]])
    for bad in ({"mean": [1], "std": [2, 4]}, {"mean": [1, 2], "std": [0, 1]}, "yes"):
        with pytest.raises(ValueError, match="standardize"):
            prepare(csv_section(path, standardize=bad), SOFTMAX)


def test_a_constant_column_gets_spread_one():
    scaler = Standardization.of(np.array([[1.0, 5.0], [3.0, 5.0]]))
    assert scaler.std.tolist() == [1.0, 1.0] and scaler.mean.tolist() == [2.0, 5.0]
    np.testing.assert_array_equal(scaler.invert(scaler.apply([[7.0, 9.0]])), [[7.0, 9.0]])


def test_builtin_sets_split_but_stay_unscaled_unless_asked():
    fit = Fit("sigmoid_bce", "x", "y")
    whole = prepare({"dataset": "xor", "n": 40}, fit)
    assert whole.test is None and whole.standardization is None and len(whole.train) == 40
    split = prepare({"dataset": "xor", "n": 40, "test_fraction": 0.25}, fit, seed=2)
    train, test = hand_split(40, 0.25, 2)
    np.testing.assert_array_equal(split.train.X, whole.train.X[train])
    np.testing.assert_array_equal(split.test.Y, whole.train.Y[test])
    scaled = prepare({"dataset": "xor", "n": 40, "standardize": True}, fit)
    np.testing.assert_allclose(scaled.train.X.mean(axis=0), 0, atol=1e-15)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, "half", True])
def test_bad_test_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction must be a number from 0"):
        prepare({"dataset": "xor", "test_fraction": fraction}, Fit("mse", "x", "y"))


@pytest.mark.parametrize("text", [
    "a,b,label\n# a comment\n0.5,1,0\n\n-1,2.5,1\n3,4e-1,1\n",   # comments, blank lines
    "a;b;label\n0.5;1;0\n-1;2.5;1\n3;4e-1;1\n",
    "a\tb\tlabel\n0.5\t1\t0\n-1\t2.5\t1\n3\t4e-1\t1\n",
    "a  b label\n0.5 1  0\n-1  2.5 1\n3 4e-1 1\n",
    '"a","b","label"\n0.5,"1",0\n-1,2.5,1\n3,4e-1,1\n',
])
def test_separators_quotes_comments_and_blank_lines(tmp_path, text):
    data = prepare(csv_section(write(tmp_path, text), standardize=False), MSE)
    np.testing.assert_array_equal(data.train.X, [[0.5, 1], [-1, 2.5], [3, 0.4]])
    np.testing.assert_array_equal(data.train.Y, [[0], [1], [1]])
    assert data.train.feature_names == ("a", "b") and data.section["target"] == "label"


@pytest.mark.parametrize("text, message", [
    ("a,b,c\n1,2,3\n3,nan,4\n", r"line 3, column 'b': missing value \('nan'\)"),
    ("a,b,c\n1,2,3\n3,-inf,4\n", "line 3, column 'b': '-inf' is not a finite number"),
    ("a\n1\n2\n", "need at least two columns"),
])
def test_values_that_are_not_numbers_and_too_few_columns(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        prepare(csv_section(write(tmp_path, text)), MSE)


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.lists(finite, min_size=3, max_size=3), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t"]))
def test_every_float_reads_back_exactly(tmp_path_factory, rows, delimiter):
    path = tmp_path_factory.mktemp("csv") / "numbers.csv"
    path.write_text("\n".join(delimiter.join(row) for row in [["a", "b", "y"]] +
                              [[repr(v) for v in row] for row in rows]))
    data = prepare(csv_section(path, standardize=False), MSE)
    table = np.array(rows)
    np.testing.assert_array_equal(data.train.X, table[:, :-1])
    np.testing.assert_array_equal(data.train.Y, table[:, -1:])


def test_duplicate_or_blank_header_names(tmp_path):
    with pytest.raises(ValueError, match="names column 'a' twice"):
        read_table(write(tmp_path, "a,a,k\n1,2,x\n"))
    with pytest.raises(ValueError, match="column 2 has no name"):
        read_table(write(tmp_path, "a,,k\n1,2,x\n", "blank.csv"))


@pytest.mark.parametrize("text, cell, separator", [
    ("width;height;label\n14,23;1,5;0\n12,1;2,25;1\n", "'14,23'", " (and separates its cells "
                                                                   "with semicolons)"),
    ('width,height,label\n"14,23","1,5",0\n', "'14,23'", ""),
    ("width\theight\tlabel\n-0,5\t1\t0\n", "'-0,5'", " (and separates its cells with tabs)"),
])
def test_a_decimal_comma_csv_says_what_to_do(tmp_path, text, cell, separator):
    """Issue 15 item 11: not just "'14,23' is not a number": the message says the file writes
    decimals with a comma and how to fix it."""
    with pytest.raises(ValueError) as error:
        prepare(csv_section(write(tmp_path, text, "d.csv")), MSE)
    point = cell.strip("'").replace(",", ".")
    assert str(error.value) == (
        f"d.csv, line 2, column 'width': {cell} is not a number: the file writes decimals "
        f"with a comma{separator}, the way spreadsheets in French, German and many other "
        f"languages save CSV. Write numbers with a decimal point ({point}): export the CSV "
        "with '.' as the decimal separator, or replace those commas with points")


def test_text_gets_no_decimal_comma_hint(tmp_path):
    with pytest.raises(ValueError, match=r"'abc' is not a number$"):
        prepare(csv_section(write(tmp_path, "x;z;y\nabc;1;1\n2;3;1\n")), MSE)

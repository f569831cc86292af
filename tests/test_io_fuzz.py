"""Fuzzing ``engine.io``: mutated graph files load or raise one-line FileFormatError, nothing else.

Valid files come from the independent ``graph_generator``; hypothesis mutates them (truncation,
deleted keys, changed types, wrong format/version, edges to missing nodes, ports out of range,
ragged values, huge numbers, unicode and duplicate ids). Through the CLI, a bad file is exit 2
and one line on stderr. And save → load → save is byte-identical, extra keys kept in order.
"""
import contextlib
import copy
import io
import json
import os
import subprocess
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import main as main_py
from conftest import ROOT
from engine import FileFormatError, Graph, graph_from_dict, load_graph, save_graph
from engine.io import dumps, loads
from graph_generator import random_graph

EXAMPLES = int(os.environ.get("BPS_FUZZ_EXAMPLES", "100"))  # raise it for a deep run
DEEP = EXAMPLES > 100
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not DEEP, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
WEIRD = [None, True, False, 0, -1, 2, 1.5, -0.0, 1e308, 10 ** 400, -10 ** 400, "", "x", "é🙂",
         [], {}, [1, [2]], [[1, 2], [3]], ["a"], [None], {"a": 1}, [[[]]], "input", "1",
         [1e308, 1e308], 2 ** 63, 2 ** 64 + 1]
IDS = ["é", "🙂", "x y", "\u0000", "a\nb", "\u202e", "", " ", "Ω" * 300, "x", "loss"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 30, 10 ** 30) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8)


def loads_or_format_error(text):
    """Load ``text``; the only failure allowed is a one-line FileFormatError."""
    try:
        return loads(text, source="fuzz.json")
    except FileFormatError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        return None


def from_dict_or_format_error(doc):
    try:
        return graph_from_dict(doc, source="fuzz.json")
    except FileFormatError as exc:
        assert str(exc) and "\n" not in str(exc), repr(str(exc))
        return None


# ---------------------------------------------------------------------------- mutations
def spots(doc):
    """(container, key) for every place in the doc a value sits."""
    found = []

    def walk(obj):
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        for key, value in items:
            found.append((obj, key))
            if isinstance(value, (dict, list)):
                walk(value)
    walk(doc)
    return found


def entries(doc, key):
    """doc[key]'s dict entries (an earlier mutation may have made it anything)."""
    value = doc.get(key)
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


@st.composite
def mutated_docs(draw):
    doc = copy.deepcopy(random_graph(draw(st.integers(0, 300))))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "retype", "format", "edge", "value", "id",
                                     "duplicate", "loss"]))
        places = spots(doc)
        if kind == "delete":
            dicts = [(c, k) for c, k in places if isinstance(c, dict)]
            container, key = draw(st.sampled_from(dicts))
            del container[key]
        elif kind == "retype":
            container, key = draw(st.sampled_from(places))
            container[key] = draw(st.sampled_from(WEIRD) | json_values)
        elif kind == "format":
            key = draw(st.sampled_from(["format", "version"]))
            doc[key] = draw(st.sampled_from([0, 2, 99, -1, "1", 1.0, True, None,
                                             "backprop-studio-graph ", "BACKPROP-STUDIO-GRAPH"]))
        elif kind == "edge" and entries(doc, "edges"):
            edge = draw(st.sampled_from(entries(doc, "edges")))
            field = draw(st.sampled_from(["source", "target", "port"]))
            edge[field] = draw(st.sampled_from(
                ["missing", "", 2, 3, -1, 99, 1.0, "0", True, 10 ** 400] + IDS))
        elif kind == "value":
            leaves = [n for n in entries(doc, "nodes") if "value" in n]
            if leaves:
                draw(st.sampled_from(leaves))["value"] = draw(st.sampled_from(
                    [[[1, 2], [3]], [1, [2]], [[1], 2], ["a"], [None], 1e308 * 10 ** 0,
                     10 ** 400, [10 ** 400], [[-10 ** 309]], [[]], [], {"v": 1}, True]))
        elif kind == "id":
            nodes = entries(doc, "nodes")
            if nodes:
                draw(st.sampled_from(nodes))["id"] = draw(st.sampled_from(IDS) | st.text(max_size=5))
        elif kind == "duplicate" and entries(doc, "nodes"):
            doc["nodes"].append(copy.deepcopy(draw(st.sampled_from(entries(doc, "nodes")))))
        elif kind == "loss":
            doc["loss"] = draw(st.sampled_from(["nope", 3, None, [], ""] + IDS))
    return doc


@FUZZ
@given(doc=mutated_docs())
def test_a_mutated_dict_loads_or_raises_one_line_format_error(doc):
    graph = from_dict_or_format_error(doc)
    if graph is not None:
        assert isinstance(graph, Graph)
        text = json.dumps(doc)
        again = loads_or_format_error(text)
        assert again is not None and again.node_ids() == graph.node_ids()


@FUZZ
@given(seed=st.integers(0, 300), cut=st.floats(0, 1, exclude_max=True),
       extra=st.sampled_from(["", "x", "\n", "\u00e9"]))
def test_a_truncated_file_raises_one_line_format_error(seed, cut, extra):
    text = json.dumps(random_graph(seed), indent=int(seed % 3))
    at = int(cut * len(text))   # the closing brace, at least, is cut off
    assert loads_or_format_error(text[:at] + extra) is None


@FUZZ
@given(text=st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_any_text_loads_or_raises_one_line_format_error(text):
    loads_or_format_error(text)


def run_grad(path):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main_py.main(["grad", str(path)])
    return status, out.getvalue(), err.getvalue()


@settings(FUZZ, max_examples=EXAMPLES // 2)
@given(doc=mutated_docs())
def test_a_mutated_file_through_grad_is_json_or_exit_2_with_one_line(doc):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "g.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        status, out, err = run_grad(path)
    assert status in (0, 2), err
    if status == 0:
        data = json.loads(out)
        assert set(data) == {"values", "grads"} and err == ""
    else:
        assert out == "" and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("text", [
    '{"format": "backprop-studio-graph", "version": 1, "nodes": [{"id": "x", "op": "inp',
    '{"format": "backprop-studio-graph", "version": 2, "nodes": [], "edges": []}',
    '{"format": "backprop-studio-graph", "version": 1, "nodes": [{"id": "x", "op": "input", '
    '"value": [1e400]}], "edges": []}',
])
def test_a_bad_file_through_main_py_exits_2_with_one_line(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "main.py", "grad", str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "bad.json" in result.stderr


# ---------------------------------------------------------------------------- regressions
def leaf_doc(**node):
    return {"format": "backprop-studio-graph", "version": 1,
            "nodes": [{"id": "x", "op": "input", "value": 1.0, **node}], "edges": []}


@pytest.mark.parametrize("doc", [
    leaf_doc(value=10 ** 400), leaf_doc(value=[[1.0, -10 ** 400]]),        # OverflowError
    leaf_doc(position=[10 ** 400, 0]),                                     # TypeError
    leaf_doc(op="pow", value=None, attrs={"exponent": 10 ** 400}),         # OverflowError
    leaf_doc(op="leaky_relu", value=None, attrs={"slope": -10 ** 400}),
], ids=["value", "nested-value", "position", "exponent", "slope"])
def test_integers_beyond_float64_are_a_format_error(doc):
    if doc["nodes"][0]["value"] is None:
        del doc["nodes"][0]["value"]
    with pytest.raises(FileFormatError, match="'x'"):
        graph_from_dict(doc)
    with pytest.raises(FileFormatError):
        loads(json.dumps(doc))


@pytest.mark.parametrize("doc", [
    {**leaf_doc(), "edges": [{"source": "a\nb", "target": "x", "port": 0}]},
    {**leaf_doc(id="a\u2028b"), "loss": "c\rd"},
    {"format": "backprop-studio-graph\n", "version": 1, "nodes": [], "edges": []},
])
def test_a_format_error_stays_one_line_when_ids_hold_line_breaks(doc):
    with pytest.raises(FileFormatError) as info:
        graph_from_dict(doc)
    assert len(str(info.value).splitlines()) == 1


def test_a_graph_error_naming_ids_with_line_breaks_is_one_line_on_stderr(tmp_path):
    doc = {"format": "backprop-studio-graph", "version": 1,
           "nodes": [{"id": "x", "op": "input", "value": 1.0}, {"id": "a\nb", "op": "neg"},
                     {"id": "c\u2029d", "op": "exp"}],
           "edges": [{"source": "x", "target": "a\nb", "port": 0},
                     {"source": "x", "target": "c\u2029d", "port": 0}]}
    path = tmp_path / "sinks.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    status, out, err = run_grad(path)
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert "a\\nb" in err and "several sinks" in err


def test_an_integer_beyond_float64_through_grad_exits_2(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(leaf_doc(value=[10 ** 400])), encoding="utf-8")
    status, out, err = run_grad(path)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "'x'" in err and "too large" in err


# ---------------------------------------------------------------------------- round trip
@st.composite
def docs_with_extras(draw):
    doc = random_graph(draw(st.integers(0, 500)))
    keys = st.text(min_size=1, max_size=6).filter(
        lambda k: k not in ("format", "version", "nodes", "edges", "loss", "id", "op", "attrs",
                            "value", "position", "source", "target", "port"))
    extras = st.dictionaries(keys, json_values, max_size=3)
    top = draw(extras)
    out = {**doc, **top}
    for entry in out["nodes"] + out["edges"]:
        if draw(st.booleans()):
            entry.update(draw(extras))
    return out


@settings(FUZZ, max_examples=EXAMPLES // 2)
@given(doc=docs_with_extras())
def test_save_load_save_is_byte_identical_and_keeps_extras_in_order(doc):
    first = dumps(graph_from_dict(doc))
    second = dumps(loads(first))
    assert first == second
    written = json.loads(first)
    core = {"format", "version", "nodes", "edges", "loss"}
    assert [k for k in written if k not in core] == [k for k in doc if k not in core]
    for key in written:
        if key not in core:
            assert written[key] == doc[key]
    for kind, fields in (("nodes", {"id", "op", "attrs", "value", "position"}),
                         ("edges", {"source", "target", "port"})):
        for got, want in zip(written[kind], doc[kind], strict=True):
            assert [k for k in got if k not in fields] == [k for k in want if k not in fields]
            assert {k: v for k, v in got.items() if k not in fields} == \
                {k: v for k, v in want.items() if k not in fields}
    assert [n["id"] for n in written["nodes"]] == [n["id"] for n in doc["nodes"]]


def test_save_graph_and_load_graph_round_trip_through_files(tmp_path):
    for seed in range(10):
        doc = random_graph(seed)
        doc["note"] = {"é": [1, 2]}
        doc["nodes"][0]["colour"] = "#abc"
        graph = graph_from_dict(doc)
        save_graph(graph, tmp_path / "a.json")
        save_graph(load_graph(tmp_path / "a.json"), tmp_path / "b.json")
        assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
        assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["note"] == {"é": [1, 2]}

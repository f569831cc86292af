"""File format v1: round trips, kept extras and order, atomic saves, and one clear error
for every kind of bad file."""
import json
import os
import stat

import numpy as np
import pytest

from conftest import EXAMPLES
from engine import FileFormatError, Graph, graph_from_dict, graph_to_dict, load_graph, save_graph
from engine.io import dumps, loads

HEADER = '"format": "backprop-studio-graph", "version": 1'


def doc(nodes, edges=(), **top):
    return {"format": "backprop-studio-graph", "version": 1, "nodes": list(nodes),
            "edges": list(edges), **top}


def write(tmp_path, text, name="bad.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_round_trips(tmp_path, name):
    graph = load_graph(EXAMPLES / name)
    save_graph(graph, tmp_path / "a.json")
    again = load_graph(tmp_path / "a.json")
    save_graph(again, tmp_path / "b.json")
    first = json.loads((tmp_path / "a.json").read_text())
    assert first == json.loads((tmp_path / "b.json").read_text())
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    original = json.loads((EXAMPLES / name).read_text())
    assert [n["id"] for n in first["nodes"]] == [n["id"] for n in original["nodes"]]
    assert first.get("description") == original.get("description")


def test_numbers_are_float64_and_a_bare_number_is_zero_d():
    g = graph_from_dict(doc([{"id": "s", "op": "input", "value": 2},
                             {"id": "v", "op": "input", "value": [2]},
                             {"id": "m", "op": "constant", "value": [[1, 2], [3, 4]]}]))
    assert g.node("s").value.shape == () and g.node("s").value.dtype == np.float64
    assert g.node("v").value.shape == (1,)
    assert g.node("m").value.shape == (2, 2)
    data = graph_to_dict(g)
    assert data["nodes"][0]["value"] == 2.0 and data["nodes"][1]["value"] == [2.0]


def test_unknown_keys_and_order_are_kept():
    source = doc(
        [{"id": "b", "op": "input", "value": 1.0, "note": "first", "position": [10, 20.5]},
         {"id": "a", "op": "neg", "attrs": {}, "colour": {"r": 1}}],
        [{"source": "b", "target": "a", "port": 0, "label": "edge"}],
        loss="a", description="demo", data={"dataset": "xor"}, zzz=[1, 2])
    g = graph_from_dict(source, "mem")
    assert g.data == {"dataset": "xor"} and g.training is None
    out = graph_to_dict(g)
    assert [n["id"] for n in out["nodes"]] == ["b", "a"]
    assert out["nodes"][0]["note"] == "first" and out["nodes"][0]["position"] == [10, 20.5]
    assert out["nodes"][1]["colour"] == {"r": 1} and "position" not in out["nodes"][1]
    assert out["edges"] == [{"source": "b", "target": "a", "port": 0, "label": "edge"}]
    assert out["description"] == "demo" and out["zzz"] == [1, 2] and out["loss"] == "a"
    assert graph_to_dict(graph_from_dict(out)) == out


def test_parameter_value_is_always_written(tmp_path):
    g = Graph()
    g.add_node("W", "parameter", {"init": "he", "shape": [2, 3], "seed": 1})
    save_graph(g, tmp_path / "p.json")
    written = json.loads((tmp_path / "p.json").read_text())["nodes"][0]
    assert np.array(written["value"]).shape == (2, 3)
    assert g.node("W").value is None       # saving does not change the graph
    np.testing.assert_array_equal(load_graph(tmp_path / "p.json").forward()["W"], g.forward()["W"])


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "g.json"
    g = Graph()
    g.add_node("x", "input", value=1.0)
    save_graph(g, path)
    os.chmod(path, 0o640)
    before = path.read_text()
    g.set_value("x", np.nan)
    with pytest.raises(FileFormatError, match=r"not finite \(nan\)"):
        save_graph(g, path)
    assert path.read_text() == before
    g.set_value("x", 3.0)
    save_graph(g, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["g.json"]   # no temp file left behind
    assert "NaN" not in path.read_text()


def test_save_into_a_missing_folder_is_one_clear_error(tmp_path):
    g = Graph()
    with pytest.raises(FileFormatError, match="cannot save"):
        save_graph(g, tmp_path / "nope" / "g.json")


def test_dumps_writes_one_node_per_line_and_loads_reads_it():
    g = load_graph(EXAMPLES / "chain_rule.json")
    text = dumps(g)
    # {, format, version, description, try, "nodes": [ … ], "edges": [ … ], loss, }
    assert text.count("\n") == 6 + len(g.node_ids()) + 2 + len(g.edges()) + 3
    assert graph_to_dict(loads(text)) == graph_to_dict(g)


BAD_FILES = [
    ("", "bad.json: the file is empty"),
    ('{"format": "backprop-studio-graph", "version": 1, "nodes": [',
     "bad.json: not valid JSON (line 1, column"),
    ("[1, 2]", "bad.json: not a Backprop Studio graph (the top level is not a JSON object)"),
    ('{"version": 1}', 'bad.json: not a Backprop Studio graph (no "format" key)'),
    ('{"format": "other", "version": 1}', "bad.json: not a Backprop Studio graph (format is"),
    ('{"format": "backprop-studio-graph"}', 'bad.json: missing key "version"'),
    ('{%s, "version": 7, "nodes": [], "edges": []}' % '"format": "backprop-studio-graph"',
     "bad.json: version 7 is newer than this Backprop Studio"),
    ('{"format": "backprop-studio-graph", "version": "1"}', "bad.json: unknown version '1'"),
    ('{%s, "edges": []}' % HEADER, "bad.json: missing key 'nodes'"),
    ('{%s, "nodes": []}' % HEADER, "bad.json: missing key 'edges'"),
    ('{%s, "nodes": {}, "edges": []}' % HEADER, "bad.json: 'nodes' must be a list"),
    ('{%s, "nodes": [{"op": "input"}], "edges": []}' % HEADER, "bad.json: node 0 has no 'id'"),
    ('{%s, "nodes": [{"id": "a", "op": "input"}, {"id": "a", "op": "input"}], "edges": []}'
     % HEADER, "bad.json: duplicate node id 'a'"),
    ('{%s, "nodes": [{"id": "a", "op": "warp"}], "edges": []}' % HEADER,
     "bad.json: node 'a': unknown op 'warp'"),
    ('{%s, "nodes": [{"id": "a", "op": "leaky_relu", "attrs": {"slope": "x"}}], "edges": []}'
     % HEADER, "bad.json: node 'a': bad attr"),
    ('{%s, "nodes": [{"id": "a", "op": "input", "value": [[1, 2], [3]]}], "edges": []}'
     % HEADER, "bad.json: node 'a': value must be a number or a rectangular list"),
    ('{%s, "nodes": [{"id": "a", "op": "input", "value": "7"}], "edges": []}' % HEADER,
     "bad.json: node 'a': value must be a number"),
    ('{%s, "nodes": [{"id": "a", "op": "input", "value": NaN}], "edges": []}' % HEADER,
     "bad.json: not valid JSON: NaN is not allowed"),
    ('{%s, "nodes": [{"id": "a", "op": "input", "value": [1e400]}], "edges": []}' % HEADER,
     "bad.json: node 'a': value is not finite"),
    ('{%s, "nodes": [{"id": "a", "op": "input", "position": [1]}], "edges": []}' % HEADER,
     "bad.json: node 'a': \"position\" must be two numbers"),
    ('{%s, "nodes": [{"id": "a", "op": "input"}], '
     '"edges": [{"source": "a", "target": "m", "port": 0}]}' % HEADER,
     "bad.json: edge 0 (a → m, port 0): no node 'm'"),
    ('{%s, "nodes": [{"id": "a", "op": "input"}, {"id": "n", "op": "neg"}], '
     '"edges": [{"source": "a", "target": "n", "port": 1}]}' % HEADER,
     "bad.json: edge 0 (a → n, port 1): port 1 out of range: neg has 1 input"),
    ('{%s, "nodes": [{"id": "a", "op": "input"}, {"id": "n", "op": "neg"}], '
     '"edges": [{"source": "a", "target": "n", "port": 0}, '
     '{"source": "a", "target": "n", "port": 0}]}' % HEADER,
     "bad.json: edge 1 (a → n, port 0): input 0 of 'n' is already connected"),
    ('{%s, "nodes": [{"id": "p", "op": "neg"}, {"id": "q", "op": "neg"}], '
     '"edges": [{"source": "p", "target": "q", "port": 0}, '
     '{"source": "q", "target": "p", "port": 0}]}' % HEADER,
     "bad.json: edge 1 (q → p, port 0): would create a cycle: q → p → q"),
    ('{%s, "nodes": [{"id": "a", "op": "input"}], '
     '"edges": [{"source": "a", "target": "a"}]}' % HEADER, "bad.json: edge 0 has no 'port'"),
    ('{%s, "nodes": [], "edges": [], "loss": "L"}' % HEADER,
     "bad.json: \"loss\" names no node: 'L'"),
]


@pytest.mark.parametrize("text, message", BAD_FILES)
def test_bad_files_give_one_clear_error(tmp_path, monkeypatch, text, message):
    write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileFormatError) as err:
        load_graph("bad.json")
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_truncated_example_is_refused(tmp_path):
    text = (EXAMPLES / "neuron.json").read_text()
    path = write(tmp_path, text[: len(text) // 2], "cut.json")
    with pytest.raises(FileFormatError, match=r"cut.json: not valid JSON \(line \d+, column"):
        load_graph(path)


def test_missing_file_and_binary_file(tmp_path):
    with pytest.raises(FileFormatError, match="cannot read it"):
        load_graph(tmp_path / "missing.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(FileFormatError, match="not UTF-8"):
        load_graph(tmp_path / "bin.json")
    with pytest.raises(FileFormatError, match="cannot read it"):
        load_graph(tmp_path)


def test_a_node_computing_its_value_cannot_carry_one():
    with pytest.raises(FileFormatError, match="node 'n': a neg node computes its value"):
        graph_from_dict(doc([{"id": "n", "op": "neg", "value": 1.0}]), "g.json")


@pytest.mark.parametrize("text, sentence", [
    ('{"format": "backprop-studio-graph", "nodes": [{"id": "x", "op": "inp',
     "(line 1, column 65): A string starts here and is never closed: the file looks cut short"),
    ('{"format": "backprop-studio-graph", "nodes": [',
     "(line 1, column 47): The file ends before the JSON is complete: it looks cut short"),
    ('{"a": 1,\n}', "(line 2, column 1): A key in double quotes should start here (JSON allows "
                    "no comma before a closing brace)."),
    ('{"a" 1}', "(line 1, column 6): A colon is missing here, after a key."),
    ('[1 2]', "(line 1, column 4): A comma is missing here, between two items."),
    ('{} x', "(line 1, column 4): The JSON ended before this point, and more text follows it."),
    ('{"a": "b\tc"}', "(line 1, column 9): A string holds a raw control character here"),
    ('{"a": }', "(line 1, column 7): A value (a number, a string, a list or an object) should "
                "start here."),
])
def test_a_json_error_is_one_whole_sentence_with_its_place(tmp_path, monkeypatch, text,
                                                           sentence):
    """Issue 15 item 11: Python's fragments ("Unterminated string starting at") become whole
    sentences naming line and column, and a cut-short file says so."""
    write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileFormatError) as err:
        load_graph("bad.json")
    message = str(err.value)
    assert message.startswith("bad.json: not valid JSON " + sentence), message
    assert message.endswith((".", ".)")) and not message.endswith(" at.")

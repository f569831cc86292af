"""Fragments: copy writes nodes as a file would; insertion renames, offsets and checks whole."""
import numpy as np
import pytest

from engine import GraphError, Kind
from engine.fragments import fragment_dict, plan_insertion
from graphs import chain


def test_a_fragment_holds_the_chosen_nodes_and_their_inner_edges():
    g = chain()
    frag = fragment_dict(g, ["sq", "u", "x"])
    assert [n["id"] for n in frag["nodes"]] == ["x", "sq", "u"]        # graph order
    assert frag["edges"] == [{"source": "x", "target": "sq", "port": 0},
                             {"source": "sq", "target": "u", "port": 0}]
    assert frag["nodes"][0]["value"] == 1.5 and frag["nodes"][1]["attrs"] == {"exponent": 2.0}


def test_insertion_gets_fresh_ids_and_offset_positions():
    g = chain()
    g.set_position("x", (10, 20))
    ins = plan_insertion(g, fragment_dict(g, ["x", "sq"]), offset=(30, 40))
    assert ins.id_map == {"x": "x2", "sq": "sq2"}
    assert ins.nodes[0][0] == "x2" and ins.nodes[0][4] == (40.0, 60.0)
    assert ins.edges == [("x2", "sq2", 0, {})]
    assert g.node_ids() == ["x", "sq", "one", "u", "y"]                # unchanged


@pytest.mark.parametrize("fragment, kind", [
    ({"nodes": [{"id": "a", "op": "nope"}]}, Kind.UNKNOWN_OP),
    ({"nodes": [{"id": "a", "op": "input", "value": "text"}]}, Kind.BAD_VALUE),
    ({"nodes": [{"id": "a", "op": "input", "value": 1.0}, {"id": "b", "op": "neg"}],
      "edges": [{"source": "a", "target": "b", "port": 3}]}, Kind.PORT),
    ({"nodes": []}, Kind.NO_NODE),
    ("not a dict", Kind.BAD_VALUE),
])
def test_a_fragment_that_cannot_build_is_refused_whole_with_its_kind(fragment, kind):
    g = chain()
    with pytest.raises(GraphError) as err:
        plan_insertion(g, fragment)
    assert err.value.kind is kind
    assert len(g.node_ids()) == 5


def test_fresh_value_draws_a_parameter_without_changing_it():
    from engine import Graph
    g = Graph()
    g.add_node("w", "parameter", {"init": "normal", "shape": [2, 3], "seed": 1})
    a = g.fresh_value("w")
    assert a.shape == (2, 3) and g.node("w").value is None
    np.testing.assert_array_equal(a, g.fresh_value("w"))                 # seeded
    assert not np.array_equal(a, g.fresh_value("w", seed=2))
    assert g.fresh_value("w", init="zeros").sum() == 0.0
    g.add_node("x", "input", value=1.0)
    with pytest.raises(GraphError) as err:
        g.fresh_value("x")
    assert err.value.kind is Kind.BAD_VALUE

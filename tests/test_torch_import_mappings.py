"""Every module, function and method of the import's mapping table maps, and the imported
graph's values and gradients equal PyTorch's (float64): the import's own proof runs, and then
the graph is checked again against the eager module built independently by the recipe."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from engine.torch_import import import_model  # noqa: E402
from engine.torch_import.mappings import (FOLLOWED, HANDLERS, OP_FORMS, op_of,  # noqa: E402
                                          supported)
from torch_import_helpers import assert_equals_module, write_model  # noqa: E402

# the form (as messages show it: nn.X, F.x, Tensor.x), the returned expression (h = x + self.w;
# self.v is a (4, 2) parameter), extra __init__ lines, the shape of x
CASES = [
    ("operator.add", "h + x", "", (3, 4)),
    ("operator.add", "h + 2.5", "", (3, 4)),
    ("torch.add", "torch.add(h, x)", "", (3, 4)),
    ("Tensor.add", "h.add(x)", "", (3, 4)),
    ("operator.sub", "1.5 - h", "", (3, 4)),
    ("torch.sub", "torch.sub(h, x)", "", (3, 4)),
    ("Tensor.sub", "h.sub(x)", "", (3, 4)),
    ("operator.mul", "h * x * self.scale", "self.scale = 0.5", (3, 4)),
    ("torch.mul", "torch.mul(h, x)", "", (3, 4)),
    ("Tensor.mul", "h.mul(x)", "", (3, 4)),
    ("operator.truediv", "h / (x * x + 1)", "", (3, 4)),
    ("torch.div", "torch.div(h, h * h + 1)", "", (3, 4)),
    ("Tensor.div", "h.div(2.0)", "", (3, 4)),
    ("operator.neg", "-h", "", (3, 4)),
    ("torch.neg", "torch.neg(h)", "", (3, 4)),
    ("Tensor.neg", "h.neg()", "", (3, 4)),
    ("operator.pow", "h ** 2", "", (3, 4)),
    ("torch.pow", "torch.pow(h, 3)", "", (3, 4)),
    ("Tensor.pow", "(h * h + 0.1).pow(0.5)", "", (3, 4)),
    ("operator.matmul", "h @ self.v", "", (3, 4)),
    ("operator.matmul", "h @ self.u", "self.u = nn.Parameter(torch.randn(4))", (3, 4)),
    ("torch.matmul", "torch.matmul(h, self.v)", "", (3, 4)),
    ("Tensor.matmul", "h.matmul(self.v)", "", (3, 4)),
    ("torch.mm", "torch.mm(h, self.v)", "", (3, 4)),
    ("nn.Linear", "self.fc(h)", "self.fc = nn.Linear(4, 2)", (3, 4)),
    ("nn.Linear", "self.fc(h)", "self.fc = nn.Linear(4, 2, bias=False)", (3, 4)),
    ("nn.Linear", "self.fc(h.sum(0))", "self.fc = nn.Linear(4, 2)", (3, 4)),
    ("F.linear", "F.linear(h, self.fc.weight, self.fc.bias)", "self.fc = nn.Linear(4, 2)",
     (3, 4)),
    ("torch.maximum", "torch.maximum(h, x)", "", (3, 4)),
    ("Tensor.maximum", "h.maximum(x)", "", (3, 4)),
    ("torch.minimum", "torch.minimum(h, x)", "", (3, 4)),
    ("Tensor.minimum", "h.minimum(x)", "", (3, 4)),
    ("torch.exp", "torch.exp(h)", "", (3, 4)),
    ("Tensor.exp", "h.exp()", "", (3, 4)),
    ("torch.log", "torch.log(h * h + 0.5)", "", (3, 4)),
    ("Tensor.log", "(h * h + 0.5).log()", "", (3, 4)),
    ("torch.sqrt", "torch.sqrt(h * h + 0.5)", "", (3, 4)),
    ("Tensor.sqrt", "(h * h + 0.5).sqrt()", "", (3, 4)),
    ("torch.abs", "torch.abs(h)", "", (3, 4)),
    ("Tensor.abs", "h.abs()", "", (3, 4)),
    ("abs", "abs(h)", "", (3, 4)),
    ("torch.square", "torch.square(h)", "", (3, 4)),
    ("Tensor.square", "h.square()", "", (3, 4)),
    ("torch.reciprocal", "torch.reciprocal(h * h + 1)", "", (3, 4)),
    ("Tensor.reciprocal", "(h * h + 1).reciprocal()", "", (3, 4)),
    ("torch.sin", "torch.sin(h)", "", (3, 4)),
    ("Tensor.sin", "h.sin()", "", (3, 4)),
    ("torch.cos", "torch.cos(h)", "", (3, 4)),
    ("Tensor.cos", "h.cos()", "", (3, 4)),
    ("nn.ReLU", "self.act(h)", "self.act = nn.ReLU()", (3, 4)),
    ("nn.ReLU", "self.act(h)", "self.act = nn.ReLU(inplace=True)", (3, 4)),
    ("torch.relu", "torch.relu(h)", "", (3, 4)),
    ("F.relu", "F.relu(h, inplace=True)", "", (3, 4)),
    ("Tensor.relu", "h.relu()", "", (3, 4)),
    ("nn.Tanh", "self.act(h)", "self.act = nn.Tanh()", (3, 4)),
    ("torch.tanh", "torch.tanh(h)", "", (3, 4)),
    ("F.tanh", "F.tanh(h)", "", (3, 4)),
    ("Tensor.tanh", "h.tanh()", "", (3, 4)),
    ("nn.Sigmoid", "self.act(h)", "self.act = nn.Sigmoid()", (3, 4)),
    ("torch.sigmoid", "torch.sigmoid(h)", "", (3, 4)),
    ("F.sigmoid", "F.sigmoid(h)", "", (3, 4)),
    ("Tensor.sigmoid", "h.sigmoid()", "", (3, 4)),
    ("nn.LeakyReLU", "self.act(h)", "self.act = nn.LeakyReLU(0.2)", (3, 4)),
    ("F.leaky_relu", "F.leaky_relu(h)", "", (3, 4)),
    ("F.leaky_relu", "F.leaky_relu(h, negative_slope=0.1)", "", (3, 4)),
    ("nn.Softmax", "self.act(h)", "self.act = nn.Softmax(dim=-1)", (3, 4)),
    ("nn.Softmax", "self.act(h)", "self.act = nn.Softmax(dim=0)", (3, 4)),
    ("torch.softmax", "torch.softmax(h, 1)", "", (3, 4)),
    ("F.softmax", "F.softmax(h, dim=-1)", "", (3, 4)),
    ("Tensor.softmax", "h.softmax(0)", "", (3, 4)),
    ("torch.t", "torch.t(h) @ x", "", (3, 4)),
    ("Tensor.t", "h.t()", "", (3, 4)),
    ("Tensor.T", "h.T", "", (3, 4)),
    ("torch.transpose", "torch.transpose(h, 0, 1)", "", (3, 4)),
    ("Tensor.transpose", "h.transpose(-1, -2)", "", (3, 4)),
    ("nn.Flatten", "self.flat(h)", "self.flat = nn.Flatten()", (3, 2, 2)),
    ("torch.flatten", "torch.flatten(h)", "", (3, 2, 2)),
    ("Tensor.flatten", "h.flatten(1)", "", (3, 2, 2)),
    ("torch.reshape", "torch.reshape(h, (6, 2))", "", (3, 4)),
    ("Tensor.reshape", "h.reshape(h.shape[0], -1)", "", (3, 2, 2)),
    ("Tensor.view", "h.view(h.size(0), -1)", "", (3, 2, 2)),
    ("Tensor.view", "h.view(-1)", "", (3, 4)),
    ("Tensor.view", "h.view([h.size(0), -1])", "", (3, 2, 2)),
    ("Tensor.size", "h.view(h.size(0), h.size(1) // 2, 2)", "", (3, 4)),
    ("Tensor.shape", "h.reshape(h.shape)", "", (3, 4)),
    ("Tensor.dim", "h.reshape(h.dim() + 1, -1)", "", (3, 4)),
    ("Tensor.ndim", "h.reshape(-1, h.ndim)", "", (3, 4)),
    ("operator.getitem", "h.view(h.shape[-2], h.shape[1:][0])", "", (3, 4)),
    ("operator.floordiv", "h.view(h.size(0), h.size(1) // 2, -1)", "", (3, 4)),
    ("torch.cat", "torch.cat([h, x], 1)", "", (3, 4)),
    ("torch.cat", "torch.cat((h, x))", "", (3, 4)),
    ("torch.concat", "torch.concat([h, x], dim=0)", "", (3, 4)),
    ("torch.sum", "torch.sum(h)", "", (3, 4)),
    ("torch.sum", "torch.sum(h, (0, 1), keepdim=True)", "", (3, 4)),
    ("Tensor.sum", "h.sum(1)", "", (3, 4)),
    ("Tensor.sum", "h.sum(dim=0, keepdim=True)", "", (3, 4)),
    ("torch.mean", "torch.mean(h, dim=1)", "", (3, 4)),
    ("Tensor.mean", "h.mean()", "", (3, 4)),
    ("Tensor.mean", "h.mean(-1, True)", "", (3, 4)),
    ("torch.max", "torch.max(h)", "", (3, 4)),
    ("torch.max", "torch.max(h, 1).values", "", (3, 4)),
    ("torch.max", "torch.max(h, x)", "", (3, 4)),
    ("Tensor.max", "h.max(dim=0, keepdim=True)[0]", "", (3, 4)),
    ("Tensor.values", "h.max(1).values", "", (3, 4)),
    ("torch.amax", "torch.amax(h, 1)", "", (3, 4)),
    ("Tensor.amax", "h.amax(dim=(0, 1))", "", (3, 4)),
    ("torch.min", "torch.min(h)", "", (3, 4)),
    ("torch.min", "torch.min(h, 0)[0]", "", (3, 4)),
    ("torch.min", "torch.min(h, x)", "", (3, 4)),
    ("Tensor.min", "h.min(1, True).values", "", (3, 4)),
    ("torch.amin", "torch.amin(h, 0, keepdim=True)", "", (3, 4)),
    ("Tensor.amin", "h.amin()", "", (3, 4)),
    ("F.mse_loss", "F.mse_loss(h, x)", "", (3, 4)),
    ("nn.MSELoss", "self.crit(h, x)", "self.crit = nn.MSELoss()", (3, 4)),
    ("F.binary_cross_entropy_with_logits",
     "F.binary_cross_entropy_with_logits(h, torch.sigmoid(x), reduction='mean')", "", (3, 4)),
    ("nn.BCEWithLogitsLoss", "self.crit(h, torch.sigmoid(x))",
     "self.crit = nn.BCEWithLogitsLoss()", (3, 4)),
    ("F.cross_entropy", "F.cross_entropy(h, torch.softmax(x, 1))", "", (3, 4)),
    ("nn.CrossEntropyLoss", "self.crit(h, torch.softmax(x, -1))",
     "self.crit = nn.CrossEntropyLoss()", (3, 4)),
    ("nn.Identity", "self.same(h)", "self.same = nn.Identity()", (3, 4)),
    ("nn.Dropout", "self.drop(h) * 2", "self.drop = nn.Dropout(0.5)", (3, 4)),
    ("nn.Sequential", "self.seq(h)",
     "self.seq = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))", (3, 4)),
    ("nn.ModuleList", "self.layers[1](self.layers[0](h))",
     "self.layers = nn.ModuleList([nn.Linear(4, 4), nn.Tanh()])", (3, 4)),
    ("nn.ModuleDict", "self.parts['a'](h)", "self.parts = nn.ModuleDict({'a': nn.Sigmoid()})",
     (3, 4)),
]
LONG = (("F.", "torch.nn.functional."), ("nn.", "torch.nn."), ("Tensor.", "torch.Tensor."))


def full(form: str) -> str:
    """The form as the ops' torch_forms write it."""
    for short, long in LONG:
        if form.startswith(short):
            return long + form[len(short):]
    return form


NO_NODE = {"Tensor.size", "Tensor.shape", "Tensor.dim", "Tensor.ndim", "operator.getitem",
           "operator.floordiv", "Tensor.values", "Tensor.indices", "nn.Identity",
           "nn.Dropout", "nn.Sequential", "nn.ModuleList", "nn.ModuleDict"}
PAIRWISE = {"torch.max": "maximum", "torch.min": "minimum"}


def source(cases) -> str:
    classes = []
    for i, (_, expr, init, shape) in enumerate(cases):
        classes.append(f"""
class Case{i}(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn{shape})
        self.v = nn.Parameter(torch.randn(4, 2))
        {init or 'pass'}

    def forward(self, x):
        h = x + self.w
        return {expr}
""")
    return "".join(classes)


@pytest.fixture(scope="module")
def cases_file(tmp_path_factory):
    return write_model(tmp_path_factory.mktemp("cases"), source(CASES), "cases.py")


REFUSED_ONLY = {"Tensor.indices"}   # mapped only to say why it is refused (test_..._refusals)


def test_every_form_of_the_table_has_a_case():
    covered = {full(form) for form, *_ in CASES} | {full(f) for f in REFUSED_ONLY}
    assert set(HANDLERS) | set(FOLLOWED) == covered


def test_every_form_an_op_lists_is_read():
    from engine.ops import OPS
    listed = {form for op in OPS.values() for form in op.torch_forms if "(" not in form}
    assert listed and listed <= set(HANDLERS)
    assert set(OP_FORMS) == listed


def test_the_issues_modules_are_supported():
    modules = supported("modules")
    for name in ("nn.Linear", "nn.ReLU", "nn.Tanh", "nn.Sigmoid", "nn.LeakyReLU", "nn.Softmax",
                 "nn.Flatten", "nn.Identity", "nn.Dropout", "nn.Sequential", "nn.ModuleList"):
        assert name in modules


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_each_mapping_equals_pytorch(cases_file, index):
    form, expr, _, shape = CASES[index]
    result = import_model(cases_file, f"Case{index}", [shape], loss="mse")
    graph = result.graph
    ops = {graph.node(n).op for n in graph.node_ids()}
    op = PAIRWISE[form] if form in PAIRWISE and "h, x" in expr else \
        op_of(full(form)) or "matmul"     # (Linear: transpose, matmul and add)
    if form not in NO_NODE:
        assert op in ops, f"{form} made no {op} node: {sorted(ops)}"
    assert result.summary["max_abs_diff"] <= 1e-12
    assert_equals_module(cases_file, f"Case{index}", graph, "mse")


@pytest.mark.parametrize("expr", ["h.view(h.size(0), -1)", "h.view([h.size(0), -1])",
                                  "h.reshape(h.shape[0], -1)"])
def test_a_shape_from_the_batch_axis_becomes_minus_one(cases_file, expr):
    index = next(i for i, c in enumerate(CASES) if c[1] == expr)
    graph = import_model(cases_file, f"Case{index}", [(3, 2, 2)], loss="mse").graph
    (view,) = [n for n in graph.node_ids() if graph.node(n).op == "reshape"]
    assert graph.node(view).attrs["shape"] == [-1, 4]


def test_the_flatten_module_follows_the_batch_too(cases_file):
    flat = next(i for i, c in enumerate(CASES) if c[0] == "nn.Flatten")
    graph = import_model(cases_file, f"Case{flat}", [(3, 2, 2)], loss="mse").graph
    assert graph.node("flat").attrs["shape"] == [-1, 4]
    # the graph then runs on another batch size
    x = np.random.default_rng(0).standard_normal((5, 2, 2))
    values = graph.forward({"x": x, "w": np.ones((5, 2, 2)), "target": np.zeros((5, 4))})
    assert values["flat"].shape == (5, 4)


def test_max_along_a_dim_gives_a_tie_to_the_first_and_max_of_all_shares_it(tmp_path):
    path = write_model(tmp_path, """
        class Ties(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.zeros(3, 4))

            def forward(self, x):
                h = torch.relu(self.w - 1.0 + 0 * x)      # all zeros: every element ties
                return (torch.max(h, 1).values * 2 + h.amax(0).sum() + torch.min(h)
                        + h.min(dim=0, keepdim=True)[0].sum() + h.max()).sum()
    """)
    result = import_model(path, "Ties", [(3, 4)])
    graph = result.graph
    ties = {graph.node(n).attrs.get("ties") for n in graph.node_ids()
            if graph.node(n).op in ("max", "min")}
    assert ties == {"first", "split"}
    assert_equals_module(path, "Ties", graph, "none")


@pytest.fixture(scope="module")
def mixed_file(tmp_path_factory):
    return write_model(tmp_path_factory.mktemp("mixed"), """
        class Mixed(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 5)
                self.act = nn.LeakyReLU(0.05)
                self.out = nn.Linear(5, 4)
                self.register_buffer("shift", torch.linspace(-1, 1, 4))

            def forward(self, x, y):
                h = self.act(self.fc(x))
                z = self.out(h) + self.shift
                z = torch.cat([z, torch.sigmoid(y) ** 2], 1)
                return F.softmax(z, dim=-1).max(1).values.sum() + (y.abs() / 3).mean()
    """)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 6))
def test_a_mixed_model_equals_pytorch_for_any_seed_and_batch(mixed_file, seed, batch):
    path = mixed_file
    result = import_model(path, "Mixed", [(batch, 3), (batch, 2)], seed=seed)
    assert result.summary["max_abs_diff"] <= 1e-12
    assert result.graph.node("shift").op == "constant"
    assert_equals_module(path, "Mixed", result.graph, "none", seed=seed)


def test_arguments_with_defaults_keep_them_and_are_no_inputs(tmp_path):
    path = write_model(tmp_path, """
        class Defaults(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 1)

            def forward(self, x, scale=3.0, squash=True):
                h = self.fc(x) * scale
                return torch.tanh(h).sum() if squash else h.sum()
    """)
    graph = import_model(path, "Defaults", [(5, 2)]).graph
    assert [n for n in graph.node_ids() if graph.node(n).op == "input"] == ["x"]
    assert float(graph.node("mul.b").value) == 3.0
    assert_equals_module(path, "Defaults", graph, "none")


def test_a_layer_called_twice_shares_its_weight_and_a_frozen_one_is_a_constant(tmp_path):
    path = write_model(tmp_path, """
        class Twice(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 3)
                self.scale = nn.Parameter(torch.full((3,), 2.0), requires_grad=False)

            def forward(self, x):
                return (self.fc(torch.tanh(self.fc(x))) * self.scale).sum()
    """)
    result = import_model(path, "Twice", [(4, 3)])
    graph = result.graph
    assert graph.input_sources("fc.matmul") == ["x", "fc.weight.T"]
    assert graph.input_sources("fc@2.matmul") == ["tanh", "fc.weight.T"]
    assert graph.input_sources("fc@2") == ["fc@2.matmul", "fc.bias"]
    assert graph.node("scale").op == "constant"
    assert result.summary["parameters"] == 2 and result.summary["weights"] == 12
    assert_equals_module(path, "Twice", graph, "none")


def test_weights_from_a_state_file_are_the_graphs_parameters(tmp_path):
    path = write_model(tmp_path, """
        class Small(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

            def forward(self, x):
                return self.fc(x)
    """)
    trained = {"fc.weight": torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
               "fc.bias": torch.tensor([0.5, -0.5])}
    torch.save(trained, tmp_path / "state.pt")
    result = import_model(path, "Small", [(3, 2)], loss="bce", weights=tmp_path / "state.pt")
    np.testing.assert_array_equal(result.graph.node("fc.weight").value, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(result.graph.node("fc.bias").value, [0.5, -0.5])
    assert set(np.unique(result.graph.node("target").value)) <= {0.0, 1.0}
    assert "weights from state.pt" in result.graph.extra["description"]
    # the recipe: the same seed gives the same samples whatever the weights
    again = import_model(path, "Small", [(3, 2)], loss="bce")
    np.testing.assert_array_equal(again.graph.node("x").value, result.graph.node("x").value)
    torch.manual_seed(0)
    torch.nn.Linear(2, 2)
    np.testing.assert_array_equal(result.graph.node("x").value,
                                  torch.randn(3, 2, dtype=torch.float64).numpy())


def test_the_module_is_built_under_float32_whatever_its_file_sets(tmp_path):
    path = write_model(tmp_path, """
        torch.set_default_dtype(torch.float64)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 1)

            def forward(self, x):
                return self.fc(x).sum()
    """)
    before = torch.get_default_dtype()
    graph = import_model(path, "Net", [(2, 3)]).graph
    assert torch.get_default_dtype() == before
    weight = graph.node("fc.weight").value
    np.testing.assert_array_equal(weight, weight.astype(np.float32))   # float32 numbers
    torch.manual_seed(0)
    np.testing.assert_array_equal(weight, torch.nn.Linear(3, 1).weight.detach().double())

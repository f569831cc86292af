"""What an exported script needs to know about a graph, read from one real pass of the engine.

``read_program(graph)`` runs a copy of the graph forward and backward (a graph that cannot run
raises the engine's ``GraphError``) and returns a ``Program``: the leaves with their values
(trained parameters included, uninitialised ones initialised as the engine does), the op nodes
in the engine's forward order, the backward edges in the order the engine's backward pass
visits them (``Trace.backward_steps``), a Python name for every node, and — when the graph has
a ``data`` section the engine's ``Trainer`` accepts — the training set-up: the data rows, the
batch size, the optimizer and its settings, the number of steps and the seed.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

import numpy as np

from engine.errors import GraphError
from engine.ops import KERNELS

# names an exported script defines itself (a node never takes one of them)
SCRIPT_NAMES = frozenset("""
    np math json sys os argparse script_name command_line fail gradients run torch nn F forward backward leaves values v grads main train
    next_batch sgd_update momentum_update adam_update make_optimizer SETTINGS
    accuracy VALUES LOSS FEATURES TARGETS X Y BATCH_SIZE STEPS SEED LOSS_OP
    PREDICTION PARAMETERS INPUTS CONSTANTS OPTIMIZER Model model self device annotations
    float int len range print list dict tuple object type id min max sum abs
    """.split()) | frozenset(KERNELS)   # and the kernels a numpy script defines
# attributes of torch.nn.Module a parameter or constant must not shadow
MODULE_NAMES = frozenset("""
    T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda
    double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter
    get_submodule half ipu load_state_dict modules mtia named_buffers named_children
    named_modules named_parameters parameters register_backward_hook register_buffer
    register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook
    register_load_state_dict_pre_hook register_module register_parameter
    register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state
    set_submodule share_memory state_dict to to_empty train training type xpu zero_grad
    """.split())


@dataclass(frozen=True)
class Leaf:
    id: str
    op: str                    # input, constant or parameter
    value: np.ndarray


@dataclass(frozen=True)
class OpNode:
    id: str
    op: str
    attrs: dict
    sources: tuple             # input ids, by port
    in_ndims: tuple            # ndim of each input (fixed by the graph; batch sizes may vary)


@dataclass(frozen=True)
class BackwardEdge:
    source: str
    target: str
    port: int
    first: bool                # the first contribution to reach `source` (later ones add up)


@dataclass(frozen=True)
class Training:
    features: str
    targets: str
    X: np.ndarray
    Y: np.ndarray
    dataset: str
    batch_size: int
    default_steps: int         # a run's length (the training section's "steps")
    seed: int | None
    optimizer: dict            # {"name": "adam", "lr": ..., "beta1": ..., ...}
    loss_op: str
    prediction: str | None     # the node the accuracy is judged from
    parameters: tuple


@dataclass
class Program:
    name: str                  # the graph's file name or "graph"
    description: str
    leaves: list
    ops: list
    backward: list
    loss: str
    reached: set               # nodes the loss depends on (others get zero gradients)
    names: dict                # node id -> Python name of its value
    grad_names: dict           # node id -> Python name of its gradient
    training: Training | None
    no_training: str = ""      # why the script cannot train (empty when it can)
    node_order: list = field(default_factory=list)   # every id, in the engine's order

    def leaf_ids(self, *ops) -> list:
        return [leaf.id for leaf in self.leaves if not ops or leaf.op in ops]


def read_program(graph, name: str = "graph") -> Program:
    """The exportable description of ``graph`` (left unchanged); GraphError if it cannot run."""
    work = graph.copy()
    training, no_training = read_training(graph)
    work.forward()
    work.backward()
    trace = work.trace
    values = work.values
    ops, leaves = [], []
    op_nodes = {step.node for step in trace.forward_steps}
    for nid in trace.order:
        node = work.node(nid)
        if nid in op_nodes:
            sources = tuple(trace.inputs_of(nid))
            ops.append(OpNode(nid, node.op, dict(node.attrs), sources,
                              tuple(values[s].ndim for s in sources)))
        else:
            leaves.append(Leaf(nid, node.op, values[nid]))
    rank = {nid: i for i, nid in enumerate(work.node_ids())}
    leaves.sort(key=lambda leaf: rank[leaf.id])                    # file order reads best
    seen, backward = {trace.loss}, []
    for step in trace.backward_steps:
        backward.append(BackwardEdge(step.source, step.target, step.port, step.source not in seen))
        seen.add(step.source)
    names = python_names(work.node_ids())
    taken = set(names.values())
    grad_names = {}
    for nid in work.node_ids():
        grad_names[nid] = fresh_name(f"d_{names[nid]}", taken)
    description = work.extra.get("description")
    return Program(name, description if isinstance(description, str) else "", leaves, ops,
                   backward, trace.loss, seen, names, grad_names, training, no_training,
                   list(trace.order))


def read_training(graph) -> tuple[Training | None, str]:
    """The engine Trainer's set-up for ``graph`` (on a copy), or None and why not."""
    if graph.data is None:
        return None, "the graph has no \"data\" section to train on"
    from engine.training.trainer import Trainer
    try:
        trainer = Trainer(graph.copy())
    except (ValueError, GraphError, OSError) as error:  # TrainingError is a ValueError
        return None, " ".join(str(error).split())
    opt = trainer.optimizer
    settings = {"name": opt.name, **opt.settings()}
    dataset = trainer.dataset
    return Training(trainer.features, trainer.targets, np.asarray(dataset.X, dtype=np.float64),
                    np.asarray(dataset.Y, dtype=np.float64), str(getattr(dataset, "name", "")),
                    int(trainer.batch_size), int(trainer.default_steps), trainer.seed, settings,
                    trainer.graph.node(trainer.loss).op, trainer.prediction_node(),
                    tuple(trainer.parameters)), ""


def python_names(ids) -> dict:
    """A distinct ASCII Python identifier for every id (``h 1`` → ``h_1``), never a keyword or
    a name the scripts use themselves."""
    taken, names = set(), {}
    for nid in ids:
        names[nid] = fresh_name(nid, taken)
    return names


def fresh_name(text: str, taken: set) -> str:
    base = re.sub(r"[^0-9A-Za-z_]", "_", text) or "node"
    if base[0].isdigit():
        base = "n_" + base
    if keyword.iskeyword(base) or base in SCRIPT_NAMES or base in MODULE_NAMES \
            or base.startswith("__"):
        base += "_"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name

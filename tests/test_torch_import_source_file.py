"""What the import dialog reads from a model file without running it (no torch needed): the
class to offer first, whether it can be built with no arguments, and a guess at the input
width from its first nn.Linear."""
from __future__ import annotations

import textwrap

from engine.torch_import.source_file import first_width, main_class, module_classes

SOURCE = """
import torch
from torch import nn
raise SystemExit("never run")

class Block(nn.Module):
    def __init__(self, width, *, scale):
        super().__init__()
        self.fc = nn.Linear(width, width)

class Net(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features=7, out_features=hidden), nn.ReLU())
        self.head = nn.Linear(hidden, 1)

class Wide(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = torch.nn.Linear(2 * 3, 4)
        self.second = nn.Linear(4, 2)

class Helper(nn.Module):
    def __init__(self, n):
        super().__init__()
"""


def test_the_class_offered_first_is_the_last_one_built_without_arguments(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SOURCE))
    classes = module_classes(path)
    assert [(c.name, c.constructible) for c in classes] == [
        ("Block", False), ("Net", True), ("Wide", True), ("Helper", False)]
    assert main_class(classes).name == "Wide"
    assert main_class([c for c in classes if not c.constructible]).name == "Helper"
    assert main_class([]) is None


def test_the_input_width_is_read_from_the_first_linear_written_as_a_number(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SOURCE))
    assert first_width(path, "Net") == 7              # in_features=7, inside a Sequential
    assert first_width(path, "Wide") is None          # 2 * 3: not a number as written
    assert first_width(path, "Block") is None         # Linear(width, width)
    assert first_width(path, "Helper") is None        # no Linear
    assert first_width(path, "Missing") is None
    assert first_width(tmp_path / "no_such.py", "Net") is None
    (tmp_path / "broken.py").write_text("class Net(:\n")
    assert first_width(tmp_path / "broken.py", "Net") is None

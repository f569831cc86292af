"""File ▸ Export in the app: scripts that reproduce the numbers shown, pictures of the graph."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from gui.model import commands
from tests.conftest import EXAMPLES
from window_fixtures import dialogs, settings, window  # noqa: F401


def trigger(window, name):
    window.actions_by_name[name].trigger()


def test_the_file_menu_offers_every_export(window):
    texts = [a.text().replace("&", "") for a in window.export_menu.actions()]
    assert texts == ["Python Script (numpy)…", "PyTorch Script…", "SVG Picture…", "PNG Picture…"]


def test_a_numpy_script_of_an_edited_example_reproduces_what_the_app_shows(window, dialogs,
                                                                          tmp_path):
    assert window.open_file(str(EXAMPLES / "chain_rule.json"))
    window.undo_stack.push(commands.SetValue(window.model, "x", 2.0))   # unsaved: exported too
    window.model.run_now()
    dialogs.save_path = str(tmp_path / "chain")                         # no suffix: .py added
    trigger(window, "export_numpy")
    script = tmp_path / "chain.py"
    assert script.is_file() and "Exported chain.py" in window.statusBar().currentMessage()
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["loss"] == pytest.approx(float(window.model.values["y"]), rel=1e-12)
    assert out["grads"]["x"] == pytest.approx(float(window.model.grads["x"]), rel=1e-12)
    assert out["grads"]["x"] == pytest.approx(6 * 2 * 5 ** 2)          # 6x(x²+1)² at x = 2
    assert window.modified                                             # the document untouched


def test_pictures_name_every_node(window, dialogs, tmp_path):
    assert window.open_file(str(EXAMPLES / "two_paths.json"))
    dialogs.save_path = str(tmp_path / "g.svg")
    trigger(window, "export_svg")
    root = ET.parse(tmp_path / "g.svg").getroot()
    texts = " ".join(t for e in root.iter() if e.tag.endswith("text") for t in e.itertext())
    for node_id in window.model.node_ids():
        assert node_id in texts
    words = texts.split()                       # the numbers on edges, as the PNG shows them
    assert words.count("1.65") == 2 and "0.412" in words and "0.25" in words
    dialogs.save_path = str(tmp_path / "g.png")
    trigger(window, "export_png")
    image = QImage(str(tmp_path / "g.png"))
    assert not image.isNull() and image.width() > 400


def test_a_graph_that_cannot_run_says_why_and_writes_nothing(window, dialogs, tmp_path):
    window.undo_stack.push(commands.AddNode(window.model, "m", "mul"))   # inputs not connected
    dialogs.save_path = str(tmp_path / "broken.py")
    trigger(window, "export_pytorch")
    assert not (tmp_path / "broken.py").exists()
    assert dialogs.kinds() == ["warning"] and "cannot run" in dialogs.texts()
    assert "not connected" in dialogs.texts()


def test_cancelling_the_dialog_writes_nothing(window, dialogs, tmp_path):
    assert window.open_file(str(EXAMPLES / "chain_rule.json"))
    dialogs.save_path = None
    trigger(window, "export_numpy")
    assert list(tmp_path.glob("*.py")) == [] and dialogs.kinds() == []


def test_an_exported_script_is_offered_and_names_itself_without_a_doubled_suffix(
        window, dialogs, tmp_path, monkeypatch):
    """File ▸ Export ▸ numpy / PyTorch of spiral_csv.json: the dialog offers spiral_csv.py and
    spiral_csv_torch.py; each script's --help names the file it was saved as (never
    ``.py.py``), and the docstring names the graph it came from."""
    graph = tmp_path / "spiral_csv.json"
    graph.write_text((EXAMPLES / "spiral_classifier.json").read_text())
    assert window.open_file(str(graph))
    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, caption, start, *a, **k:
                        (offered.append(start) or dialogs.save_path or "", ""))
    runnable = ["numpy"] + (["pytorch"] if importlib.util.find_spec("torch") else [])
    for kind, name in (("numpy", "spiral_csv.py"), ("pytorch", "spiral_csv_torch.py")):
        dialogs.save_path = str(tmp_path / name)
        trigger(window, f"export_{kind}")
        assert Path(offered[-1]).name == name
        assert f"Exported {name}" in window.statusBar().currentMessage()
        text = (tmp_path / name).read_text()
        assert ".py.py" not in text and text.splitlines()[1].startswith('"""spiral_csv.json: ')
        if kind in runnable:
            done = subprocess.run([sys.executable, name, "--help"], capture_output=True,
                                  text=True, timeout=120, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            assert f"usage: {name} " in done.stdout and ".py.py" not in done.stdout
            assert f"python {name} --train [--steps N] [--seed S]" in done.stdout
    assert not list(tmp_path.glob("*.py.py"))

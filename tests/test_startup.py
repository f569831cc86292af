"""Start-up loads what is shown: the Training, Player and Chain rule docks build their content
(and import pyqtgraph and their modules) the first time they are shown; the inspector's
heatmap waits for the first tensor. Checked in a fresh process, whose modules are its own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from conftest import EXAMPLES, ROOT

WATCHED = ("pyqtgraph", "gui.training.panel", "gui.player.controller", "gui.player.step_card",
           "gui.inspector.heatmap", "gui.panels.chain_rule", "engine.training.trainer")

SESSION = """
import json, sys
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from gui.window.application import make_application
app = make_application()
from gui.window.main_window import MainWindow
WATCHED = %r

def loaded():
    app.processEvents()
    return sorted(m for m in WATCHED if m in sys.modules)

window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.resize(1200, 800)
window.show()
seen = {"shown": loaded()}
window.open_file(sys.argv[2], ask=False)           # no parameters: the chain rule stays in front
seen["opened"] = loaded()
window.canvas.setFocus()
QTest.keyClick(window.canvas, Qt.Key.Key_K)        # play
seen["played"] = loaded()
window.training_dock.show()
window.training_dock.raise_()                      # the Training tab comes to the front
seen["training"] = loaded()
window.open_file(sys.argv[3], ask=False)
window.inspector.set_selection(["W1"])
seen["tensor"] = loaded()
print(json.dumps(seen))
window.close_without_asking()
"""


def test_hidden_docks_load_their_modules_when_first_shown(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    code = textwrap.dedent(SESSION % (WATCHED,))
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.ini"),
                          str(EXAMPLES / "chain_rule.json"), str(EXAMPLES / "xor_mlp.json")],
                         cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    chain = "gui.panels.chain_rule"
    player = ["engine.training.trainer", "gui.player.controller", "gui.player.step_card"]
    assert seen["shown"] == seen["opened"] == [chain]      # the one bottom tab in front
    assert seen["played"] == sorted([chain, *player])      # K: the player, no pyqtgraph
    assert seen["training"] == sorted([chain, *player, "gui.training.panel", "pyqtgraph"])
    assert seen["tensor"] == sorted(WATCHED)               # a tensor selected: its heatmap

"""`python main.py shot` and `render` as a user runs them: subprocesses, exit codes, one-line
errors, a PNG of the requested size with the graph drawn on it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CHAIN_RULE = ROOT / "resources" / "examples" / "chain_rule.json"


def run_main(*args, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)          # main.py must choose offscreen itself
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=90)


def test_shot_writes_a_png_of_the_expected_size(tmp_path):
    out = tmp_path / "tmp.png"
    result = run_main("shot", CHAIN_RULE, "--out", out, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == "", "no platform-plugin chatter on a successful shot"
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (1400, 900)
        pixels = image.convert("RGB")
        colours = len(pixels.crop((300, 100, 1000, 800)).getcolors(maxcolors=1 << 20))
    assert colours > 50, "the canvas area should show nodes, not a flat colour"


def test_shot_size_flags_and_selection(tmp_path):
    out = tmp_path / "small.png"
    result = run_main("shot", CHAIN_RULE, "--out", out, "--width", 1000, "--height", 700,
                      "--select", "x", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    with Image.open(out) as image:
        assert image.size == (1000, 700)


def test_shot_of_a_bad_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-studio-graph", "version": 1, "nodes": [')
    result = run_main("shot", bad, "--out", tmp_path / "x.png", tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "bad.json" in lines[0]
    assert not (tmp_path / "x.png").exists()


def test_shot_usage_errors_are_one_line(tmp_path):
    for args in (("shot", CHAIN_RULE), ("shot", CHAIN_RULE, "--out", tmp_path / "no" / "x.png"),
                 ("shot", CHAIN_RULE, "--out", tmp_path / "x.png", "--select", "nope")):
        result = run_main(*args, tmp_path=tmp_path)
        lines = result.stderr.splitlines()
        assert result.returncode == 2 and len(lines) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr

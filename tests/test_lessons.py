"""Lesson files: read, checked and listed headless (engine/lessons, ``main.py lessons``).

Every shipped lesson passes ``lessons --check``; a lesson naming a missing node, a player step
beyond the last, an example that does not load or a malformed file is refused with one line
naming the file, the lesson step and the cause."""
import json
import sys

import numpy as np
import pytest

from conftest import ROOT, run_process
from engine.cli.lessons import main
from engine.lessons import (LessonError, LessonRun, Situation, parse_lesson, read_lesson,
                            shipped_lessons)

LESSONS = shipped_lessons()
NAMES = [p.name for p in LESSONS]


def lesson(steps, **top):
    return {"format": "backprop-studio-lesson", "version": 1, "title": "T",
            "example": "chain_rule", "granularity": "edge", "steps": steps, **top}


def write(tmp_path, data, name="lesson.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def check_line(capsys, path) -> str:
    """Run ``lessons --check path``; expect exit 2 and one line on stderr."""
    assert main(["--check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    return err.strip()


def test_seven_lessons_are_shipped_in_order():
    assert len(LESSONS) == 7
    titles = [read_lesson(p).title for p in LESSONS]
    assert titles[0] == "The derivative as a slope" and titles[-1] == "Why gradients add"


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_lesson_passes_the_check(name):
    run = LessonRun.read(ROOT / "resources" / "lessons" / name)
    assert run.check() == run.lesson.predictions
    assert run.lesson.granularity in ("edge", "node")


def test_check_all_prints_the_counts_as_its_last_line(capsys):
    assert main(["--check"]) == 0
    out, err = capsys.readouterr()
    counts = json.loads(out.strip().splitlines()[-1])
    assert counts == {"lessons": 7, "predictions": sum(read_lesson(p).predictions
                                                      for p in LESSONS)}
    assert counts["predictions"] >= 14 and err == ""


def test_list_prints_a_title_and_a_file_per_lesson(capsys):
    assert main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert lines[1] == "The chain rule  resources/lessons/02_chain_rule.json" or \
        lines[1].startswith("The chain rule  ") and lines[1].endswith("02_chain_rule.json")


def test_the_command_runs_without_qt():
    code = ("import sys, main; code = main.main(['lessons', '--check']); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
            "sys.exit(code)")
    result = run_process([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["lessons"] == 7


# ---------------------------------------------------------------- broken lessons
@pytest.mark.parametrize("steps, where, cause", [
    ([{"text": "a", "select": "x"}, {"text": "b", "select": "q"}], "step 2",
     "unknown node 'q'"),
    ([{"text": "a", "play": 10}], "step 1", "player step 10 is beyond the last (9 steps"),
    ([{"text": "a", "predict": {"step": 12}}], "step 1", "player step 12 is beyond the last"),
    ([{"text": "a", "predict": {"step": 1}}], "step 1", "asks nothing"),
    ([{"text": "a"}, {"text": "{grad:nope}"}], "step 2", "unknown node 'nope'"),
    ([{"text": "{gradient:x}"}], "step 1", "unknown placeholder {gradient:x}"),
    ([{"text": "{product:3}"}], "step 1", "player step 3 is a forward step"),
    ([{"text": "a", "change": {"node": "u", "op": "tanh"}}], "step 1", "arity must be the same"),
    ([{"text": "a", "set": {"node": "u", "value": 1}}], "step 1", "only an input, constant"),
    ([{"text": "a", "predict": {"step": 9, "expect": 95.5}}], "step 1",
     "expects 95.5 but the engine's answer at player step 9 is 95.0625"),
    ([{"text": "∂y/∂x = {grad:x}?", "predict": {"step": 9}}], "step 1", "gives the prediction"),
    ([{"text": "a", "hilight": ["x"]}], "step 1", "unknown key 'hilight' (did you mean "
                                                 "'highlight'?)"),
    ([{"text": "a", "open": "no_such_example"}], "step 1", "the example 'no_such_example' "
                                                           "does not load"),
    ([{"text": "a", "wait": {"for": "step", "step": 11}}], "step 1", "beyond the last"),
    ([{"text": "a", "train": 5}], "step 1", "cannot be trained"),
    ([{"text": "a", "plot": "norms"}], "step 1", "unknown plot 'norms' (plots: loss, accuracy, "
                                                "gradients, boundary)"),
])
def test_a_broken_lesson_names_its_file_step_and_cause(tmp_path, capsys, steps, where, cause):
    path = write(tmp_path, lesson(steps))
    line = check_line(capsys, path)
    assert line.startswith(f"backprop-studio lessons: {path}: {where}: ") or \
        f"lesson.json: {where}: " in line, line
    assert cause in line, line


@pytest.mark.parametrize("data, cause", [
    ("{\"format\": ", "malformed file: not JSON"),
    ("[1, 2]", "malformed file: a lesson is a JSON object"),
    (json.dumps(lesson([{"text": "a"}], format="backprop-studio-graph")), "\"format\" must be"),
    (json.dumps(lesson([{"text": "a"}], version=2)), "unsupported version 2"),
    (json.dumps(lesson([])), "\"steps\" must be a non-empty list"),
    (json.dumps(lesson([{"text": "a"}], granularity="edges")), "\"granularity\" must be"),
    (json.dumps(lesson([{"text": "a"}], example="missing")), "the example 'missing' does not load"),
])
def test_a_broken_file_is_refused_at_the_top_level(tmp_path, capsys, data, cause):
    line = check_line(capsys, write(tmp_path, data))
    assert "lesson.json: top level: " in line and cause in line, line


def test_an_example_next_to_the_lesson_is_found_by_its_relative_path(tmp_path, capsys):
    (tmp_path / "mine.json").write_text((ROOT / "resources/examples/two_paths.json").read_text())
    path = write(tmp_path, lesson([{"text": "∂z/∂t = {grad:t}", "select": "t"}],
                                  example="mine.json"))
    assert main(["--check", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"lessons": 1, "predictions": 0}
    assert LessonRun.read(path).text(1) == "∂z/∂t = 2.0609"


def test_several_broken_lessons_each_get_a_line(tmp_path, capsys):
    good = ROOT / "resources/lessons/02_chain_rule.json"
    bad1 = write(tmp_path, lesson([{"text": "a", "select": "q"}]), "a.json")
    bad2 = write(tmp_path, "not json", "b.json")
    assert main(["--check", str(good), str(bad1), str(bad2)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 2
    assert "a.json: step 1: unknown node" in err and "b.json: top level: malformed" in err


def test_usage_errors_are_one_line(capsys):
    assert main(["some.json"]) == 2
    assert "with --check" in capsys.readouterr().err
    assert main(["--bogus"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["--help"]) == 0
    assert "--check" in capsys.readouterr().out


# ---------------------------------------------------------------- the model the GUI drives
def test_steps_replay_their_edits_and_placeholders_read_earlier_steps():
    run = LessonRun.read(ROOT / "resources/lessons/01_derivative_as_slope.json")
    assert float(run.graph_at(1).node("x").value) == 1.5
    assert float(run.graph_at(2).node("x").value) == 1.6
    assert float(run.graph_at(5).node("x").value) == 1.5
    assert run.graph_at(3) is not run.graph_at(2)
    text = run.text(2)
    assert "from 1.5 to 1.6" in text and "y went from 34.3281 to 45.118" in text


def test_text_reads_the_live_graph_when_given():
    run = LessonRun.read(ROOT / "resources/lessons/02_chain_rule.json")
    live = run.graph_at(7).copy()
    live.set_value("x", 2.0)
    assert "the product of its local derivatives, 300." in run.text(7, live)   # 6·2·5²
    assert float(live.node("x").value) == 2.0 and live.trace is None            # untouched


def test_question_and_tolerance_of_a_prediction_step():
    run = LessonRun.read(ROOT / "resources/lessons/02_chain_rule.json")
    q = run.question(5)
    assert (q.answer, q.step, q.node) == (95.0625, 8, "x")
    assert run.question(1) is None and run.tolerance(5) is None
    data = lesson([{"text": "a", "predict": {"step": 9, "tolerance": 0.01}}], tolerance=0.1)
    run = LessonRun(parse_lesson(data, ROOT / "x.json"))
    assert run.tolerance(1) == 0.01 and run.question(1).tolerance == 0.01


def test_waits_follow_what_the_app_shows():
    steps = [{"text": "a", "wait": {"for": "op", "node": "u", "op": "mul"}},
             {"text": "b", "wait": {"for": "value", "node": "x"}},
             {"text": "c", "wait": {"for": "step", "step": 4}},
             {"text": "d", "wait": {"for": "trained", "steps": 50}},
             {"text": "e"}]
    run = LessonRun(parse_lesson(lesson(steps), ROOT / "x.json"))
    assert run.check() == 0
    assert run.waiting(1, Situation(ops={"u": "add"}))
    assert not run.waiting(1, Situation(ops={"u": "mul"}))
    start = {"x": np.array(1.5)}
    assert run.waiting(2, Situation(values={"x": np.array(1.5)}, values_at_start=start))
    assert not run.waiting(2, Situation(values={"x": np.array(2.0)}, values_at_start=start))
    assert run.waiting(3, Situation(player_step=3)) and not run.waiting(3, Situation(player_step=4))
    assert run.waiting(4, Situation(trained=49)) and not run.waiting(4, Situation(trained=50))
    assert not run.waiting(5, Situation())


def test_a_lesson_error_is_a_value_error_with_its_parts():
    with pytest.raises(LessonError) as info:
        parse_lesson(lesson([{"text": "a", "play": 0}]), "f.json")
    assert (info.value.path, info.value.step) == ("f.json", 1)
    assert "'play' must be a whole number from 1" in info.value.cause


def test_the_lesson_in_the_docs_passes_the_check(tmp_path):
    import re
    text = (ROOT / "docs" / "lessons.md").read_text()
    block = re.search(r"## A small lesson\n\n```json\n(.*?)```", text, re.S).group(1)
    run = LessonRun(parse_lesson(json.loads(block), tmp_path / "small.json"))
    assert run.check() == 1
    assert run.reveal(2) == "31.6875 × 3 = 95.0625."

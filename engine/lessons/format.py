"""A lesson file, read and checked for its shape (docs/lessons.md says what each key means).

``read_lesson(path)`` returns a ``Lesson`` or raises ``LessonError`` naming the file, the
lesson step (from 1; 0 for the top level) and the cause. Only the file's own shape is checked
here; whether its nodes, player steps and placeholders exist in its example is checked by
``engine.lessons.walk.LessonRun.check``.
"""
from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

from engine.steps import GRANULARITIES

FORMAT = "backprop-studio-lesson"
VERSION = 1
TOP_KEYS = ("format", "version", "title", "summary", "example", "granularity", "tolerance",
            "steps")
STEP_KEYS = ("text", "open", "change", "set", "select", "highlight", "panel", "play",
             "predict", "reveal", "train", "wait", "plot")
PANELS = ("inspector", "chain_rule", "step_card", "training")
PLOTS = ("loss", "accuracy", "gradients", "boundary")      # the Training panel's plots
WAITS = {"value": ("node",), "op": ("node", "op"), "step": ("step",), "trained": ("steps",)}
PLAYER_OFF, TRAIN_PAUSE = "off", "pause"


class LessonError(ValueError):
    """A lesson that cannot be used: ``path``, ``step`` (from 1; 0 = the top level) and the
    ``cause``, as one line (``str(error)``)."""

    def __init__(self, path, step: int, cause: str):
        self.path, self.step, self.cause = str(path), int(step), cause
        where = f"step {step}" if step else "top level"
        super().__init__(f"{self.path}: {where}: {cause}")


@dataclass(frozen=True)
class Change:
    node: str
    op: str
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SetValue:
    node: str
    value: object                 # a number or nested lists, as in a graph file


@dataclass(frozen=True)
class Prediction:
    step: int                     # the player step, from 1
    node: str | None = None       # which node, where the step concerns several
    tolerance: float | None = None
    expect: float | None = None   # the answer the teacher expects (checked against the engine)


@dataclass(frozen=True)
class Wait:
    kind: str                     # "value", "op", "step" or "trained"
    node: str | None = None
    op: str | None = None
    step: int | None = None       # kind "step": the player step, from 1
    steps: int | None = None      # kind "trained": training steps since the lesson step began


@dataclass(frozen=True)
class LessonStep:
    number: int                   # from 1
    text: str
    open: str | None = None
    changes: tuple = ()           # Change, in order
    sets: tuple = ()              # SetValue, in order
    select: str | None = None
    highlight: tuple = ()
    panel: str | None = None
    play: int | str | None = None           # a player step from 1, or "off"
    predict: Prediction | None = None
    reveal: str = ""
    train: int | str | None = None          # training steps to run, or "pause"
    wait: Wait | None = None
    plot: str | None = None                 # the Training panel's plot brought in sight

    @property
    def edits(self) -> bool:
        """It changes the graph (opens an example, changes an op or sets a value)."""
        return bool(self.open or self.changes or self.sets)


@dataclass(frozen=True)
class Lesson:
    path: Path
    title: str
    example: str
    granularity: str
    steps: tuple
    summary: str = ""
    tolerance: float | None = None

    @property
    def predictions(self) -> int:
        return sum(1 for s in self.steps if s.predict is not None)


def read_lesson(path) -> Lesson:
    """Read and shape-check the lesson file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LessonError(path, 0, f"cannot read the file ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise LessonError(path, 0, "malformed file: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LessonError(path, 0, f"malformed file: not JSON ({error.msg} at line "
                                   f"{error.lineno}, column {error.colno})") from None
    return parse_lesson(data, path)


def parse_lesson(data, path) -> Lesson:
    """A Lesson from already-parsed JSON ``data`` (``path``: where it came from)."""
    path = Path(path)
    top = _Reader(path, 0)
    if not isinstance(data, dict):
        top.fail(f"malformed file: a lesson is a JSON object, not {_kind(data)}")
    top.keys(data, TOP_KEYS)
    if data.get("format") != FORMAT:
        top.fail(f"malformed file: \"format\" must be \"{FORMAT}\", got {data.get('format')!r}")
    if data.get("version") != VERSION or isinstance(data.get("version"), bool):
        top.fail(f"unsupported version {data.get('version')!r} (this app reads version "
                 f"{VERSION})")
    title = top.text(data, "title", required=True)
    example = top.text(data, "example", required=True)
    granularity = data.get("granularity")
    if granularity not in GRANULARITIES:
        top.fail(f"\"granularity\" must be \"edge\" or \"node\", got {granularity!r}")
    tolerance = top.tolerance(data.get("tolerance"))
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        top.fail("\"steps\" must be a non-empty list of steps")
    parsed = tuple(_step(path, i + 1, s) for i, s in enumerate(steps))
    return Lesson(path, title, example, granularity, parsed, top.text(data, "summary"),
                  tolerance)


def _step(path: Path, number: int, data) -> LessonStep:
    r = _Reader(path, number)
    if not isinstance(data, dict):
        r.fail(f"a step is a JSON object, not {_kind(data)}")
    r.keys(data, STEP_KEYS)
    text = r.paragraphs(data, "text", required=True)
    reveal = r.paragraphs(data, "reveal")
    predict = r.predict(data.get("predict"))
    if reveal and predict is None:
        r.fail("\"reveal\" is the text shown after a prediction: this step has no \"predict\"")
    if predict is not None and data.get("play") is not None:
        r.fail("\"play\" and \"predict\" both name a player step: \"predict\" plays to its step")
    panel = data.get("panel")
    if panel is not None and panel not in PANELS:
        r.fail(f"unknown panel {panel!r} (panels: {', '.join(PANELS)})")
    plot = data.get("plot")
    if plot is not None and plot not in PLOTS:
        r.fail(f"unknown plot {plot!r} (plots: {', '.join(PLOTS)})")
    return LessonStep(number, text, r.text(data, "open") or None,
                      tuple(r.change(c) for c in r.listed(data.get("change"), "change")),
                      tuple(r.set_value(s) for s in r.listed(data.get("set"), "set")),
                      r.node(data.get("select"), "select"), r.highlight(data.get("highlight")),
                      panel, r.play(data.get("play")), predict, reveal,
                      r.train(data.get("train")), r.wait(data.get("wait")), plot)


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


class _Reader:
    """Checks the values of one step (or the top level) and fails naming it."""

    def __init__(self, path: Path, step: int):
        self.path, self.step = path, step

    def fail(self, cause: str):
        raise LessonError(self.path, self.step, cause)

    def keys(self, data: dict, known) -> None:
        for key in data:
            if key in known or key.startswith("_"):      # "_note": a comment for teachers
                continue
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (keys: {', '.join(known)})"
            self.fail(f"unknown key {key!r}{hint}")

    def text(self, data: dict, key: str, required: bool = False) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{key!r} must be a non-empty string")
        return value

    def paragraphs(self, data: dict, key: str, required: bool = False) -> str:
        """A string, or a list of strings joined as paragraphs."""
        value = data.get(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = "\n\n".join(value)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{key!r} must be text: a non-empty string or a list of strings")
        return value

    def node(self, value, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.fail(f"{key!r} names a node by its id, a string; got {value!r}")
        return value

    def number(self, value, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            self.fail(f"{key!r} must be a number, got {value!r}")
        return float(value)

    def count(self, value, key: str) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(f"{key!r} must be a whole number from 1, got {value!r}")
        return value

    def tolerance(self, value) -> float | None:
        if value is None:
            return None
        tolerance = self.number(value, "tolerance")
        if not 0 < tolerance < 1:
            self.fail(f"\"tolerance\" is relative: a number between 0 and 1, got {value!r}")
        return tolerance

    def listed(self, value, key: str) -> list:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(i, dict) for i in items):
            self.fail(f"{key!r} must be an object (or a list of objects)")
        return items

    def change(self, data: dict) -> Change:
        self.keys(data, ("node", "op", "attrs"))
        node = self.node(data.get("node"), "change.node")
        op = data.get("op")
        if node is None or not isinstance(op, str):
            self.fail("\"change\" needs \"node\" (an id) and \"op\" (the new op's name)")
        attrs = data.get("attrs", {})
        if not isinstance(attrs, dict):
            self.fail("\"change.attrs\" must be an object")
        return Change(node, op, dict(attrs))

    def set_value(self, data: dict) -> SetValue:
        self.keys(data, ("node", "value"))
        node = self.node(data.get("node"), "set.node")
        if node is None or "value" not in data:
            self.fail("\"set\" needs \"node\" (an id) and \"value\" (a number or nested lists)")
        return SetValue(node, data["value"])

    def highlight(self, value) -> tuple:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail("\"highlight\" names nodes: an id or a list of ids")
        return tuple(self.node(v, "highlight") for v in items)

    def play(self, value):
        if value is None or value == PLAYER_OFF:
            return value
        if isinstance(value, str):
            self.fail(f"\"play\" is a player step (from 1) or \"off\", got {value!r}")
        return self.count(value, "play")

    def predict(self, value) -> Prediction | None:
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = {"step": value}
        if not isinstance(value, dict):
            self.fail("\"predict\" is a player step (from 1) or an object with \"step\"")
        self.keys(value, ("step", "node", "tolerance", "expect"))
        if "step" not in value:
            self.fail("\"predict\" needs \"step\": the player step that asks (from 1)")
        expect = value.get("expect")
        return Prediction(self.count(value["step"], "predict.step"),
                          self.node(value.get("node"), "predict.node"),
                          self.tolerance(value.get("tolerance")),
                          None if expect is None else self.number(expect, "predict.expect"))

    def train(self, value):
        if value is None or value == TRAIN_PAUSE:
            return value
        if isinstance(value, str):
            self.fail(f"\"train\" is a number of training steps or \"pause\", got {value!r}")
        return self.count(value, "train")

    def wait(self, value) -> Wait | None:
        if value is None:
            return None
        if not isinstance(value, dict) or value.get("for") not in WAITS:
            self.fail(f"\"wait\" is an object whose \"for\" is one of {', '.join(WAITS)}")
        kind = value["for"]
        needs = WAITS[kind]
        self.keys(value, ("for", *needs))
        missing = [k for k in needs if k not in value]
        if missing:
            self.fail(f"\"wait\" for {kind} needs {', '.join(map(repr, missing))}")
        op = value.get("op")
        if op is not None and not isinstance(op, str):
            self.fail("\"wait.op\" must be an op's name")
        return Wait(kind, self.node(value.get("node"), "wait.node"), op,
                    self.count(value["step"], "wait.step") if "step" in value else None,
                    self.count(value["steps"], "wait.steps") if "steps" in value else None)

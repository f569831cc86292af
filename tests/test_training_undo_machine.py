"""Every order of Train, Pause, Step, Reset, Re-init, Undo and Redo (issue 15, item 1), as a
hypothesis state machine on the real window (XOR, short runs of 8 steps). "Mid-run" is a
worker held at an exact step by the session's test hook, never a sleep. The machine keeps the
history an undo stack must have — the weights and step of every set of weights the user saw —
and after each action checks that the panel and the document agree (the step, the loss of the
weights on the canvas, the curves coloured up to that step); at the end of each example it
walks the whole undo stack to check that no set of weights became unreachable."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings as hsettings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, \
    run_state_machine_as_test
from PySide6.QtWidgets import QApplication

from training_helpers import click, open_example, parameters, reference_trainer, wait_idle
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

STEPS = 8          # steps per run


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_every_order_of_training_actions_keeps_every_set_of_weights_reachable(window, qtbot):
    class Machine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            open_example(window, "xor_mlp")
            self.panel = panel = window.training
            panel.steps_box.setValue(STEPS)
            window.undo_stack.clear()        # the settings change is not part of the game
            self.stack = window.undo_stack
            self.history = [(parameters(window), 0)]     # (weights, step) per stack index
            self.index = 0
            self.running = None              # the step the held run shows, while one goes

        # ------------------------------------------------------------ the oracle
        def push(self, step: int) -> None:
            """A new undo step: the weights now in the document, at `step`."""
            self.history = self.history[:self.index + 1] + [(parameters(window), step)]
            self.index += 1

        def commit_run(self) -> int | None:
            """A run going on is paused first: it becomes its own undo step."""
            if self.running is not None:
                step, self.running = self.running, None
                return step
            return None

        def after_settle(self, step) -> None:
            """The run's undo step, its weights read from its command (``fill``)."""
            if step is not None:
                self.history = self.history[:self.index + 1] + [(None, step)]
                self.index += 1

        def fill(self) -> None:
            """Weights a paused run committed: those its undo command sets."""
            for i, (weights, step) in enumerate(self.history):
                if weights is None:
                    command = self.stack.command(i - 1)
                    part = command.parts[0] if hasattr(command, "parts") else command
                    self.history[i] = ({k: np.array(v) for k, v in part.new.items()}, step)

        @property
        def step(self) -> int:
            return self.history[self.index][1]

        # ------------------------------------------------------------ actions
        @precondition(lambda self: self.running is None)
        @rule(k=st.integers(1, STEPS - 1))
        def train(self, k):
            session = self.panel.session
            remaining = STEPS
            if session.paused:                   # Train resumes the paused run
                remaining = session.run_end - session.step_count
            if k >= remaining:                   # the run ends by itself
                click(self.panel.train_button)
                wait_idle(qtbot, self.panel)
                self.push(self.step + remaining)
                return
            target = self.step + k
            session.hold_at(target)
            click(self.panel.train_button)
            qtbot.waitUntil(lambda: session.worker is not None and session.latest is not None
                            and session.latest.run == session.worker.run_id
                            and session.step_count == target, timeout=30000)
            self.running = target

        @precondition(lambda self: self.running is not None)
        @rule()
        def pause(self):
            click(self.panel.train_button)
            wait_idle(qtbot, self.panel)
            self.push(self.commit_run())

        @precondition(lambda self: self.running is not None)
        @rule()
        def finish(self):
            session = self.panel.session
            end = session.run_end
            session.release_hold()
            wait_idle(qtbot, self.panel)
            self.running = None
            self.push(end)

        @precondition(lambda self: self.running is None)
        @rule()
        def step_once(self):
            click(self.panel.step_button)
            wait_idle(qtbot, self.panel)
            self.push(self.step + 1)

        @rule()
        def reset(self):
            self.after_settle(self.commit_run())      # mid-run, Reset pauses first
            click(self.panel.reset_button)
            wait_idle(qtbot, self.panel)
            self.fill()
            if not same(parameters(window), self.history[self.index][0]):
                self.push(0)

        @rule()
        def reinit(self):
            self.after_settle(self.commit_run())
            click(self.panel.reinit_button)
            wait_idle(qtbot, self.panel)
            self.push(0)

        @rule()
        def undo(self):
            self.after_settle(self.commit_run())
            self.stack.undo()
            QApplication.processEvents()
            self.index = max(0, self.index - 1)

        @rule()
        def redo(self):
            self.after_settle(self.commit_run())
            self.stack.redo()
            QApplication.processEvents()
            self.index = min(len(self.history) - 1, self.index + 1)

        # ------------------------------------------------------------ checks
        @invariant()
        def panel_and_document_agree(self):
            panel = self.panel
            if self.running is not None:
                assert panel.running and panel.metrics()["step"] == self.running
                return
            assert not panel.running
            self.fill()
            assert self.stack.count() == len(self.history) - 1
            assert self.stack.index() == self.index
            weights, step = self.history[self.index]
            assert same(parameters(window), weights)
            m = panel.metrics()
            assert m["step"] == step, (m["step"], step)
            assert panel.status_label.text().startswith(f"step {step} ")
            if panel.session.trainer is not None:      # (before the first Train: no loss)
                assert m["loss"] == reference_trainer(window).metrics()["loss"]
            assert panel.loss_plot.shown in (None, step)

        def teardown(self):
            if self.running is not None:          # a run held at the end: pause it
                self.panel.session.pause(wait=True)
                QApplication.processEvents()
                return
            for i in range(len(self.history)):    # every set of weights still reachable
                self.stack.setIndex(i)
                QApplication.processEvents()
                weights, step = self.history[i]
                assert same(parameters(window), weights), f"index {i}"
                assert self.panel.metrics()["step"] == step, f"index {i}"

    run_state_machine_as_test(Machine, settings=hsettings(
        max_examples=15, stateful_step_count=8, deadline=None,
        suppress_health_check=list(HealthCheck)))

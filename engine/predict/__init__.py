"""Predict mode, headless: what a player step asks, its answer, and the diagnosis of a wrong
prediction (the usual mistakes of backprop by hand). Pure functions of a Trace and the
engine's update preview; the GUI's predict mode and the lessons call them.

    question = ask(trace, step, update)      # step: engine.steps.PlayerStep (or StepInfo)
    verdict = check(question, 95.06)         # .right, .answer, .diagnosis (or None)
"""
from engine.predict.diagnose import (AT_OUTPUT, KINDS, LOCAL_ALONE, ONE_PATH, SIGN,
                                     UPSTREAM_ALONE, WITH_GRADIENT, Diagnosis, Verdict, check,
                                     diagnose, mistakes)
from engine.predict.question import (CONTRIBUTION, DEFAULT_TOLERANCE, NEW_VALUE, SUM, VALUE,
                                     Question, Term, ask, largest_index)

__all__ = ["ask", "check", "diagnose", "mistakes", "largest_index", "Question", "Term",
           "Verdict", "Diagnosis", "KINDS", "UPSTREAM_ALONE", "LOCAL_ALONE", "ONE_PATH", "SIGN",
           "AT_OUTPUT", "WITH_GRADIENT", "VALUE", "CONTRIBUTION", "SUM", "NEW_VALUE",
           "DEFAULT_TOLERANCE"]

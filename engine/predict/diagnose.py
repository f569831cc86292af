"""A wrong prediction, checked against the usual mistakes of backprop by hand.

In this order (the first whose value matches the learner's number wins):

1. ``upstream_alone`` — the upstream gradient passed on, the local derivative forgotten;
2. ``local_alone`` — the local derivative alone, the upstream gradient forgotten;
3. ``one_path`` — one path's contribution where several meet (the sum forgotten: also what
   a hand-written autograd gives when it overwrites a gradient instead of adding to it);
4. ``sign`` — the sign flipped;
5. ``at_output`` — the local derivative evaluated at the node's output instead of its input
   (tanh, sigmoid: engine/predict/mistakes.py);
6. ``with_gradient`` — the update stepped along the gradient instead of against it.

A mistake is offered only when its value differs from the right answer by more than the
question's allowed error (for ``add`` the upstream alone *is* the answer). The learner's number
matches a mistake within the same relative tolerance. Each diagnosis has one sentence saying
what went wrong and the formula with the mistaken numbers beside the right one.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.predict.question import BACKWARD, SUM, UPDATE, Question, close
from engine.predict.text import grad_symbol, number, signed

UPSTREAM_ALONE, LOCAL_ALONE, ONE_PATH, SIGN, AT_OUTPUT, WITH_GRADIENT = (
    "upstream_alone", "local_alone", "one_path", "sign", "at_output", "with_gradient")
KINDS = (UPSTREAM_ALONE, LOCAL_ALONE, ONE_PATH, SIGN, AT_OUTPUT, WITH_GRADIENT)


@dataclass(frozen=True)
class Diagnosis:
    kind: str          # one of KINDS
    value: float       # what the mistake gives
    sentence: str      # what went wrong, in one sentence
    yours: str         # the mistaken formula with its numbers: "31.6875 = 31.6875"
    right: str         # the right formula with its numbers: "31.6875 × 3 = 95.0625"


@dataclass(frozen=True)
class Verdict:
    right: bool
    guess: float
    answer: float
    diagnosis: Diagnosis | None = None   # for a wrong guess that matches a known mistake


def check(question: Question, guess: float) -> Verdict:
    """Right or wrong, and which mistake a wrong ``guess`` looks like (if any)."""
    guess = float(guess)
    if question.is_right(guess):
        return Verdict(True, guess, question.answer)
    return Verdict(False, guess, question.answer, diagnose(question, guess))


def diagnose(question: Question, guess: float) -> Diagnosis | None:
    """The first mistake in the list whose value ``guess`` matches; None when none does."""
    for found in mistakes(question):
        allowed = question.tolerance * max(question.scale, abs(found.value))
        if close(guess, found.value, allowed):
            return found
    return None


def mistakes(question: Question) -> list:
    """Every mistake this question can diagnose, in the list's order, with its value; those
    that would give the right answer (within the allowed error) are left out. ``one_path``
    may appear once per path."""
    found = []
    if question.phase == BACKWARD:
        found += _backward(question)
    found.append(_sign(question))
    if question.phase == UPDATE:
        found.append(_with_gradient(question))
    order = {kind: i for i, kind in enumerate(KINDS)}
    found = [d for d in found if d is not None
             and not close(d.value, question.answer, question.allowed_error)]
    return sorted(found, key=lambda d: order[d.kind])     # stable: paths keep their order


# ---------------------------------------------------------------- the formulas
def _product(term) -> str:
    if term.earlier or term.upstream is None:
        return signed(term.contribution)
    return f"{signed(term.upstream)} × {signed(term.local)}"


def _expression(question: Question, replace) -> tuple[str, float] | None:
    """The answer's sum written out, this step's terms rewritten by ``replace(term) ->
    (text, value) or None``; None when a term has no such mistake."""
    parts, total = [], 0.0
    for term in question.terms:
        if term.earlier:
            parts.append(signed(term.contribution))
            total += term.contribution
            continue
        got = replace(term)
        if got is None:
            return None
        parts.append(got[0])
        total += got[1]
    return " + ".join(parts), total


def _right(question: Question) -> str:
    if question.phase == UPDATE:
        return _update_formula(question, "−", question.answer)
    if question.phase != BACKWARD:
        return f"{question.symbol} = {number(question.answer)}"
    return _equation(question.symbol, " + ".join(_product(t) for t in question.terms),
                     question.answer)


def _made(question: Question, kind: str, sentence: str, replace,
          right_replace=None) -> Diagnosis | None:
    got = _expression(question, replace)
    if got is None:
        return None
    text, value = got
    right = _right(question)
    if right_replace is not None:
        right = _equation(question.symbol, _expression(question, right_replace)[0],
                          question.answer)
    return Diagnosis(kind, value, sentence, _equation(question.symbol, text, value), right)


def _equation(symbol: str, text: str, value: float) -> str:
    """``∂y/∂x = 31.6875 × 3 = 95.0625``; ``∂y/∂x = 31.6875`` when the text is the number."""
    if text in (signed(value), number(value)):
        return f"{symbol} = {number(value)}"
    return f"{symbol} = {text} = {number(value)}"


def _backward(question: Question) -> list:
    q, found = question, []
    loss = q.loss
    current = [t for t in q.terms if not t.earlier]
    target = current[0].edge[1] if current else q.node
    upstream = grad_symbol(loss, target)
    local = f"∂{target}/∂{q.node}"
    found.append(_made(q, UPSTREAM_ALONE,
                       f"You passed the upstream gradient {upstream} on unchanged: it still "
                       f"has to be multiplied by the local derivative {local}.",
                       lambda t: None if t.upstream_alone is None
                       else (signed(t.upstream_alone), t.upstream_alone)))
    found.append(_made(q, LOCAL_ALONE,
                       f"You used the local derivative {local} alone: the chain rule "
                       f"multiplies it by the upstream gradient {upstream}.",
                       lambda t: None if t.local_alone is None
                       else (signed(t.local_alone), t.local_alone)))
    if len(q.terms) > 1:
        paths = len(q.terms)
        for term in q.terms:
            sentence = (f"{q.node} feeds {paths} edges, so its gradient is the sum of what "
                        f"comes back along all of them; you gave only the part through "
                        f"{term.edge[1]}.")
            found.append(Diagnosis(ONE_PATH, term.contribution, sentence,
                                   _equation(q.symbol, _product(term), term.contribution),
                                   _right(q)))
    found.append(_made(q, AT_OUTPUT, _at_output_sentence(current), _at_output, _at_input))
    return found


def _at_output_sentence(current) -> str:
    term = next((t for t in current if t.at_output is not None), None)
    if term is None:
        return ""
    source, target = term.edge[0], term.edge[1]
    if term.input_value is None:
        return (f"You evaluated the derivative of {term.op} at its output {target} instead "
                f"of at its input {source}.")
    return (f"You evaluated the derivative of {term.op} at its output {target} = "
            f"{number(term.output_value)} instead of at its input {source} = "
            f"{number(term.input_value)}.")


def _at_output(term):
    if term.at_output is None:
        return None
    if term.upstream is None or term.wrong_local is None:
        return signed(term.at_output), term.at_output
    return f"{signed(term.upstream)} × ({term.wrong_local})", term.at_output


def _at_input(term):
    """The right product, written with the local derivative's formula at the input."""
    if term.upstream is None or term.right_local is None:
        return _product(term), term.contribution
    return f"{signed(term.upstream)} × ({term.right_local})", term.contribution


def _sign(question: Question) -> Diagnosis:
    value = -question.answer
    return Diagnosis(SIGN, value, "The size is right but the sign is flipped.",
                     f"{question.symbol} = {number(value)}", _right(question))


def _update_formula(question: Question, direction: str, value: float) -> str:
    q = question
    if q.optimizer in ("sgd", "momentum") and q.lr is not None:
        step = f"{number(q.lr)} × {signed(q.grad)}"
        rule = "θ − lr·g" if direction == "−" else "θ + lr·g"
    else:
        step = signed(q.step_size)
        rule = "θ − step" if direction == "−" else "θ + step"
    return f"{q.symbol} = {rule} = {signed(q.old)} {direction} {step} = {number(value)}"


def _with_gradient(question: Question) -> Diagnosis:
    q = question
    value = q.old + q.step_size
    return Diagnosis(WITH_GRADIENT, value,
                     "You stepped along the gradient: gradient descent moves each parameter "
                     "against it, downhill on the loss.",
                     _update_formula(q, "+", value), _right(q))


__all__ = ["Diagnosis", "Verdict", "check", "diagnose", "mistakes", "KINDS", "SUM"]

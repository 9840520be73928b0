"""How long the interview is: what "question N of M" counts.

The count is over the whole checklist under the answers so far: questions answered count as asked (those
filled in from earlier answers do not), and those still to come count as their likeliest answers would
have them, so the M a person sees moves as little as it can while they answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import assert_never

from smcheck import qtypes
from smcheck.asking import Progress
from smcheck.checklist import Checklist, Question, Value, holds, referenced
from smcheck.outcome import derived
from smcheck.qtypes import Widget


def expected(checklist: Checklist, progress: Progress, derived_ids: Set[str]) -> list[Question]:
    """The questions ``progress`` leads to, in order, over the whole checklist: those answered (not
    filled in: ``derived_ids`` are), and those still to come as their likeliest answers would have them
    (a default; yes; the first choice; a text answered), where an answer that earlier answers will give
    is counted as given. What "question N of M" counts."""
    answers = progress.answers
    assumed: dict[str, Value] = {}
    asked: list[Question] = []
    for question in checklist.questions:
        if question.when is not None and not holds(question.when, assumed):
            continue
        value: Value | None
        if question.id in answers:
            value = answers[question.id]
            is_asked = question.id not in derived_ids
        elif question.id in progress.skipped:
            value, is_asked = None, True
        elif question.renewal_only:
            continue  # not asked (see Interview._next)
        else:
            derivation = derived(question, assumed)
            if derivation is None and any(
                source not in answers
                for item in question.derive
                for source in referenced(item.when)
            ):
                derivation = question.derive[0]  # the answers it comes from are still open
            if derivation is not None:
                value, is_asked = derivation.value, False
            else:
                value, is_asked = likely(question, assumed), True
        if value is not None:
            assumed[question.id] = value
        if is_asked:
            asked.append(question)
    return asked


def filled_in(checklist: Checklist, answers: Mapping[str, Value]) -> set[str]:
    """The answers of ``answers`` that earlier answers give (each shown question whose answer is its
    derivation): filled in, not asked, so never counted. What a saved draft, which does not say which
    answers were typed, is counted with, by the interview that resumes it and by ``smcheck drafts``."""
    from smcheck.outcome import visible

    return {
        question.id
        for question in visible(checklist, answers)
        if (derivation := derived(question, answers)) is not None
        and answers.get(question.id) == derivation.value
    }


def likely(question: Question, answers: Mapping[str, Value]) -> Value | None:
    """The answer a question still to come is counted as, for "question N of M": what most proposals
    answer. Its default; else an answer that raises none of its own rules: yes (or, when yes raises one,
    no; no for a question without rules), every box of a tick-box ticked (a list of commitments) unless
    that raises a rule (a list of uses), the first choice, a text answered."""

    def quiet(value: Value) -> bool:
        trial = {**answers, question.id: value}
        return not any(holds(rule.when, trial) for rule in question.rules)

    if question.default is not None:
        return question.default
    kind = qtypes.spec(question.type)
    match kind.widget:
        case Widget.YESNO:
            if not question.rules:
                return False
            return quiet(True)
        case Widget.PICK_ONE:
            return question.choices[0].value if question.choices else None
        case Widget.PICK_MANY:
            every = tuple(c.value for c in question.choices)
            return every if question.rules and quiet(every) else ()
        case Widget.TEXT:
            return kind.likely
        case _:  # a widget without a case is a mypy error here (--strict checks exhaustiveness)
            assert_never(kind.widget)

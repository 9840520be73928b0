"""Which questions are shown, and what the answers add up to: pure functions of a checklist and answers.

The interview, the ``--answers`` run and ``verify`` all call these, so a record's outcome can be recomputed
from its answers and compared with the one it states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import NamedTuple

from smcheck.checklist import (
    Answers,
    Checklist,
    CoSigner,
    Derivation,
    Level,
    Question,
    Value,
    holds,
)


class Status(StrEnum):
    """Where a set of answers stands."""

    READY = "ready"
    """No rule fired: ready for the reviewer."""
    WARNINGS = "ready-with-warnings"
    """Ready for the reviewer, who will look at the warnings."""
    BLOCKED = "blocked"
    """A blocker must be fixed before sign-off."""
    REFERRED = "referred"
    """Not for this process: the proposer is referred elsewhere."""

    @property
    def can_sign_off(self) -> bool:
        """Whether a record may be signed off with this status."""
        return self in (Status.READY, Status.WARNINGS)


class Finding(NamedTuple):
    """A rule that fired: what is wrong and what fixes it."""

    rule: str
    level: Level
    question: str
    message: str
    action: str
    clauses: tuple[str, ...]
    refer_to: str | None = None
    explained_by: str | None = None
    """The question whose answer explains this finding to the reviewer, if the checklist asks one."""


class Outcome(NamedTuple):
    """The status and every finding, in checklist order."""

    status: Status
    findings: tuple[Finding, ...]

    def of_level(self, level: Level) -> tuple[Finding, ...]:
        """The findings of one level."""
        return tuple(f for f in self.findings if f.level is level)


def visible(checklist: Checklist, answers: Answers) -> list[Question]:
    """The questions shown, in order.

    A question's condition is judged on the answers to the questions shown before it, so an answer to a
    question that is itself hidden never shows or hides anything.
    """
    shown: list[Question] = []
    effective: dict[str, Value] = {}
    for question in checklist.questions:
        if question.when is None or holds(question.when, effective):
            shown.append(question)
            if question.id in answers:
                effective[question.id] = answers[question.id]
    return shown


def effective(checklist: Checklist, answers: Answers) -> dict[str, Value]:
    """Only the answers to questions that are shown, in checklist order (hidden answers are dropped)."""
    return {q.id: answers[q.id] for q in visible(checklist, answers) if q.id in answers}


def derived(question: Question, answers: Answers) -> Derivation | None:
    """The derivation that gives this question's answer from earlier answers (the first whose
    condition holds), or None when the earlier answers leave it open and it must be asked."""
    for derivation in question.derive:
        if holds(derivation.when, answers):
            return derivation
    return None


def worded(question: Question, answers: Answers) -> Question:
    """The question as it reads under these answers: its first wording whose condition holds."""
    for variant in question.wording:
        if holds(variant.when, answers):
            return question._replace(
                prompt=variant.prompt if variant.prompt is not None else question.prompt,
                help=variant.help if variant.help is not None else question.help,
            )
    return question


def evaluate(checklist: Checklist, answers: Mapping[str, Value], *, today: dt.date) -> Outcome:
    """Apply every rule of every shown question to the answers, as judged on ``today`` (the day of the
    answers: today when answering, the record's creation date when verifying)."""
    shown_questions = visible(checklist, answers)
    shown = {q.id: answers[q.id] for q in shown_questions if q.id in answers}
    return outcome_of_shown(shown_questions, shown, today=today)


def outcome_of_shown(
    shown_questions: Sequence[Question], shown: Mapping[str, Value], *, today: dt.date
) -> Outcome:
    """Like :func:`evaluate`, for questions and answers already reduced to the shown ones (as
    :func:`judge_answers` gives them), so the questions are not walked twice."""
    findings: list[Finding] = []
    for question in shown_questions:
        for rule in question.rules:
            if holds(rule.when, shown, today):
                findings.append(
                    Finding(
                        rule=rule.id,
                        level=rule.level,
                        question=question.id,
                        message=rule.message,
                        action=rule.action,
                        clauses=rule.clauses,
                        refer_to=rule.refer_to,
                        explained_by=rule.explained_by,
                    )
                )
    levels = {f.level for f in findings}
    if Level.REFERRAL in levels:
        status = Status.REFERRED
    elif Level.BLOCKER in levels:
        status = Status.BLOCKED
    elif Level.WARNING in levels:
        status = Status.WARNINGS
    else:
        status = Status.READY
    return Outcome(status, tuple(findings))


class AnswerProblem(NamedTuple):
    """One answer that cannot stand, with a stable code."""

    code: str
    """``answer-unknown``, ``answer-invalid``, ``answer-not-normal``, ``answer-missing`` or ``answer-hidden``."""
    question: str
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


class Judgement(NamedTuple):
    """What :func:`judge_answers` found."""

    accepted: dict[str, Value]
    """The shown questions' valid answers, in normal form and checklist order."""
    problems: list[AnswerProblem]
    shown: tuple[Question, ...]
    """The questions shown under the accepted answers, in order."""


def carried_over(checklist: Checklist, raw: Mapping[str, object]) -> Mapping[str, object]:
    """An older version's answers as this version asks them (a renewal, ``new --answers OLD-RECORD``):
    a yes to a question that a tick-box replaces (a box's ``was``) ticks that box, a no leaves it
    unticked (raising the same finding), and answers to questions the checklist lists as ``retired``
    are left behind. Answers that already fit are returned as they are."""
    known = {q.id for q in checklist.questions}
    if all(qid in known for qid in raw):
        return raw
    out = dict(raw)
    for question in checklist.questions:
        olds = [c.was for c in question.choices if c.was is not None and c.was not in known]
        if not any(old in raw for old in olds):
            continue
        if question.id not in raw:
            out[question.id] = [
                c.value for c in question.choices if c.was is not None and raw.get(c.was) is True
            ]
        for old in olds:
            out.pop(old, None)
    for qid in checklist.retired:
        if qid not in known:
            out.pop(qid, None)
    return out


def judge_answers(
    checklist: Checklist, raw: Mapping[str, object], *, today: dt.date, exact: bool
) -> Judgement:
    """Validate typed answers against a checklist, listing every problem at once.

    Questions are walked in order, since whether one is shown depends on the accepted answers before
    it. ``exact`` (for records) also refuses answers that are valid but not in the normal form smcheck
    writes (surrounding spaces, choices out of order). Answers to questions hidden because of an
    invalid answer are not listed again.
    """
    from smcheck import qtypes
    from smcheck.values import AnswerError, check_typed

    if not exact:
        raw = carried_over(checklist, raw)
    problems: list[AnswerProblem] = []
    accepted: dict[str, Value] = {}
    invalid: set[str] = set()
    shown: list[Question] = []
    hidden: list[Question] = []  # hidden, yet answered
    matched = 0  # how many of the raw answers belong to a question
    for question in checklist.questions:
        qid = question.id
        present = qid in raw
        matched += present
        if question.when is not None and not holds(question.when, accepted):
            if present:
                hidden.append(question)
            continue
        shown.append(question)
        if present:
            value = raw[qid]
            try:
                if not exact and type(value) is str:
                    kind = qtypes.spec(question.type)
                    if kind.quoted_in_files:  # "2027-01-18" in an answers file, as typed
                        value = kind.parse(value.strip())
                normal = check_typed(question, value, today=today, answers=accepted)
            except AnswerError as exc:
                invalid.add(qid)
                problems.append(AnswerProblem("answer-invalid", qid, str(exc)))
                continue
            if exact and (normal != value or type(normal) is not type(value)):
                invalid.add(qid)
                problems.append(
                    AnswerProblem(
                        "answer-not-normal",
                        qid,
                        "is not written as smcheck writes it (extra spaces, choices out of order, or a web"
                        " address without its https://)",
                    )
                )
                continue
            accepted[qid] = normal
        elif not exact and (derivation := derived(question, accepted)) is not None:
            # An answers file may leave out what its earlier answers already give, as the interview
            # does not ask it; a record holds every answer (the exact check below).
            accepted[qid] = derivation.value
        elif question.required:
            problems.append(AnswerProblem("answer-missing", qid, f"missing ({question.prompt})"))
    if hidden:
        from smcheck.checklist import describe, referenced
    for question in hidden:
        assert question.when is not None
        if invalid.isdisjoint(referenced(question.when)):
            problems.append(
                AnswerProblem(
                    "answer-hidden",
                    question.id,
                    f"answered, but not asked because {describe(question.when)} does not hold",
                )
            )
    if matched != len(raw):  # an answer to no question: listed first
        known = {q.id for q in checklist.questions}
        problems[:0] = [
            AnswerProblem(
                "answer-unknown",
                qid,
                f"not a question of checklist {checklist.id} {checklist.version}",
            )
            for qid in raw
            if qid not in known
        ]
    return Judgement(accepted, problems, tuple(shown))


def required_cosigners(checklist: Checklist, answers: Mapping[str, Value]) -> tuple[CoSigner, ...]:
    """The parties who must co-sign a record with these answers (their conditions, on shown answers)."""
    return cosigners_for_shown(checklist, effective(checklist, answers))


def cosigners_for_shown(checklist: Checklist, shown: Mapping[str, Value]) -> tuple[CoSigner, ...]:
    """Like :func:`required_cosigners`, for answers already reduced to the shown questions' (as
    :func:`judge_answers` accepts them), so no second walk over the questions is needed."""
    return tuple(c for c in checklist.cosigners if holds(c.when, shown))

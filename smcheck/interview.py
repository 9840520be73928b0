"""The interview engine: walks the checklist, applies conditions, validators and rules. Knows no prompt library.

It talks to the person through an injected :class:`Asker` (questionary in :mod:`smcheck.prompts`, a scripted
one in the tests) and hands its :class:`Progress` to a ``save`` callback after every answer, so a draft on
disk is never more than one answer behind. Ctrl-C and Ctrl-D surface from the asker as
``KeyboardInterrupt``/``EOFError`` and are left for the caller, which already has the saved draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from smcheck.checklist import (
    Checklist,
    Level,
    Question,
    Section,
    Value,
)
from smcheck.outcome import Finding, Outcome, evaluate, visible
from smcheck.signoff import SignOff, agree_question, signoff_questions
from smcheck.values import AnswerError, check_typed


@dataclass
class Progress:
    """What has been answered so far: exactly what a draft stores."""

    answers: dict[str, Value] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    """Optional questions the person chose to leave blank (not asked again on resume)."""
    signoff: dict[str, Value] = field(default_factory=dict)
    """The sign-off's identity answers, keyed by the last part of their id (``name``, ``email``...)."""


@dataclass(frozen=True)
class Position:
    """Where a question stands, for the progress shown to the person."""

    section_number: int
    section_count: int
    section_title: str
    question_number: int
    question_count: int


@dataclass(frozen=True)
class ReviewRow:
    """One line of the review table."""

    question: Question
    section_title: str
    value: Value | None
    """None when an optional question was left blank."""


class Asker(Protocol):
    """How the engine talks to a person. Implementations must raise KeyboardInterrupt/EOFError on
    Ctrl-C/Ctrl-D rather than swallow them."""

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """A new section begins: show its title, the policy's words, and progress."""

    def ask(
        self, question: Question, *, position: Position, current: Value | None, error: str | None
    ) -> Value | None:
        """Ask one question; return a typed answer, or None to leave an optional question blank.

        ``current`` is the answer to show as the starting point (an earlier answer or the default);
        ``error`` is why the last answer was refused, to show before asking again.
        """

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """A warning, blocker or referral has just arisen."""

    def review(self, rows: Sequence[ReviewRow], outcome: Outcome) -> str | None:
        """Show every answer; return the id of a question to change, or None to go on."""

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """The sign-off begins: show the declaration."""


class Interview:
    """One run of the questionnaire over a checklist, from a (possibly resumed) :class:`Progress`."""

    def __init__(
        self,
        checklist: Checklist,
        asker: Asker,
        progress: Progress,
        *,
        save: Callable[[Progress], None],
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.checklist = checklist
        self.asker = asker
        self.progress = progress
        self.save = save
        self.today = today
        self._stale: dict[str, Value] = {}
        """Answers that no longer pass (the checklist changed): offered again as the starting point."""
        self._revalidate()
        self._announced = {f.rule for f in self.outcome().findings}

    def outcome(self) -> Outcome:
        """The outcome of the answers so far."""
        return evaluate(self.checklist, self.progress.answers)

    # -- the walk ------------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Ask every unanswered shown question, then the review; return the outcome."""
        self.save(self.progress)
        self._walk()
        while True:
            outcome = self.outcome()
            choice = self.asker.review(self.review_rows(), outcome)
            if choice is None:
                return outcome
            question = self.checklist.question(choice)
            if question is None or question not in visible(self.checklist, self.progress.answers):
                continue
            self._ask(question, self._position(question), allow_keep=True)
            self._walk()

    def sign_off(self) -> SignOff | None:
        """Ask the sign-off questions and the declaration; None when the person declines it.

        Must only be called when the outcome allows sign-off.
        """
        outcome = self.outcome()
        assert outcome.status.can_sign_off, "sign-off asked while blockers remain"
        self.asker.start_signoff(self.checklist, outcome)
        questions = signoff_questions(self.checklist)  # with the checklist's [signoff] rule
        total = len(questions) + 1
        for number, question in enumerate(questions, start=1):
            key = question.id.rsplit(".", 1)[1]
            current = self.progress.signoff.get(key)
            position = Position(0, 0, "Sign-off", number, total)
            value = self._answer(question, position, current)
            assert value is not None, "sign-off questions are required"
            self.progress.signoff[key] = value
            self.save(self.progress)
        agree = self._answer(
            agree_question(self.checklist), Position(0, 0, "Sign-off", total, total), None
        )
        if agree is not True:
            return None
        values = {k: str(v) for k, v in self.progress.signoff.items()}
        return SignOff(values["name"], values["email"], values["role"], values["department"])

    def review_rows(self) -> list[ReviewRow]:
        """Every shown question with its answer, for the review table."""
        titles = {s.id: s.title for s in self.checklist.sections}
        return [
            ReviewRow(q, titles[q.section], self.progress.answers.get(q.id))
            for q in visible(self.checklist, self.progress.answers)
        ]

    def _walk(self) -> None:
        """Ask, in order, every shown question that has no answer yet; re-check visibility each time."""
        announced_sections: set[str] = set()
        for number, section in enumerate(self.checklist.sections, start=1):
            for question in section.questions:
                if question.id in self.progress.answers or question.id in self.progress.skipped:
                    continue
                if question not in visible(self.checklist, self.progress.answers):
                    continue
                if section.id not in announced_sections:
                    announced_sections.add(section.id)
                    self.asker.start_section(
                        self.checklist, section, number, len(self.checklist.sections)
                    )
                self._ask(question, self._position(question), allow_keep=False)

    def _position(self, question: Question) -> Position:
        sections = self.checklist.sections
        number = next(i for i, s in enumerate(sections, start=1) if s.id == question.section)
        shown = [
            q
            for q in visible(self.checklist, self.progress.answers)
            if q.section == question.section
        ]
        index = next(i for i, q in enumerate(shown, start=1) if q.id == question.id)
        return Position(number, len(sections), sections[number - 1].title, index, len(shown))

    def _ask(self, question: Question, position: Position, *, allow_keep: bool) -> None:
        current = self.progress.answers.get(question.id, self._stale.get(question.id))
        if current is None and not allow_keep:
            current = question.default
        value = self._answer(question, position, current)
        if value is None:
            self.progress.answers.pop(question.id, None)
            self.progress.skipped.add(question.id)
        else:
            self.progress.answers[question.id] = value
            self.progress.skipped.discard(question.id)
        self._prune()
        self.save(self.progress)
        self._announce()

    def _answer(
        self, question: Question, position: Position, current: Value | None
    ) -> Value | None:
        """Ask until the answer passes the shared validators."""
        error: str | None = None
        while True:
            raw = self.asker.ask(question, position=position, current=current, error=error)
            if raw is None:
                if not question.required:
                    return None
                error = "an answer is needed"
                continue
            try:
                return check_typed(question, raw, today=self.today())
            except AnswerError as exc:
                error = str(exc)

    def _prune(self) -> None:
        """Drop the answers (and blanks) of questions that a changed answer has hidden."""
        shown = {q.id for q in visible(self.checklist, self.progress.answers)}
        for qid in list(self.progress.answers):
            if qid not in shown:
                del self.progress.answers[qid]
        self.progress.skipped &= shown

    def _announce(self) -> None:
        """Tell the person about each finding that has just arisen (once, until it goes away)."""
        findings = self.outcome().findings
        current = {f.rule for f in findings}
        for finding in findings:
            if finding.rule not in self._announced:
                self.asker.finding(self.checklist, finding)
        self._announced = current

    def _revalidate(self) -> None:
        """On resume, drop answers that no longer pass (the checklist may have changed); they are
        asked again. Unknown ids are dropped too."""
        today = self.today()
        for qid, value in list(self.progress.answers.items()):
            question = self.checklist.question(qid)
            if question is None:
                del self.progress.answers[qid]
                continue
            try:
                self.progress.answers[qid] = check_typed(question, value, today=today)
            except AnswerError:
                self._stale[qid] = self.progress.answers.pop(qid)
        self._prune()


def blocking(outcome: Outcome) -> tuple[Finding, ...]:
    """The findings that stop sign-off (blockers and referrals)."""
    return tuple(f for f in outcome.findings if f.level in (Level.BLOCKER, Level.REFERRAL))

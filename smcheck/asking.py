"""What passes between the interview engine and an asker: the :class:`Asker` protocol, the answers so
far (:class:`Progress`), where a question stands (:class:`Position`), a row of the review
(:class:`ReviewRow`), and :class:`GoBack`.

The engine (:mod:`smcheck.interview`) and the askers (:mod:`smcheck.plain`, :mod:`smcheck.prompts`, a
scripted one in the tests) both import this module; neither needs the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from smcheck.checklist import Checklist, Question, Section, Value
from smcheck.outcome import Finding, Outcome


class GoBack(Exception):
    """Raised by an asker when the person asks for the previous question."""


NO_CLAUSES = "This question names no clause of the policy; the line under it says why it is asked."
"""What ? says at a question that comes from no clause, in every asker (it never becomes the answer)."""


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
    """1-based; 0 during sign-off."""
    section_count: int
    section_title: str
    number: int
    """The question's place among every question asked under the current answers (1-based)."""
    about: int
    """How many questions the current answers lead to, over the whole checklist: those still open are
    counted as their likeliest answers would have it, and answers filled in from earlier answers are not
    counted (they are not asked)."""
    can_go_back: bool = False
    clauses: tuple[tuple[str, str], ...] = ()
    """The policy's words the question comes from, ``(id, text)`` for each of its clauses and its
    rules': one key away while it is asked (the section's opening only says what the section is for)."""


@dataclass(frozen=True)
class ReviewRow:
    """One line of the review table."""

    number: int
    """The row's number, which the person types to change it."""
    question: Question
    """As worded for the current answers."""
    section_title: str
    value: Value | None
    """None when an optional question was left blank."""
    findings: tuple[Finding, ...] = ()
    """The findings this row's answer raises (the rules of its question that fired)."""
    filled_from: tuple[int, ...] = ()
    """When the answer was filled in from earlier answers, not asked: the rows of those answers."""

    @property
    def filled_note(self) -> str:
        """How the review says the answer was filled in ("filled in from your answer in row 7"), or ""
        when the person gave it."""
        if not self.filled_from:
            return ""
        numbers = [str(n) for n in self.filled_from]
        if len(numbers) == 1:
            return f"filled in from your answer in row {numbers[0]}"
        return f"filled in from your answers in rows {', '.join(numbers[:-1])} and {numbers[-1]}"


Parse = Callable[[str], "Value | None"]
Check = Callable[[object], Value]


class Asker(Protocol):
    """How the engine talks to a person. Implementations must raise KeyboardInterrupt/EOFError on
    Ctrl-C/Ctrl-D rather than swallow them, and :class:`GoBack` when the person asks for the previous
    question (only when ``position.can_go_back``)."""

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """A new section begins: show its title, the policy's words, and progress."""

    def ask(
        self,
        question: Question,
        *,
        position: Position,
        current: Value | None,
        error: str | None,
        parse: Parse,
        check: Check,
    ) -> Value | None:
        """Ask one question; return a typed answer, or None to leave an optional question blank.

        ``current`` is the answer to show as the starting point (an earlier answer or the default);
        ``error`` is why the last answer was refused. ``parse`` turns typed text into an answer and
        ``check`` checks a typed value (a picked choice, ticked boxes): the engine's own validators,
        which raise :class:`~smcheck.values.AnswerError` with the reason.
        """

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """A warning, blocker or referral has just arisen."""

    def offer_stop(self, checklist: Checklist, finding: Finding) -> bool:
        """A referral has arisen: offer to end the interview now (True ends it)."""

    def review(
        self, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
    ) -> list[str]:
        """Show the answers (all of them, or with ``changed`` only those that changed); return the ids
        of questions to ask again, in order, or [] to go on."""

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """The sign-off begins: show the declaration (once)."""

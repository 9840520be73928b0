"""The scripted asker the engine tests share: it answers from a script and records what the engine showed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import cast

from helpers.records import EXAMPLE_ANSWERS
from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist, Question, Section, Value
from smcheck.interview import GoBack, Interview, Position, Progress, ReviewRow
from smcheck.outcome import Finding, Outcome

TODAY = dt.date(2026, 11, 2)


BACK = "<back>"
"""A scripted answer that asks for the previous question."""


class Scripted:
    """An asker that answers from a script and records everything the engine showed."""

    def __init__(
        self,
        answers: dict[str, list[Value | None]],
        reviews: Sequence[str | list[str] | None] = (None,),
        interrupt_at: str | None = None,
        stop_at_referral: bool = False,
    ) -> None:
        self.answers = {k: list(v) for k, v in answers.items()}
        self.reviews = list(reviews)
        self.stop_at_referral = stop_at_referral
        self.offered: list[str] = []
        self.changed: list[frozenset[str] | None] = []
        self.prompts: dict[str, str] = {}
        self.helps: dict[str, str] = {}
        self.interrupt_at = interrupt_at
        self.asked: list[str] = []
        self.errors: list[tuple[str, str]] = []
        self.currents: dict[str, Value | None] = {}
        self.sections: list[tuple[str, int, int]] = []
        self.findings: list[str] = []
        self.positions: dict[str, Position] = {}
        self.reviewed: list[list[str]] = []
        self.signoff_started = False

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        self.sections.append((section.id, number, total))

    def ask(
        self,
        question: Question,
        *,
        position: Position,
        current: Value | None,
        error: str | None,
        parse: Callable[[str], Value | None],
        check: Callable[[object], Value],
    ) -> Value | None:
        self.prompts[question.id] = question.prompt
        self.helps[question.id] = question.help
        if question.id == self.interrupt_at:
            raise KeyboardInterrupt
        self.asked.append(question.id)
        self.positions[question.id] = position
        self.currents.setdefault(question.id, current)
        if error:
            self.errors.append((question.id, error))
        script = self.answers.get(question.id)
        if not script:
            raise AssertionError(f"unscripted question {question.id} (error: {error})")
        answer = script.pop(0)
        if answer == BACK:
            assert position.can_go_back, f"Back offered at {question.id}"
            raise GoBack
        return answer

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        self.findings.append(finding.rule)

    def offer_stop(self, checklist: Checklist, finding: Finding) -> bool:
        self.offered.append(finding.rule)
        return self.stop_at_referral

    def review(
        self, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
    ) -> list[str]:
        self.reviewed.append([r.question.id for r in rows])
        self.changed.append(changed)
        choice = self.reviews.pop(0) if self.reviews else None
        if choice is None:
            return []
        return [choice] if isinstance(choice, str) else list(choice)

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        self.signoff_started = True


def tiny_script(**overrides: object) -> dict[str, list[Value | None]]:
    """The tiny checklist's script, with ``overrides`` (question id: the answers to give, in turn)."""
    script: dict[str, list[Value | None]] = {
        "club.name": ["Chess Club"],
        "club.kind": ["sport"],
        "club.has_owner": [True],
        "club.owner_email": ["owner@example.ac.uk"],
        "club.founded": [None],
        "web.sites": [("insta",)],
        "signoff.name": ["Ann Lee"],
        "signoff.email": ["ann@example.ac.uk"],
        "signoff.role": ["Secretary"],
        "signoff.department": ["Chess Club"],
        "signoff.agree": [True],
    }
    script.update({qid: list(cast(Sequence[Value | None], v)) for qid, v in overrides.items()})
    return script


def run(
    checklist: Checklist, asker: Scripted, progress: Progress | None = None
) -> tuple[Interview, Outcome, list[Progress]]:
    saved: list[Progress] = []

    def save(p: Progress) -> None:
        saved.append(Progress(dict(p.answers), set(p.skipped), dict(p.signoff)))

    interview = Interview(checklist, asker, progress or Progress(), save=save, today=lambda: TODAY)
    return interview, interview.run(), saved


def essex_answers(essex: Checklist) -> dict[str, Value]:
    applied = apply_answers(essex, load_answers_file(EXAMPLE_ANSWERS), today=TODAY)
    assert applied.problems == []
    return applied.answers

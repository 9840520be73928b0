"""The interview engine: walks the checklist, applies conditions, validators and rules. Knows no prompt library.

It talks to the person through an injected :class:`Asker` (questionary in :mod:`smcheck.prompts`, line by
line in :mod:`smcheck.plain`, a scripted one in the tests) and hands its :class:`Progress` to a ``save``
callback after every answer, so a draft on disk is never more than one answer behind (and none is written
before the first answer). Ctrl-C and Ctrl-D surface from the asker as ``KeyboardInterrupt``/``EOFError`` and
are left for the caller, which already has the saved draft.

Going back: an asker raises :class:`GoBack`; the engine asks the previous question again with its answer
kept, then offers the questions after it again in order (each kept answer is one Enter away), as a form's
Back and Next buttons do. Conditions are recomputed after every answer.

Answers that earlier answers already give (a question's ``derive`` in the checklist: alumni named as an
audience answer "Will the channel contact alumni?") are filled in, not asked, and shown in the review as
filled in from those answers, where the person may still change them. Should the earlier answers change,
a filled-in answer follows them (or, when they no longer give it, is asked).

What passes to an asker is in :mod:`smcheck.asking`; what "question N of M" counts in :mod:`smcheck.counting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from smcheck import counting
from smcheck.asking import Asker, Check, GoBack, Parse, Position, Progress, ReviewRow
from smcheck.checklist import Checklist, Level, Question, Value, referenced
from smcheck.outcome import Finding, Outcome, derived, evaluate, visible, worded
from smcheck.signoff import (
    SignOff,
    agree_question,
    named_question,
    offered_to_anyone,
    signoff_questions,
)
from smcheck.values import AnswerError, check_typed, parse_text

__all__ = [
    "Asker",
    "Check",
    "GoBack",
    "Interview",
    "Parse",
    "Position",
    "Progress",
    "ReviewRow",
    "blocking",
]
"""The engine, and (from :mod:`smcheck.asking`) what it passes to an asker, where callers import them."""


class _Stop(Exception):
    """The person chose to end the interview at a referral."""


class Interview:
    """One run of the questionnaire over a checklist, from a (possibly resumed) :class:`Progress`."""

    def __init__(
        self,
        checklist: Checklist,
        asker: Asker,
        progress: Progress,
        *,
        save: Callable[[Progress], None],
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ) -> None:
        self.checklist = checklist
        self.asker = asker
        self.progress = progress
        self.save = save
        self.today = today
        self.stopped = False
        """True when the person ended the interview at a referral."""
        self._stale: dict[str, Value] = {}
        """Answers that no longer pass (the checklist changed): offered again as the starting point."""
        self._revalidate()
        self._derived: set[str] = counting.filled_in(checklist, progress.answers)
        """Questions whose answer was filled in from earlier answers rather than asked."""
        self._announced = {f.rule for f in self.outcome().findings}
        self._trail: list[str] = [
            q.id
            for q in visible(checklist, progress.answers)
            if q.id in progress.answers or q.id in progress.skipped
        ]
        """The questions answered so far, in the order asked: where Back goes."""
        # A section already begun in a resumed draft is not introduced again: nothing is said twice.
        self._sections_shown: set[str] = {
            q.section
            for q in visible(checklist, progress.answers)
            if (q.id in progress.answers or q.id in progress.skipped) and q.id not in self._derived
        }

    def outcome(self) -> Outcome:
        """The outcome of the answers so far."""
        return evaluate(self.checklist, self.progress.answers, today=self.today())

    # -- the walk ------------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Ask every unanswered shown question, then the review; return the outcome.

        Returns early (with :attr:`stopped` set) when the person ends the interview at a referral.
        """
        try:
            self._walk()
            changed: frozenset[str] | None = None
            while True:
                outcome = self.outcome()
                before = self._snapshot()
                ids = self.asker.review(self.review_rows(), outcome, changed=changed)
                if not ids:
                    return outcome
                shown = {q.id for q in visible(self.checklist, self.progress.answers)}
                for qid in ids:
                    question = self.checklist.question(qid)
                    if question is None or qid not in shown:
                        continue
                    try:
                        self._ask(question, allow_back=False)
                    except GoBack:  # Back during a change returns to the review
                        break
                    shown = {q.id for q in visible(self.checklist, self.progress.answers)}
                self._walk()
                changed = self._changed_since(before)
        except _Stop:
            self.stopped = True
            return self.outcome()

    def sign_off(self) -> SignOff | None:
        """Ask the sign-off questions and the declaration; None when the person declines it.

        Must only be called when the outcome allows sign-off. When the checklist says who signs off
        (``[signoff.prefill]``: the administrator named earlier, say), it offers those details first.
        """
        outcome = self.outcome()
        assert outcome.status.can_sign_off, "sign-off asked while blockers remain"
        self.asker.start_signoff(self.checklist, outcome)
        questions = signoff_questions(self.checklist)  # with the checklist's [signoff] rule
        known = self._prefilled()
        # Counted as asked, like the rest: the confirmation, the details still to type (name and
        # email are not asked of the person confirmed; assumed so until they answer), the declaration.
        total = len(questions) + 1 - (1 if known else 0)
        number = 0
        confirmed = False
        if known:
            number += 1
            confirmed = self._confirm_identity(known, Position(0, 0, "Sign-off", number, total))
            if confirmed:
                for key in ("name", "email"):
                    self.progress.signoff[key] = known[key]
            else:
                total += 2
        # A proposer who is not the named person is still offered the channel's own details.
        offered = known if confirmed else offered_to_anyone(self.checklist, self._known_details())
        for question in questions:
            key = question.id.rsplit(".", 1)[1]
            if confirmed and key in ("name", "email"):
                continue
            number += 1
            current = self.progress.signoff.get(key)
            if current is None:
                current = offered.get(key)
            value = self._answer(question, Position(0, 0, "Sign-off", number, total), current)
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
        """Every shown question with its answer and the findings it raises, numbered, for the review."""
        titles = {s.id: s.title for s in self.checklist.sections}
        by_question: dict[str, list[Finding]] = {}
        for finding in self.outcome().findings:
            by_question.setdefault(finding.question, []).append(finding)
        answers = self.progress.answers
        # A question only a renewal answers is no row of a new interview's review (it was not asked).
        shown = [
            q
            for q in visible(self.checklist, answers)
            if not (q.renewal_only and q.id not in answers)
        ]
        numbers = {q.id: number for number, q in enumerate(shown, start=1)}
        return [
            ReviewRow(
                number,
                worded(q, answers),
                titles[q.section],
                answers.get(q.id),
                tuple(by_question.get(q.id, ())),
                self._filled_from(q, numbers),
            )
            for number, q in enumerate(shown, start=1)
        ]

    def _filled_from(self, question: Question, numbers: Mapping[str, int]) -> tuple[int, ...]:
        """The rows of the answers a filled-in answer comes from (empty when it was asked): those
        its derivation names that are answered."""
        derivation = derived(question, self.progress.answers)
        if question.id not in self._derived or derivation is None:
            return ()
        sources = [
            numbers[qid]
            for qid in dict.fromkeys(referenced(derivation.when))
            if qid in numbers and qid in self.progress.answers
        ]
        if not sources:  # a blank answer ("no deputy"): the row of the question left blank
            sources = [numbers[qid] for qid in referenced(derivation.when) if qid in numbers]
        return tuple(sorted(set(sources)))

    def _next(self) -> Question | None:
        """The first shown question with no answer yet (nor left blank)."""
        for question in visible(self.checklist, self.progress.answers):
            if (
                question.id not in self.progress.answers
                and question.id not in self.progress.skipped
                and not question.renewal_only  # a renewal fills it in; a new interview leaves it
            ):
                return question
        return None

    def _walk(self) -> None:
        """Ask, in order, every shown question that has no answer yet; after Back, offer the questions
        after the one gone back to again (answers kept), then go on."""
        again: list[str] = []
        while True:
            before = dict(self.progress.answers)
            self._fill_derived()
            if self.progress.answers != before:
                self.save(self.progress)
                self._announce()
            shown = {q.id for q in visible(self.checklist, self.progress.answers)}
            again = [qid for qid in again if qid in shown and qid not in self._derived]
            question = self.checklist.question(again.pop(0)) if again else self._next()
            if question is None:
                return
            try:
                self._ask(question, allow_back=True)
            except GoBack:
                place = (
                    self._trail.index(question.id)
                    if question.id in self._trail
                    else len(self._trail)
                )
                if place == 0:
                    again.insert(0, question.id)
                    continue
                again = self._trail[place - 1 :] + [q for q in again if q not in self._trail]
                del self._trail[place - 1 :]
                continue
            if question.id in self._trail:
                self._trail.remove(question.id)
            self._trail.append(question.id)

    def _fill_derived(self) -> None:
        """Fill in every shown question whose answer the earlier answers give; keep the filled-in answers
        in step with the answers they come from (dropped, and so asked, when those no longer give one)."""
        answers = self.progress.answers
        changed = True
        while changed:
            changed = False
            for question in visible(self.checklist, answers):
                qid = question.id
                if qid in answers and qid not in self._derived:
                    continue
                if qid in self.progress.skipped or (qid not in answers and question.renewal_only):
                    continue  # left blank, or only a renewal answers it: the walk goes past
                derivation = derived(question, answers)
                if derivation is None:
                    if qid in self._derived:
                        self._derived.discard(qid)
                        del answers[qid]
                        changed = True
                        break
                    # Not before the walk gets here: a derivation may read a blank as "none", and a
                    # question not yet asked is blank too.
                    break
                if answers.get(qid) != derivation.value:
                    answers[qid] = derivation.value
                    self._derived.add(qid)
                    changed = True
                    break
        self._prune()
        self._derived &= set(answers)

    def expected(self) -> list[Question]:
        """The questions the current answers lead to, in order (see :func:`smcheck.counting.expected`):
        what "question N of M" counts."""
        return counting.expected(self.checklist, self.progress, self._derived)

    def _position(self, question: Question, *, allow_back: bool) -> Position:
        sections = self.checklist.sections
        number = next(i for i, s in enumerate(sections, start=1) if s.id == question.section)
        shown = self.expected()
        index = next((i for i, q in enumerate(shown, start=1) if q.id == question.id), len(shown))
        place = self._trail.index(question.id) if question.id in self._trail else len(self._trail)
        ids = dict.fromkeys([*question.clauses, *(c for r in question.rules for c in r.clauses)])
        texts = tuple(
            (cid, clause.text) for cid in ids if (clause := self.checklist.clause(cid)) is not None
        )
        return Position(
            number,
            len(sections),
            sections[number - 1].title,
            index,
            len(shown),
            can_go_back=allow_back and place > 0,
            clauses=texts,
        )

    def _ask(self, question: Question, *, allow_back: bool) -> None:
        section = next(s for s in self.checklist.sections if s.id == question.section)
        if section.id not in self._sections_shown:
            self._sections_shown.add(section.id)
            number = next(i for i, s in enumerate(self.checklist.sections, 1) if s is section)
            self.asker.start_section(self.checklist, section, number, len(self.checklist.sections))
        answered = question.id in self.progress.answers or question.id in self.progress.skipped
        current = self.progress.answers.get(question.id, self._stale.get(question.id))
        if current is None and not answered:
            current = question.default
        shown_as = worded(question, self.progress.answers)
        value = self._answer(
            shown_as, self._position(question, allow_back=allow_back), current, original=question
        )
        if value is None:
            self.progress.answers.pop(question.id, None)
            self.progress.skipped.add(question.id)
        else:
            self.progress.answers[question.id] = value
            self.progress.skipped.discard(question.id)
        self._derived.discard(question.id)  # asked, so now the person's own answer
        self._stale.pop(question.id, None)
        self._fill_derived()
        self.save(self.progress)
        self._announce()

    def _answer(
        self,
        question: Question,
        position: Position,
        current: Value | None,
        *,
        original: Question | None = None,
    ) -> Value | None:
        """Ask until the answer passes the shared validators (with the other answers, for checks such
        as "the deputy is not the administrator")."""
        rules = original if original is not None else question
        answers = {k: v for k, v in self.progress.answers.items() if k != rules.id}
        today = self.today()

        def parse(text: str) -> Value | None:
            return parse_text(rules, text, today=today, answers=answers)

        def check(value: object) -> Value:
            return check_typed(rules, value, today=today, answers=answers)

        error: str | None = None
        while True:
            raw = self.asker.ask(
                question, position=position, current=current, error=error, parse=parse, check=check
            )
            if raw is None:
                if not question.required:
                    return None
                error = "an answer is needed"
                continue
            try:
                return check(raw)
            except AnswerError as exc:
                error = str(exc)
                current = raw if isinstance(raw, bool | str | tuple | dt.date) else current

    def _prune(self) -> None:
        """Drop the answers (and blanks) of questions that a changed answer has hidden."""
        shown = {q.id for q in visible(self.checklist, self.progress.answers)}
        for qid in list(self.progress.answers):
            if qid not in shown:
                del self.progress.answers[qid]
        self.progress.skipped &= shown

    def _announce(self) -> None:
        """Tell the person about each finding that has just arisen (once, until it goes away); at a
        referral, offer to end the interview at once."""
        findings = self.outcome().findings
        current = {f.rule for f in findings}
        fresh = [f for f in findings if f.rule not in self._announced]
        self._announced = current
        for finding in fresh:
            self.asker.finding(self.checklist, finding)
        for finding in fresh:
            if finding.level is Level.REFERRAL and self.asker.offer_stop(self.checklist, finding):
                raise _Stop

    def _snapshot(self) -> dict[str, tuple[Value | None, frozenset[str]]]:
        findings: dict[str, set[str]] = {}
        for finding in self.outcome().findings:
            findings.setdefault(finding.question, set()).add(finding.rule)
        return {
            q.id: (self.progress.answers.get(q.id), frozenset(findings.get(q.id, ())))
            for q in visible(self.checklist, self.progress.answers)
        }

    def _changed_since(
        self, before: dict[str, tuple[Value | None, frozenset[str]]]
    ) -> frozenset[str]:
        """The rows whose answer or findings changed, and rows that appeared."""
        after = self._snapshot()
        return frozenset(qid for qid, now in after.items() if before.get(qid) != now)

    def _revalidate(self) -> None:
        """On resume, drop answers that no longer pass (the checklist may have changed); they are
        asked again. Unknown ids are dropped too, and a blank is kept only for an optional question:
        whatever a draft holds, every question a record needs is asked."""
        today = self.today()
        for qid, value in list(self.progress.answers.items()):
            question = self.checklist.question(qid)
            if question is None:
                del self.progress.answers[qid]
                continue
            others = {k: v for k, v in self.progress.answers.items() if k != qid}
            try:
                self.progress.answers[qid] = check_typed(
                    question, value, today=today, answers=others
                )
            except AnswerError:
                self._stale[qid] = self.progress.answers.pop(qid)
        for qid in list(self.progress.skipped):
            question = self.checklist.question(qid)
            if question is None or question.required or qid in self.progress.answers:
                self.progress.skipped.discard(qid)
        self._prune()

    # -- sign-off helpers ------------------------------------------------------------------------------

    def _prefilled(self) -> dict[str, str]:
        """The sign-off details the checklist takes from earlier answers, when they are all known."""
        known = self._known_details()
        return known if "name" in known and "email" in known else {}

    def _known_details(self) -> dict[str, str]:
        """Each sign-off detail the checklist takes from an earlier answer that has been given."""
        return {
            key: str(self.progress.answers[qid])
            for key, qid in self.checklist.signoff.prefill
            if isinstance(self.progress.answers.get(qid), str)
        }

    def _confirm_identity(self, known: dict[str, str], position: Position) -> bool:
        question = named_question(self.checklist, known["name"], known["email"])
        return self._answer(question, position, None) is True


def blocking(outcome: Outcome) -> tuple[Finding, ...]:
    """The findings that stop sign-off (blockers and referrals)."""
    return tuple(f for f in outcome.findings if f.level in (Level.BLOCKER, Level.REFERRAL))

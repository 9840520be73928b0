"""The interview engine with a scripted asker: conditions, validators, blockers, outcomes, drafts, resume.

The engine knows no prompt library; these tests drive it exactly as the questionary asker does, with the
tiny checklist (so the engine is shown not to know Essex) and with the Essex checklist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from conftest import EXAMPLE_ANSWERS

from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist, Level, Question, Section, Value
from smcheck.interview import Interview, Position, Progress, ReviewRow
from smcheck.outcome import Finding, Outcome, Status, evaluate, visible

TODAY = dt.date(2026, 11, 2)


class Scripted:
    """An asker that answers from a script and records everything the engine showed."""

    def __init__(
        self,
        answers: dict[str, list[Value | None]],
        reviews: Sequence[str | None] = (None,),
        interrupt_at: str | None = None,
    ) -> None:
        self.answers = {k: list(v) for k, v in answers.items()}
        self.reviews = list(reviews)
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
        self, question: Question, *, position: Position, current: Value | None, error: str | None
    ) -> Value | None:
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
        return script.pop(0)

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        self.findings.append(finding.rule)

    def review(self, rows: Sequence[ReviewRow], outcome: Outcome) -> str | None:
        self.reviewed.append([r.question.id for r in rows])
        return self.reviews.pop(0) if self.reviews else None

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        self.signoff_started = True


def tiny_script(**overrides: list[Value | None]) -> dict[str, list[Value | None]]:
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
    script.update(overrides)
    return script


def run(
    checklist: Checklist, asker: Scripted, progress: Progress | None = None
) -> tuple[Interview, Outcome, list[Progress]]:
    saved: list[Progress] = []

    def save(p: Progress) -> None:
        saved.append(Progress(dict(p.answers), set(p.skipped), dict(p.signoff)))

    interview = Interview(checklist, asker, progress or Progress(), save=save, today=lambda: TODAY)
    return interview, interview.run(), saved


def test_tiny_checklist_runs_through_the_same_engine(tiny: Checklist) -> None:
    asker = Scripted(tiny_script())
    interview, outcome, saved = run(tiny, asker)
    assert asker.asked == [
        "club.name",
        "club.kind",
        "club.has_owner",
        "club.owner_email",
        "club.founded",
        "web.sites",
    ]
    assert asker.sections == [("club", 1, 2), ("web", 2, 2)]
    assert outcome.status is Status.READY
    assert interview.progress.answers["web.sites"] == ("insta",)
    assert "club.founded" in interview.progress.skipped  # optional, left blank
    # Saved after every answer (and once at the start).
    assert len(saved) == 1 + len(asker.asked)
    assert saved[2].answers == {"club.name": "Chess Club", "club.kind": "sport"}
    signoff = interview.sign_off()
    assert signoff is not None and signoff.name == "Ann Lee"
    assert asker.signoff_started


def test_progress_counts_only_visible_questions(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.has_owner": [False]}), reviews=[None])
    run(tiny, asker)
    # club.owner_email is hidden, so the section has 4 visible questions.
    assert asker.positions["club.founded"] == Position(1, 2, "The club", 4, 4)
    assert "club.owner_email" not in asker.asked


def test_invalid_answers_are_refused_with_a_message_and_asked_again(tiny: Checklist) -> None:
    asker = Scripted(
        tiny_script(
            **{
                "club.name": ["C1", "Chess Club"],
                "club.owner_email": ["owner@gmail.com", "not an email", "owner@example.ac.uk"],
                "web.sites": [(), ("site",)],
                "web.url": ["http://chess.example.ac.uk", "https://chess.example.ac.uk"],
            }
        )
    )
    interview, outcome, _ = run(tiny, asker)
    assert asker.errors == [
        ("club.name", "is too short; at least 3 characters are needed"),
        ("club.owner_email", "must be an address at example.ac.uk"),
        ("club.owner_email", "is not an email address like name@example.ac.uk"),
        ("web.sites", "choose at least one"),
        ("web.url", "must start with https://"),
    ]
    assert interview.progress.answers["web.url"] == "https://chess.example.ac.uk"
    assert outcome.status is Status.WARNINGS


def test_a_required_question_left_blank_is_asked_again(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.kind": [None, "music"]}))
    interview, _, _ = run(tiny, asker)
    assert ("club.kind", "an answer is needed") in asker.errors
    assert interview.progress.answers["club.kind"] == "music"


def test_wrong_type_from_an_asker_is_refused(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.has_owner": ["yes", True]}))
    run(tiny, asker)
    assert asker.errors == [("club.has_owner", "must be yes or no (true or false), not a string")]


def test_a_blocker_is_shown_when_it_arises_and_sign_off_is_refused(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.has_owner": [False]}))
    _, outcome, _ = run(tiny, asker)
    assert asker.findings == ["club.no-owner"]
    # Shown right after the answer that caused it, before the next question.
    assert asker.asked.index("club.has_owner") == len(asker.asked) - 3
    assert outcome.status is Status.BLOCKED
    assert not outcome.status.can_sign_off
    assert [f.action for f in outcome.findings] == ["Name an owner."]


def test_a_referral_wins_over_a_blocker(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.kind": ["union"], "club.has_owner": [False]}))
    _, outcome, _ = run(tiny, asker)
    assert outcome.status is Status.REFERRED
    assert outcome.findings[0].refer_to == "the union"


def test_changing_an_answer_at_review_hides_questions_and_drops_their_answers(
    tiny: Checklist,
) -> None:
    script = tiny_script(
        **{
            "club.has_owner": [True, False, True],
            "club.owner_email": ["a@example.ac.uk", "b@example.ac.uk"],
        }
    )
    asker = Scripted(script, reviews=["club.has_owner", "club.has_owner", None])
    interview, outcome, saved = run(tiny, asker)
    # After the first change the email question is hidden and its answer dropped...
    assert any(
        "club.owner_email" not in p.answers and p.answers.get("club.has_owner") is False
        for p in saved
    )
    # ...after the second it is shown again and asked afresh (the old answer is not kept).
    assert asker.asked.count("club.owner_email") == 2
    assert interview.progress.answers["club.owner_email"] == "b@example.ac.uk"
    assert outcome.status is Status.READY
    assert asker.findings == ["club.no-owner"]


def test_changing_an_answer_offers_the_current_one(tiny: Checklist) -> None:
    asker = Scripted(
        tiny_script(**{"club.name": ["Chess Club", "Go Club"]}), reviews=["club.name", None]
    )
    interview, _, _ = run(tiny, asker)
    assert interview.progress.answers["club.name"] == "Go Club"


def test_interrupt_leaves_a_draft_that_resumes_at_the_first_unanswered_question(
    tiny: Checklist,
) -> None:
    asker = Scripted(tiny_script(), interrupt_at="club.owner_email")
    with pytest.raises(KeyboardInterrupt):
        run(tiny, asker)
    saved_answers = {"club.name": "Chess Club", "club.kind": "sport", "club.has_owner": True}
    # What the draft holds: every answer given before Ctrl-C.
    resumed = Scripted(tiny_script())
    _, outcome, _ = run(tiny, resumed, Progress(answers=dict(saved_answers)))
    assert resumed.asked == ["club.owner_email", "club.founded", "web.sites"]
    assert resumed.sections == [("club", 1, 2), ("web", 2, 2)]
    assert outcome.status is Status.READY


def test_resume_asks_again_answers_that_no_longer_fit(tiny: Checklist) -> None:
    # A draft from an older checklist: a choice that no longer exists, a wrong type.
    stale = Progress(
        answers={
            "club.name": "Chess Club",
            "club.kind": "dance",
            "club.has_owner": "yes",
            "gone.q": "x",
        }
    )
    asker = Scripted(tiny_script())
    interview, _, _ = run(tiny, asker, stale)
    assert asker.asked[:2] == ["club.kind", "club.has_owner"]
    assert asker.currents["club.kind"] == "dance"  # offered back, not silently lost
    assert "gone.q" not in interview.progress.answers


def test_declining_the_declaration_gives_no_sign_off(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"signoff.agree": [False]}))
    interview, _, _ = run(tiny, asker)
    assert interview.sign_off() is None
    assert interview.progress.signoff["name"] == "Ann Lee"  # kept in the draft


def test_a_default_is_offered_as_the_starting_answer(tiny: Checklist) -> None:
    asker = Scripted(tiny_script())
    run(tiny, asker)
    assert asker.currents["club.kind"] == "sport"  # tiny.toml: default = "sport"
    assert asker.currents["club.name"] is None


# -- the Essex checklist through the same engine -------------------------------------------------


def essex_answers(essex: Checklist) -> dict[str, Value]:
    applied = apply_answers(essex, load_answers_file(EXAMPLE_ANSWERS), today=TODAY)
    assert applied.problems == []
    return applied.answers


def test_the_example_answers_are_ready(essex: Checklist) -> None:
    outcome = evaluate(essex, essex_answers(essex))
    assert outcome.status in (Status.READY, Status.WARNINGS)


def alumni_script(essex: Checklist, **changes: Value) -> tuple[Scripted, Interview, Outcome]:
    base = essex_answers(essex)
    base.update(changes)
    # Answer every visible question from the example, with the changes.
    script: dict[str, list[Value | None]] = {qid: [v] for qid, v in base.items()}
    for question in essex.questions:
        if not question.required:
            script.setdefault(question.id, [None])
    asker = Scripted(script)
    interview, outcome, _ = run(essex, asker)
    return asker, interview, outcome


def test_alumni_contact_without_the_advancement_office_is_a_blocker(essex: Checklist) -> None:
    asker, interview, outcome = alumni_script(essex, **{"alumni.consulted": False})
    assert "alumni.not-consulted" in asker.findings
    assert outcome.status is Status.BLOCKED
    finding = next(f for f in outcome.findings if f.rule == "alumni.not-consulted")
    assert "GG-1" in finding.clauses
    assert finding.level is Level.BLOCKER
    # Who and when at the Advancement Office are only asked once it was consulted.
    assert "alumni.advancement_date" not in interview.progress.answers


def test_alumni_contact_details_only_through_the_advancement_office(essex: Checklist) -> None:
    _, _, outcome = alumni_script(essex, **{"alumni.contact_source": "own-lists"})
    finding = next(f for f in outcome.findings if f.rule == "alumni.own-contact-details")
    assert "EP-5" in finding.clauses
    assert outcome.status is Status.BLOCKED


def test_a_students_union_channel_is_referred(essex: Checklist) -> None:
    answers = essex_answers(essex)
    answers["uses.kinds"] = (*answers["uses.kinds"], "students-union")  # type: ignore[misc]
    outcome = evaluate(essex, answers)
    assert outcome.status is Status.REFERRED
    referral = next(f for f in outcome.findings if f.level is Level.REFERRAL)
    assert "Students' Union" in (referral.refer_to or "")
    assert "EP-6" in referral.clauses


def test_an_existing_equivalent_service_blocks_unless_the_added_value_is_explained(
    essex: Checklist,
) -> None:
    answers = essex_answers(essex)
    answers["fit.existing_equivalent"] = True
    blocked = evaluate(essex, answers)
    assert "fit.no-added-value" in [f.rule for f in blocked.findings]
    answers["fit.added_value"] = "Reaches prospective students where they already are."
    assert "fit.no-added-value" not in [f.rule for f in evaluate(essex, answers).findings]


def test_no_deputy_is_a_warning_not_a_blocker(essex: Checklist) -> None:
    answers = essex_answers(essex)
    answers["administrator.has_deputy"] = False
    outcome = evaluate(essex, answers)
    assert outcome.status is Status.WARNINGS
    assert [f.rule for f in outcome.findings] == ["administrator.no-deputy"]
    # The deputy's details are hidden, so they no longer count.
    assert "administrator.deputy_email" not in {q.id for q in visible(essex, answers)}

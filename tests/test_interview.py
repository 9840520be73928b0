"""The interview engine with a scripted asker: conditions, validators, blockers, outcomes, drafts, resume.

The engine knows no prompt library; these tests drive it exactly as the questionary asker does, with the
tiny checklist (so the engine is shown not to know Essex) and with the Essex checklist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import pytest
from helpers.scripted import BACK, TODAY, Scripted, essex_answers, run, tiny_script

from smcheck.checklist import Checklist, Level, Question, Value
from smcheck.interview import Interview, Position, Progress
from smcheck.outcome import Outcome, Status, evaluate, visible


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
    # Saved after every answer, and not before the first (no empty drafts).
    assert len(saved) == len(asker.asked)
    assert saved[0].answers == {"club.name": "Chess Club"}
    assert saved[1].answers == {"club.name": "Chess Club", "club.kind": "sport"}
    signoff = interview.sign_off()
    assert signoff is not None and signoff.name == "Ann Lee"
    assert asker.signoff_started


def test_progress_counts_only_visible_questions(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.has_owner": [False]}), reviews=[None])
    run(tiny, asker)
    # Counted from the first question over the whole checklist, "Is there a named owner?" still open
    # counts as yes, so its follow-up club.owner_email is counted: 6. Once it is answered no, that
    # follow-up is hidden: 5 questions in all (4 in the club section, then web.sites).
    assert asker.positions["club.name"] == Position(1, 2, "The club", 1, 6, can_go_back=False)
    assert asker.positions["club.founded"] == Position(1, 2, "The club", 4, 5, can_go_back=True)
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
    saved_answers: dict[str, Value] = {
        "club.name": "Chess Club",
        "club.kind": "sport",
        "club.has_owner": True,
    }
    # What the draft holds: every answer given before Ctrl-C.
    resumed = Scripted(tiny_script())
    _, outcome, _ = run(tiny, resumed, Progress(answers=dict(saved_answers)))
    assert resumed.asked == ["club.owner_email", "club.founded", "web.sites"]
    # The club section was begun before Ctrl-C: it is not introduced a second time on resume.
    assert resumed.sections == [("web", 2, 2)]
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


def test_the_example_answers_are_ready(essex: Checklist) -> None:
    outcome = evaluate(essex, essex_answers(essex), today=dt.date(2026, 11, 2))
    assert outcome.status in (Status.READY, Status.WARNINGS)


def alumni_script(essex: Checklist, **changes: Value | None) -> tuple[Scripted, Interview, Outcome]:
    base: dict[str, Value | None] = dict(essex_answers(essex))
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
    # 1.3.0 asks whom they consulted; a blank answer says nobody yet, which answers "consulted?" no.
    asker, interview, outcome = alumni_script(essex, **{"alumni.advancement_name": None})
    assert interview.progress.answers["alumni.consulted"] is False
    assert "alumni.consulted" not in asker.asked  # filled in, not asked
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
    outcome = evaluate(essex, answers, today=dt.date(2026, 11, 2))
    assert outcome.status is Status.REFERRED
    referral = next(f for f in outcome.findings if f.level is Level.REFERRAL)
    assert "Students' Union" in (referral.refer_to or "")
    assert "EP-6" in referral.clauses


def test_an_existing_equivalent_service_blocks_unless_the_added_value_is_explained(
    essex: Checklist,
) -> None:
    answers = essex_answers(essex)
    answers["fit.existing_equivalent"] = True
    blocked = evaluate(essex, answers, today=dt.date(2026, 11, 2))
    assert "fit.no-added-value" in [f.rule for f in blocked.findings]
    answers["fit.added_value"] = "Reaches prospective students where they already are."
    assert "fit.no-added-value" not in [
        f.rule for f in evaluate(essex, answers, today=dt.date(2026, 11, 2)).findings
    ]


def test_no_deputy_is_a_warning_not_a_blocker(essex: Checklist) -> None:
    answers = essex_answers(essex)
    answers["administrator.has_deputy"] = False
    outcome = evaluate(essex, answers, today=dt.date(2026, 11, 2))
    assert outcome.status is Status.WARNINGS
    assert [f.rule for f in outcome.findings] == ["administrator.no-deputy"]
    # The deputy's details are hidden, so they no longer count.
    assert "administrator.deputy_email" not in {q.id for q in visible(essex, answers)}


# -- going back, referrals, the review's changes, sign-off details, cross-answer checks -------------


def test_going_back_keeps_answers_and_recomputes_conditions(tiny: Checklist) -> None:
    # At the owner's email, go back: has_owner is asked again (its answer kept as the starting
    # point); answering no hides the email question, which is then not asked at all.
    script = tiny_script(**{"club.owner_email": [BACK], "club.has_owner": [True, False]})
    asker = Scripted(script, reviews=[None])
    interview, outcome, _ = run(tiny, asker)
    assert asker.asked[:5] == [
        "club.name",
        "club.kind",
        "club.has_owner",
        "club.owner_email",
        "club.has_owner",
    ]
    assert asker.currents["club.has_owner"] is None  # first time: no answer yet
    assert "club.owner_email" not in interview.progress.answers
    assert asker.asked.count("club.owner_email") == 1  # hidden after the change: not asked again
    assert outcome.status is Status.BLOCKED  # no owner now


def test_back_offers_the_kept_answers_on_the_way_forward(tiny: Checklist) -> None:
    seen: list[tuple[str, Value | None]] = []

    class Recording(Scripted):
        def ask(self, question: Question, **kwargs: object) -> Value | None:
            seen.append((question.id, cast(Value | None, kwargs["current"])))
            return super().ask(question, **kwargs)  # type: ignore[arg-type]

    script = tiny_script(**{"club.has_owner": [BACK, True], "club.kind": ["music", "music"]})
    asker = Recording(script, reviews=[None])
    run(tiny, asker)
    # Back at has_owner goes to kind (kept: music), then forward to has_owner again.
    assert seen[:5] == [
        ("club.name", None),
        ("club.kind", "sport"),  # the checklist's default
        ("club.has_owner", None),
        ("club.kind", "music"),
        ("club.has_owner", None),
    ]


def test_back_is_not_offered_at_the_first_question(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(), reviews=[None])
    run(tiny, asker)
    assert asker.positions["club.name"].can_go_back is False
    assert asker.positions["club.kind"].can_go_back is True


def test_a_resumed_interview_can_go_back_into_earlier_answers(tiny: Checklist) -> None:
    progress = Progress(answers={"club.name": "Chess Club", "club.kind": "sport"})
    script = tiny_script(**{"club.has_owner": [BACK, True], "club.kind": ["music"]})
    asker = Scripted(script, reviews=[None])
    interview, _, _ = run(tiny, asker, progress)
    assert asker.asked[:3] == ["club.has_owner", "club.kind", "club.has_owner"]
    assert interview.progress.answers["club.kind"] == "music"


def test_a_referral_offers_to_end_the_interview_at_once(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.kind": ["union"]}), stop_at_referral=True)
    interview, outcome, saved = run(tiny, asker)
    assert asker.offered == ["club.union-run"]
    assert asker.asked == ["club.name", "club.kind"]  # nothing more is asked
    assert interview.stopped and outcome.status is Status.REFERRED
    assert saved[-1].answers["club.kind"] == "union"  # the draft keeps it
    assert asker.reviewed == []


def test_a_referral_declined_goes_on(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"club.kind": ["union"]}), stop_at_referral=False)
    interview, outcome, _ = run(tiny, asker)
    assert asker.offered == ["club.union-run"]
    assert not interview.stopped and outcome.status is Status.REFERRED
    assert "web.sites" in asker.asked


def test_the_review_is_told_only_what_changed(tiny: Checklist) -> None:
    asker = Scripted(
        tiny_script(**{"club.has_owner": [True, False]}),
        reviews=["club.has_owner", None],
    )
    run(tiny, asker)
    assert asker.changed[0] is None  # the first review shows everything
    # has_owner changed (and now raises a blocker); owner_email disappeared (not a row any more).
    assert asker.changed[1] == frozenset({"club.has_owner"})


def test_review_rows_are_numbered_and_carry_their_findings(tiny: Checklist) -> None:
    answers: dict[str, Value] = {
        "club.name": "Chess Club",
        "club.kind": "sport",
        "club.has_owner": False,
        "web.sites": ("insta",),
    }
    interview = Interview(
        tiny, Scripted({}), Progress(answers=answers), save=lambda p: None, today=lambda: TODAY
    )
    rows = interview.review_rows()
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    owner = next(r for r in rows if r.question.id == "club.has_owner")
    assert [f.rule for f in owner.findings] == ["club.no-owner"]
    assert all(not r.findings for r in rows if r is not owner)


def test_going_through_the_flagged_rows_asks_each_in_order(tiny: Checklist) -> None:
    asker = Scripted(
        tiny_script(**{"club.has_owner": [False, True], "club.owner_email": ["o@example.ac.uk"]}),
        reviews=[["club.has_owner"], None],
    )
    interview, outcome, _ = run(tiny, asker)
    assert outcome.status is Status.READY
    assert interview.progress.answers["club.owner_email"] == "o@example.ac.uk"  # newly shown: asked


def test_resume_asks_a_required_question_a_draft_marked_as_left_blank(tiny: Checklist) -> None:
    progress = Progress(
        answers={"club.name": "Chess Club", "club.kind": "sport"},
        skipped={"club.has_owner", "no.such"},  # a hand-edited draft: has_owner is required
    )
    asker = Scripted(tiny_script(), reviews=[None])
    interview, _, _ = run(tiny, asker, progress)
    assert "club.has_owner" in asker.asked
    assert interview.progress.skipped == {"club.founded"}


def essex_script(essex: Checklist, **overrides: object) -> dict[str, list[Value | None]]:
    answers = essex_answers(essex)
    script: dict[str, list[Value | None]] = {qid: [value] for qid, value in answers.items()}
    script.update({qid: list(cast(Sequence[Value | None], v)) for qid, v in overrides.items()})
    return script


def test_the_deputy_cannot_be_the_administrator(essex: Checklist) -> None:
    answers = essex_answers(essex)
    admin = str(answers["administrator.email"])
    script = essex_script(
        essex,
        **{
            "administrator.has_deputy": [True],
            "administrator.deputy_name": [str(answers["administrator.name"]).upper(), "Sam Deputy"],
            "administrator.deputy_email": [admin.upper(), "sam.deputy@essex.ac.uk"],
        },
    )
    asker = Scripted(script, reviews=[None])
    interview, _, _ = run(essex, asker)
    refused = [qid for qid, _ in asker.errors]
    assert refused == ["administrator.deputy_name", "administrator.deputy_email"]
    assert all("someone other than the administrator" in e for _, e in asker.errors)
    assert interview.progress.answers["administrator.deputy_email"] == "sam.deputy@essex.ac.uk"


def test_a_handle_gets_its_at_sign_where_the_platform_uses_one(essex: Checklist) -> None:
    for platform, typed, stored in (
        ("instagram", "essexhistory", "@essexhistory"),
        ("instagram", "@essexhistory", "@essexhistory"),
        ("facebook", "essexhistory", "essexhistory"),
    ):
        script = essex_script(essex, **{"channel.platform": [platform], "channel.handle": [typed]})
        asker = Scripted(script, reviews=[None])
        interview, _, _ = run(essex, asker)
        assert interview.progress.answers["channel.handle"] == stored, platform


def test_a_launch_date_in_the_past_is_a_warning(essex: Checklist) -> None:
    script = essex_script(essex, **{"channel.launch_date": [TODAY - dt.timedelta(days=3)]})
    asker = Scripted(script, reviews=[None])
    _, outcome, _ = run(essex, asker)
    assert "channel.launch-in-past" in [f.rule for f in outcome.findings]
    assert "channel.launch-in-past" in asker.findings
    assert outcome.status.can_sign_off


def test_a_warning_that_asks_for_an_explanation_asks_it(essex: Checklist) -> None:
    script = essex_script(
        essex,
        **{
            # 1.3.0: no deputy named (left blank) answers "Is there a deputy?" no.
            "administrator.deputy_name": [None],
            "administrator.cover_plan": ["The head of department checks it when I am away."],
        },
    )
    asker = Scripted(script, reviews=[None])
    interview, outcome, _ = run(essex, asker)
    assert interview.progress.answers["administrator.has_deputy"] is False
    finding = next(f for f in outcome.findings if f.rule == "administrator.no-deputy")
    assert finding.explained_by == "administrator.cover_plan"
    assert interview.progress.answers["administrator.cover_plan"].startswith("The head")  # type: ignore[union-attr]
    assert "administrator.deputy_email" not in interview.progress.answers
    # A later question reads right after "no deputy".
    assert "no deputy administrator" in asker.helps["monitoring.who"]


def test_signoff_offers_the_administrators_details(essex: Checklist) -> None:
    answers = essex_answers(essex)
    script = essex_script(
        essex,
        **{
            "signoff.is_named": [True],
            "signoff.role": [str(answers["administrator.role"])],
            "signoff.department": [str(answers["channel.department"])],
            "signoff.agree": [True],
        },
    )
    asker = Scripted(script, reviews=[None])
    interview, _, _ = run(essex, asker)
    signoff = interview.sign_off()
    assert signoff is not None
    assert signoff.name == answers["administrator.name"]
    assert signoff.email == answers["administrator.email"]
    assert "signoff.name" not in asker.asked and "signoff.email" not in asker.asked
    assert asker.currents["signoff.role"] == answers["administrator.role"]  # offered, to confirm


def test_signoff_by_someone_else_asks_every_detail(essex: Checklist) -> None:
    script = essex_script(
        essex,
        **{
            "signoff.is_named": [False],
            "signoff.name": ["Pat Other"],
            "signoff.email": ["pat.other@essex.ac.uk"],
            "signoff.role": ["Head of Department"],
            "signoff.department": ["History"],
            "signoff.agree": [True],
        },
    )
    asker = Scripted(script, reviews=[None])
    interview, _, _ = run(essex, asker)
    signoff = interview.sign_off()
    assert signoff is not None and signoff.name == "Pat Other"

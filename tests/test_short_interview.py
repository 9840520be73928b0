"""The shortest interview that still covers the policy (issue 17, point 1): essex-social-media 1.3.0.

What it asks is counted, not timed: the shipped example in plain mode takes at most 35 prompts and
3,500 words; every `check` clause is still asked about; every finding 1.2.0 raised is raised by the same
answers under 1.3.0; answers that earlier answers give are filled in (and shown so in the review), not
asked; "question N of M" counts, from the first question, the questions the answers lead to.
"""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.interview_length import PROMPTS_TARGET, WORDS_TARGET, measure, run_in_terminal
from helpers.records import EXAMPLE_ANSWERS, OLD_EXAMPLE_ANSWERS, ROOT
from helpers.scripted import Scripted, run
from helpers.terminal import Terminal

from smcheck import registry
from smcheck.answers import apply_answers, load_answers_file
from smcheck.asking import NO_CLAUSES
from smcheck.checklist import Applies, Checklist, Compare, Value, holds
from smcheck.interview import Interview, Position, Progress
from smcheck.loader import lint_checklist, load_checklist
from smcheck.outcome import evaluate, judge_answers
from smcheck.plain import PlainAsker
from smcheck.tomlread import flatten

TODAY = dt.date(2026, 12, 3)
POLICY = Path("/work/shared/policy/clauses.toml")


@pytest.fixture(scope="module")
def old() -> Checklist:
    found = registry.archived("essex-social-media", "1.2.0")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def example(essex: Checklist) -> tuple[dict[str, Value], dict[str, str]]:
    file = load_answers_file(EXAMPLE_ANSWERS)
    applied = apply_answers(essex, file, today=TODAY)
    assert applied.problems == []
    return applied.answers, {k: str(v) for k, v in file.signoff.items()}


# -- coverage ------------------------------------------------------------------------------------------


def test_every_check_clause_is_asked_about_by_a_question_or_a_rule(essex: Checklist) -> None:
    assert essex.version == "1.3.1"
    named = {c for q in essex.questions for c in q.clauses}
    named |= {c for q in essex.questions for r in q.rules for c in r.clauses}
    for clause in essex.clauses:
        if clause.applies is not Applies.REVIEW:
            assert clause.id in named, clause.id
    if POLICY.exists():  # the policy's own clause register, where the project keeps it
        register = tomllib.loads(POLICY.read_text(encoding="utf-8"))["clause"]
        checks = {c["id"] for c in register if c["applies"] == "check"}
        assert checks and checks <= named
        assert {c["id"]: c["text"] for c in register} == {c.id: c.text for c in essex.clauses}


def test_the_clauses_that_only_inform_are_acknowledged_in_one_question(essex: Checklist) -> None:
    inform = {c.id for c in essex.clauses if c.applies is Applies.INFORM}
    asking = [q for q in essex.questions if inform & set(q.clauses)]
    assert [q.id for q in asking] == ["policies.acknowledged"]
    assert inform <= set(asking[0].clauses)
    # Section openings say what the section is for in a sentence or two; clause texts are not
    # repeated there (each question names its clauses).
    for section in essex.sections:
        assert section.clauses == () and 0 < len(section.intro.split()) <= 25, section.id


# -- every finding of 1.2.0, raised by the same answers under 1.3.0 -------------------------------------

# For each rule of 1.2.0: the change to the 1.2.0 example's answers that raises it (None: drop it).
RAISES: dict[str, dict[str, Value | None]] = {
    "channel.launch-in-past": {"channel.launch_date": dt.date(2026, 1, 5)},
    "administrator.not-agreed": {"administrator.accepts": False},
    "administrator.no-deputy": {
        "administrator.has_deputy": False,
        "administrator.deputy_name": None,
        "administrator.deputy_email": None,
        "administrator.cover_plan": "The head of department checks it.",
    },
    "fit.no-added-value": {"fit.existing_equivalent": True},
    "uses.students-union": {"uses.kinds": ("marketing", "students", "alumni", "students-union")},
    "uses.academic-not-checked": {
        "uses.kinds": ("academic", "marketing", "students", "alumni"),
        "uses.academic_checked": False,
    },
    "uses.marketing-not-agreed": {"uses.marketing_agreed": False, "uses.marketing_contact": None},
    "uses.students-not-monitored": {"uses.students_monitoring": False},
    "alumni.inconsistent": {
        "alumni.contact": False,
        "alumni.consulted": None,
        "alumni.advancement_name": None,
        "alumni.advancement_email": None,
        "alumni.advancement_date": None,
        "alumni.advancement_advice": None,
        "alumni.contact_source": None,
    },
    "alumni.not-consulted": {
        "alumni.consulted": False,
        "alumni.advancement_name": None,
        "alumni.advancement_email": None,
        "alumni.advancement_date": None,
        "alumni.advancement_advice": None,
    },
    "alumni.own-contact-details": {"alumni.contact_source": "own-lists"},
    "account.personal-login": {"account.login_owner": "personal", "account.login_email": None},
    "account.named-login": {
        "account.login_owner": "named-university",
        "account.login_email": None,
        "account.named_login_reason": "The platform needs a named person's address.",
    },
    "account.no-two-factor": {"account.two_factor": False},
    "account.credentials-shared": {"account.credentials": False},
    "account.personal-details": {
        "account.personal_safety": False,
        "account.personal_details_plan": "Only first names appear, never whereabouts.",
    },
    "content.no-rights": {"content.rights": False},
    "content.no-consent": {"content.consent": False},
    "content.terms-not-read": {"content.terms_read": False},
    "content.no-copy": {"content.keep_copy": False},
    "monitoring.infrequent": {
        "monitoring.frequency": "monthly",
        "monitoring.infrequent_reason": "It is a small archive channel.",
    },
    "monitoring.no-referral": {"monitoring.refer_dmo": False},
    "policies.advice-not-read": {"policies.advice_read": False},
    "policies.not-acknowledged": {"policies.university_policies": False},
    "policies.off-brand": {"policies.branding": False},
    "policies.personal-use-not-acknowledged": {"policies.personal_use": False},
    "policies.applications-not-acknowledged": {"policies.applications": False},
    "policies.discipline-not-acknowledged": {"policies.discipline": False},
    "policies.malware-not-acknowledged": {"policies.malware": False},
}


def test_every_rule_of_1_2_0_is_listed(old: Checklist, essex: Checklist) -> None:
    rules = [r.id for q in old.questions for r in q.rules]
    assert sorted(rules) == sorted(RAISES)
    # ...and 1.3.0 keeps every one of them, by id.
    assert set(rules) <= {r.id for q in essex.questions for r in q.rules}


@pytest.mark.parametrize("rule", sorted(RAISES))
def test_the_answers_that_raised_a_finding_under_1_2_0_raise_it_under_1_3_0(
    old: Checklist, essex: Checklist, rule: str
) -> None:
    base = apply_answers(old, load_answers_file(OLD_EXAMPLE_ANSWERS), today=TODAY)
    assert base.problems == []
    answers: dict[str, object] = dict(base.answers)
    for qid, value in RAISES[rule].items():
        if value is None:
            answers.pop(qid, None)
        else:
            answers[qid] = list(value) if isinstance(value, tuple) else value
    before = judge_answers(old, answers, today=TODAY, exact=False)
    assert before.problems == [], before.problems
    assert rule in {f.rule for f in evaluate(old, before.accepted, today=TODAY).findings}
    # The same answers, as 1.3.0 reads a 1.2.0 record's (a renewal): tick-boxes from yes/no.
    after = judge_answers(essex, answers, today=TODAY, exact=False)
    assert after.problems == [], after.problems
    assert rule in {f.rule for f in evaluate(essex, after.accepted, today=TODAY).findings}


def test_the_1_2_0_example_carried_over_raises_nothing(old: Checklist, essex: Checklist) -> None:
    base = apply_answers(old, load_answers_file(OLD_EXAMPLE_ANSWERS), today=TODAY)
    after = judge_answers(essex, base.answers, today=TODAY, exact=False)
    assert after.problems == []
    assert evaluate(essex, after.accepted, today=TODAY).findings == ()
    assert after.accepted["account.security"] == (
        "two-factor",
        "password-private",
        "personal-details-off",
    )
    # 1.2.0 had the proposer's own words on data ownership and the change plan: they are kept, and
    # so the boxes that stand for the usual statements are left unticked.
    assert "department-owns" not in after.accepted["content.commitments"]  # type: ignore[operator]
    assert str(after.accepted["content.data_ownership"]).startswith("The Department of History")
    assert "monitoring.cover" not in after.accepted


# -- the shipped example: short, and honest about its length ---------------------------------------------


def test_the_shipped_example_is_under_target_in_plain_mode(
    essex: Checklist, example: tuple[dict[str, Value], dict[str, str]]
) -> None:
    answers, signoff = example
    length = measure(essex, answers, signoff, today=TODAY)
    assert length.questions == 30
    assert length.prompts <= PROMPTS_TARGET, length.prompts
    assert length.words <= WORDS_TARGET, length.words
    # It still makes exactly the example's record: every answer a reviewer reads.
    assert length.progress.answers == answers


def test_the_position_is_honest_from_the_first_question(
    essex: Checklist, example: tuple[dict[str, Value], dict[str, str]]
) -> None:
    answers, signoff = example
    length = measure(essex, answers, signoff, today=TODAY)
    positions = list(length.positions.values())
    assert [p.number for p in positions] == list(range(1, length.questions + 1))
    assert positions[-1].about == length.questions
    # From the first question on, M is the number the answers lead to (within the one follow-up that
    # a tick-box of uses brings), never fewer than the questions already asked.
    assert all(abs(p.about - length.questions) <= 1 for p in positions), [
        p.about for p in positions
    ]
    assert all(p.about >= p.number for p in positions)
    # 1.2.0 said "question 1 of about 39" and ended at 51.
    assert (
        positions[0].about
        == Interview(essex, Scripted({}), Progress(), save=lambda _: None).expected().__len__()
    )


def test_filled_in_answers_are_not_asked_and_the_review_says_where_from(
    essex: Checklist, example: tuple[dict[str, Value], dict[str, str]]
) -> None:
    answers, signoff = example
    length = measure(essex, answers, signoff, today=TODAY)
    filled = {
        "administrator.has_deputy",
        "uses.marketing_agreed",
        "uses.students_monitoring",
        "alumni.contact",
        "alumni.consulted",
        "account.login_owner",
        "monitoring.refer_dmo",
    }
    assert filled <= set(answers)
    assert filled.isdisjoint(length.positions)
    text = " ".join(length.transcript.split())
    assert (
        "Will the channel contact or target alumni? yes (filled in from your answers in rows 7 and"
        in text
    )
    assert (
        "the Digital Marketing Officer before responding? yes (filled in from your answer in row"
        in text
    )
    # The section's heading is said once; a question's position does not repeat it.
    assert text.count("Section 2 of 9: The designated administrator") == 1


def test_a_filled_in_answer_can_be_changed_at_the_review_and_then_raises_its_rule(
    essex: Checklist,
) -> None:
    script: dict[str, list[Value | None]] = {
        qid: [value]
        for qid, value in apply_answers(
            essex, load_answers_file(EXAMPLE_ANSWERS), today=TODAY
        ).answers.items()
    }
    script["alumni.contact"] = [False]
    asker = Scripted(script, reviews=["alumni.contact", None])
    interview, outcome, _ = run(essex, asker)
    assert asker.asked.count("alumni.contact") == 1  # only when asked for at the review
    assert interview.progress.answers["alumni.contact"] is False
    assert "alumni.inconsistent" in {f.rule for f in outcome.findings}
    assert "alumni.consulted" not in interview.progress.answers  # hidden by the change


def test_a_filled_in_answer_follows_the_answer_it_comes_from(essex: Checklist) -> None:
    script: dict[str, list[Value | None]] = {
        qid: [value]
        for qid, value in apply_answers(
            essex, load_answers_file(EXAMPLE_ANSWERS), today=TODAY
        ).answers.items()
    }
    script["monitoring.contentious_plan"] = [
        "We never reply in haste, and screenshot everything.",
        "We never reply in haste, and ask the DMO first.",
    ]
    script["monitoring.refer_dmo"] = [False]
    # The first plan does not name the Digital Marketing Officer: "Will you refer..." is asked (no);
    # changed at the review to one that does, the person's own no is kept (it was asked).
    asker = Scripted(script, reviews=["monitoring.contentious_plan", None])
    interview, outcome, _ = run(essex, asker)
    assert asker.asked.count("monitoring.refer_dmo") == 1
    assert interview.progress.answers["monitoring.refer_dmo"] is False
    assert "monitoring.no-referral" in {f.rule for f in outcome.findings}


# -- the engine's new data: `mentions`, `derive`, a box's `was`, `retired` ------------------------------


def test_mentions_finds_whole_words_in_any_case() -> None:
    condition = Compare("m.plan", "mentions", ("Digital Marketing Officer", "DMO"))
    assert holds(condition, {"m.plan": "We ask the dmo first."})
    assert holds(condition, {"m.plan": "the DIGITAL marketing officer, always"})
    assert not holds(condition, {"m.plan": "We admonish nobody."})
    assert not holds(condition, {})


TINY = (ROOT / "tests" / "data" / "tiny.toml").read_text(encoding="utf-8")


def lint(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return [line.removeprefix(f"{path}: ") for line in lint_checklist(path)]


def test_the_linter_checks_derivations_mentions_and_replaced_questions(tmp_path: Path) -> None:
    text = TINY.replace(
        'prompt = "Is there a named owner?"',
        'prompt = "Is there a named owner?"\n'
        'derive = [{ when = { question = "club.name", mentions = ["owner"] }, value = "yes" },'
        ' { when = { question = "club.kind", mentions = ["x"] }, value = true }]',
    )
    assert lint(tmp_path, text) == [
        "sections[0].questions[2].derive[0].value: not a valid answer: must be yes or no (true or false), not a string",
        "sections[0].questions[2].derive[1].when: 'mentions' needs a text question; club.kind is choice",
    ]
    text = TINY.replace(
        '{ value = "music", label = "Music" }',
        '{ value = "music", label = "Music", was = "club.x" }',
    ).replace('name_from = ["club.name"]', 'name_from = ["club.name"]\nretired = ["club.name"]')
    assert lint(tmp_path, text) == [
        "sections[0].questions[1].choices[1].was: only a multi question's boxes replace earlier questions",
        "retired[0]: club.name is a question of this version",
    ]


def test_none_of_these_services_is_an_answer_that_the_reviewer_is_told_of(
    essex: Checklist, example: tuple[dict[str, Value], dict[str, str]]
) -> None:
    answers = dict(example[0])
    answers["fit.services_considered"] = ("none",)
    findings = evaluate(essex, answers, today=TODAY).findings
    assert [(f.rule, f.level.value) for f in findings] == [("fit.nothing-compared", "warning")]


@pytest.mark.pty
@pytest.mark.timeout(120)
def test_the_whole_example_in_plain_mode_in_a_terminal_makes_its_exact_record(
    spawn: Callable[..., Terminal],
    workdir: Path,
    essex: Checklist,
    env: dict[str, str],
) -> None:
    """The shipped example typed line by line into ``smcheck new --plain`` in a real terminal: the
    record holds exactly the example's answers (those filled in included) and its sign-off, and the
    whole run, from its first line to its last, is under target."""
    file = load_answers_file(EXAMPLE_ANSWERS)
    today = dt.datetime.now(dt.UTC).date()
    applied = apply_answers(essex, file, today=today)
    assert applied.problems == [] and applied.signoff is not None
    signoff = {k: str(v) for k, v in file.signoff.items()}
    term = spawn("new", "--plain", "--output", "example.smcheck.toml")
    run = run_in_terminal(term, essex, applied.answers, signoff)
    assert term.finish() == 0, run.transcript[-2000:]
    record = tomllib.loads((workdir / "example.smcheck.toml").read_text(encoding="utf-8"))
    answers = {k: list(v) if isinstance(v, tuple) else v for k, v in applied.answers.items()}
    assert flatten(record["answers"]) == {
        k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()
    }
    assert {k: record["signoff"][k] for k in ("name", "email", "role", "department")} == {
        "name": applied.signoff.name,
        "email": applied.signoff.email,
        "role": applied.signoff.role,
        "department": applied.signoff.department,
    }
    assert run.prompts <= PROMPTS_TARGET, run.prompts
    assert run.words <= WORDS_TARGET, run.words


def test_the_policys_words_are_one_line_away_in_plain_mode(essex: Checklist) -> None:
    """A section opens with a sentence on what it is for; typing ? at a question shows the clauses it
    comes from, then asks again; the answer after it is taken as usual."""
    out = io.StringIO()
    script = io.StringIO("?\nyes\n")
    asker = PlainAsker(script, out)
    section = next(s for s in essex.sections if s.id == "administrator")
    asker.start_section(essex, section, 2, len(essex.sections))
    question = essex.question("administrator.accepts")
    assert question is not None
    clause = essex.clause("ADMINISTRATOR")
    assert clause is not None
    position = Position(2, 9, section.title, 12, 30, clauses=(("ADMINISTRATOR", clause.text),))
    answer = asker.ask(
        question,
        position=position,
        current=None,
        error=None,
        parse=lambda text: None,
        check=lambda value: value,  # type: ignore[arg-type,return-value]
    )
    assert answer is True
    text = out.getvalue()
    assert text.count(clause.text) == 1  # not in the opening: only when asked for
    assert text.index("Type ? at any question") < text.index(f"ADMINISTRATOR: {clause.text}")
    assert "Recorded: yes" in text


def test_the_engine_gives_each_question_the_words_of_its_clauses(essex: Checklist) -> None:
    asker = Scripted({}, reviews=[None])
    interview = Interview(essex, asker, Progress(), save=lambda _: None, today=lambda: TODAY)
    question = essex.question("policies.acknowledged")
    assert question is not None
    position = interview._position(question, allow_back=False)
    assert [cid for cid, _ in position.clauses] == [
        "ADVICE",
        "GG-POLICIES",
        "GG-5",
        "OU-1",
        "OU-2",
        "OU-4",
    ]


def test_a_question_only_a_renewal_answers_does_not_stop_answers_being_filled_in(
    tmp_path: Path,
) -> None:
    text = TINY.replace(
        '[[sections.questions]]\nid = "club.has_owner"',
        '[[sections.questions]]\nid = "club.live"\ntype = "yesno"\nprompt = "Live?"\nclauses = []\n'
        "required = false\nrenewal = true\n\n"
        '[[sections.questions]]\nid = "club.has_owner"',
    ).replace(
        'prompt = "Is there a named owner?"',
        'prompt = "Is there a named owner?"\n'
        'derive = [{ when = { question = "club.kind", equals = "sport" }, value = true }]',
    )
    path = tmp_path / "tiny.toml"
    path.write_text(text, encoding="utf-8")
    checklist = load_checklist(path)
    asker = Scripted(
        {
            "club.name": ["Chess Club"],
            "club.kind": ["sport"],
            "club.owner_email": ["a@example.ac.uk"],
            "club.founded": [None],
            "web.sites": [("insta",)],
        }
    )
    interview, _, _ = run(checklist, asker)
    assert "club.has_owner" not in asker.asked and "club.live" not in asker.asked
    assert interview.progress.answers["club.has_owner"] is True


def test_checklist_show_and_the_template_say_which_answers_are_filled_in() -> None:
    from typer.testing import CliRunner

    from smcheck.cli import app

    runner = CliRunner()
    text = runner.invoke(app, ["checklist", "show", "essex-social-media"]).stdout
    assert "filled in as yes when administrator.deputy_name is answered" in text
    assert (
        "filled in as yes when monitoring.contentious_plan mentions"
        " Digital Marketing Officer, DMO" in text
    )
    shown = runner.invoke(app, ["checklist", "show", "essex-social-media", "--json"]).stdout
    assert '"derive"' in shown
    template = runner.invoke(app, ["checklist", "template", "essex-social-media"]).stdout
    assert (
        "# Leave it out when (channel.audiences includes alumni or uses.kinds includes alumni):"
        " it is filled in as yes" in template
    )


def test_the_full_screen_review_says_where_a_filled_in_answer_comes_from(
    essex: Checklist, example: tuple[dict[str, Value], dict[str, str]]
) -> None:
    from rich.console import Console

    from smcheck import console

    answers, _ = example
    script: dict[str, list[Value | None]] = {qid: [value] for qid, value in answers.items()}
    for question in essex.questions:
        if not question.required:
            script.setdefault(question.id, [None])
    asker = Scripted(script, reviews=[None])
    interview, _, _ = run(essex, asker)
    rows = interview.review_rows()
    contact = next(r for r in rows if r.question.id == "alumni.contact")
    audiences = next(r for r in rows if r.question.id == "channel.audiences")
    kinds = next(r for r in rows if r.question.id == "uses.kinds")
    assert contact.filled_from == (audiences.number, kinds.number)
    screen = Console(width=200, record=True, color_system=None)
    for part in console.review_view(rows, None):
        screen.print(part)
    text = " ".join(screen.export_text().split())
    assert (
        f"yes (filled in from your answers in rows {audiences.number} and {kinds.number})" in text
    )
    asked = next(r for r in rows if r.question.id == "administrator.accepts")
    assert asked.filled_from == () and asked.filled_note == ""


@pytest.mark.parametrize(
    "qid", ["administrator.accepts", "policies.acknowledged", "monitoring.who"]
)
def test_the_policys_words_are_one_key_away_full_screen(essex: Checklist, qid: str) -> None:
    """At the full-screen prompts ? (as the first key of a text) shows the clauses' words in place of
    the instruction; the next key brings the instruction back and the answer is taken as usual."""
    from helpers.screen import Screen

    from smcheck.prompts import QuestionaryAsker

    question = essex.question(qid)
    assert question is not None
    clause = essex.clause(question.clauses[0])
    assert clause is not None
    position = Interview(essex, Scripted({}), Progress(), save=lambda _: None)._position(
        question, allow_back=False
    )
    screen = Screen(columns=400)
    script = [("? for the policy's words", "?"), (clause.text[:40], "\x03")]  # then Ctrl-C
    with screen.typing(script) as missed, pytest.raises(KeyboardInterrupt):
        QuestionaryAsker(today=lambda: TODAY).ask(
            question,
            position=position,
            current=None,
            error=None,
            parse=lambda text: text,
            check=lambda value: value,  # type: ignore[arg-type,return-value]
        )
    assert missed == []


def test_question_mark_at_a_question_that_names_no_clause_says_so_in_plain_mode(
    essex: Checklist,
) -> None:
    """Plain mode says "Type ? at any question": at one that names no clause, ? says that, and is
    never taken as the answer (the handle after it is)."""
    question = essex.question("channel.handle")
    assert question is not None and question.clauses == ()
    out = io.StringIO()
    answer = PlainAsker(io.StringIO("?\n@essexhistory\n"), out).ask(
        question,
        position=Position(1, 9, "The channel", 3, 30),
        current=None,
        error=None,
        parse=lambda text: text,
        check=lambda value: value,  # type: ignore[arg-type,return-value]
    )
    assert answer == "@essexhistory"
    assert NO_CLAUSES in out.getvalue()
    assert "Recorded: @essexhistory" in out.getvalue()


def test_question_mark_at_a_question_that_names_no_clause_says_so_full_screen(
    essex: Checklist,
) -> None:
    from helpers.screen import Screen

    from smcheck.prompts import QuestionaryAsker

    question = essex.question("channel.handle")
    assert question is not None and question.clauses == ()
    screen = Screen(columns=400)
    script = [("What is (or will be)", "?"), (NO_CLAUSES[:40], "@essexhistory\r")]
    with screen.typing(script) as missed:
        answer = QuestionaryAsker(today=lambda: TODAY).ask(
            question,
            position=Position(1, 9, "The channel", 3, 30),
            current=None,
            error=None,
            parse=lambda text: text,
            check=lambda value: value,  # type: ignore[arg-type,return-value]
        )
    assert missed == []
    assert answer == "@essexhistory"  # ? was not typed into the answer

"""The smaller slips of issue 17 (point 4), each held by a test: dates refused in words about what was
typed, the sign-off counted like the rest, the proposer's own details offered at sign-off, a clean
echo after going back, and typed answers wrapped between words. (Real draft names in suggestions:
tests/test_drafts.py::test_list_shows_each_draft_with_its_state_and_path and the drafts pty test.)"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers.records import DATA, make_record_bytes
from helpers.screen import Screen
from helpers.scripted import Scripted, essex_answers, run, tiny_script

from smcheck.answers import AnswersFile, apply_answers
from smcheck.checklist import Checklist, Choice, Question, Validators, Value
from smcheck.commands.renew import checklist_changes, progress_from
from smcheck.errors import FileProblem
from smcheck.interview import GoBack, Position, Progress
from smcheck.layout import parse_record
from smcheck.loader import load_checklist
from smcheck.plain import PlainAsker
from smcheck.prompts import WENT_BACK, QuestionaryAsker
from smcheck.values import NONE_OF_THESE, AnswerError, check_typed, parse_date, parse_text

ENTER = "\r"

# -- dates: what was typed, in words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (
            "01/03/2027",
            "01/03/2027 could be 1 March or 3 January: type the date year first, as 2027-03-01 or"
            " 2027-01-03",
        ),
        ("31/04/2027", "there is no 31 April; type the date year first, as YYYY-MM-DD"),
        ("04/31/2027", "there is no 31 April; type the date year first, as YYYY-MM-DD"),
        ("29.02.2027", "there is no 29 February in 2027; type the date year first, as YYYY-MM-DD"),
        ("13/04/2027", "type the date year first (YYYY-MM-DD): 2027-04-13"),
        ("05/05/2027", "type the date year first (YYYY-MM-DD): 2027-05-05"),
        ("13/13/2027", "there is no month 13: type the date year first, as YYYY-MM-DD"),
        (
            "01/03/27",
            "type the year in full, year first, as YYYY-MM-DD (like 2027-01-31), not 01/03/27",
        ),
    ],
)
def test_a_date_in_another_order_is_refused_in_words_about_what_was_typed(
    typed: str, said: str
) -> None:
    with pytest.raises(AnswerError) as refused:
        parse_date(typed)
    assert str(refused.value) == said


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("18 January 2027", "2027-01-18"),
        ("18 Jan 2027", "2027-01-18"),
        ("18th Jan 2027", "2027-01-18"),
        ("Jan 18, 2027", "2027-01-18"),
        ("january 18 2027", "2027-01-18"),
        ("1 Sept 2027", "2027-09-01"),
        ("29 February 2028", "2028-02-29"),
    ],
)
def test_a_date_with_its_month_in_words_has_one_reading_and_is_taken(
    typed: str, meant: str
) -> None:
    assert parse_date(typed).isoformat() == meant


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("31 April 2027", "there is no 31 April"),
        ("30 Feb 2027", "there is no 30 February"),
        ("18 Ju 2027", "type a date as YYYY-MM-DD, like 2027-01-31"),  # June or July?
        ("18 Janvier 2027", "type a date as YYYY-MM-DD, like 2027-01-31"),
        (
            "18 January 27",
            "type the year in full, as in 18 January 2027 or 2027-01-18, not 18 January 27",
        ),
    ],
)
def test_a_date_with_its_month_in_words_is_refused_in_words_when_it_is_no_date(
    typed: str, said: str
) -> None:
    with pytest.raises(AnswerError) as refused:
        parse_date(typed)
    assert str(refused.value) == said


# -- sign-off -----------------------------------------------------------------------------------------


def signoff_script(essex: Checklist, **overrides: object) -> dict[str, list[Value | None]]:
    script: dict[str, list[Value | None]] = {
        qid: [value] for qid, value in essex_answers(essex).items()
    }
    script.update({k: list(v) for k, v in overrides.items()})  # type: ignore[call-overload]
    return script


def test_the_signoff_is_counted_like_the_rest_when_the_administrator_signs(
    essex: Checklist,
) -> None:
    answers = essex_answers(essex)
    asker = Scripted(
        signoff_script(
            essex,
            **{
                "signoff.is_named": [True],
                "signoff.role": [answers["administrator.role"]],
                "signoff.department": [answers["channel.department"]],
                "signoff.agree": [True],
            },
        ),
        reviews=[None],
    )
    interview, _, _ = run(essex, asker)
    assert interview.sign_off() is not None
    asked = [q for q in asker.asked if q.startswith("signoff.")]
    assert asked == ["signoff.is_named", "signoff.role", "signoff.department", "signoff.agree"]
    # 1, 2, 3, 4 of 4: no jump from 1 to 4 over the name and email that were not asked.
    assert [(asker.positions[q].number, asker.positions[q].about) for q in asked] == [
        (1, 4),
        (2, 4),
        (3, 4),
        (4, 4),
    ]


def test_someone_else_signing_is_counted_and_offered_the_channels_department(
    essex: Checklist,
) -> None:
    answers = essex_answers(essex)
    asker = Scripted(
        signoff_script(
            essex,
            **{
                "signoff.is_named": [False],
                "signoff.name": ["Pat Other"],
                "signoff.email": ["pat.other@essex.ac.uk"],
                "signoff.role": ["Head of Department"],
                "signoff.department": [answers["channel.department"]],
                "signoff.agree": [True],
            },
        ),
        reviews=[None],
    )
    interview, _, _ = run(essex, asker)
    signoff = interview.sign_off()
    assert signoff is not None and signoff.name == "Pat Other"
    asked = [q for q in asker.asked if q.startswith("signoff.")]
    assert [asker.positions[q].number for q in asked] == [1, 2, 3, 4, 5, 6]
    assert asker.positions["signoff.agree"].about == 6
    # Their department is the channel's: offered, as it is to the administrator.
    assert asker.currents["signoff.department"] == answers["channel.department"]
    # The administrator's own details are not theirs: not offered.
    assert asker.currents["signoff.name"] is None
    assert asker.currents["signoff.email"] is None
    assert asker.currents["signoff.role"] is None


# -- what stays on the screen ------------------------------------------------------------------------

COLUMNS = 60
TODAY = __import__("datetime").date(2026, 11, 2)


def put(question: Question, *, can_go_back: bool = True) -> Value | None:
    return QuestionaryAsker(today=lambda: TODAY).ask(
        question,
        position=Position(1, 2, "The club", 2, 5, can_go_back=can_go_back),
        current=None,
        error=None,
        parse=lambda text: parse_text(question, text, today=TODAY),
        check=lambda value: check_typed(question, value, today=TODAY),
    )


@pytest.mark.parametrize("qid", ["club.name", "club.has_owner", "club.kind", "web.sites"])
def test_going_back_leaves_a_clean_line_not_a_stray_less_than(tiny: Checklist, qid: str) -> None:
    question = tiny.question(qid)
    assert question is not None
    screen = Screen(columns=COLUMNS)
    with screen.typing([(None, "<" + ENTER)]), pytest.raises(GoBack):
        put(question)
    shown = screen.lines()
    echoed = next(line for line in shown if line.startswith(f"? {question.prompt}"))
    assert echoed == f"? {question.prompt} {WENT_BACK}", shown
    assert not any(line.rstrip().endswith("<") for line in shown), shown


def test_a_long_typed_answer_is_left_on_the_screen_wrapped_between_words(
    tiny: Checklist,
) -> None:
    named = tiny.question("club.name")
    assert named is not None
    question = named._replace(validate=Validators())  # any length, any characters
    typed = (
        "The University of Essex Historical Society and its friends, alumni and neighbours in"
        " Colchester and Southend"
    )
    screen = Screen(columns=COLUMNS)
    with screen.typing([(None, typed + ENTER)]):
        assert put(question) == typed
    shown = screen.lines()
    start = next(i for i, line in enumerate(shown) if line.startswith(f"? {question.prompt}"))
    kept = shown[start:]
    assert all(len(line) <= COLUMNS for line in kept)
    # Every line ends and starts with a whole word of what was typed: none is broken at the edge.
    words = set(typed.replace(",", " ").split())
    for line in kept[1:]:
        assert line.startswith("  "), kept
        first = line.split()[0].rstrip(",")
        assert first in words, kept
    for line in kept[:-1]:
        last = line.split()[-1].rstrip(",")
        assert last in words or line.endswith(question.prompt), kept
    assert " ".join(" ".join(kept).split()).endswith(typed)


# -- "none of these" ---------------------------------------------------------------------------------


def with_none(tiny: Checklist) -> Question:
    sites = tiny.question("web.sites")
    assert sites is not None
    return sites._replace(choices=(*sites.choices, Choice(NONE_OF_THESE, "None of these")))


def test_none_of_these_is_an_answer_on_its_own(tiny: Checklist) -> None:
    question = with_none(tiny)
    assert check_typed(question, ("none",), today=TODAY) == ("none",)
    with pytest.raises(AnswerError) as refused:
        check_typed(question, ("insta", "none"), today=TODAY)
    assert str(refused.value) == (
        "'None of these' is an answer on its own: untick it, or untick the other choices"
    )


def test_the_shipped_checklist_offers_none_of_these_services_on_its_own(essex: Checklist) -> None:
    services = essex.question("fit.services_considered")
    assert services is not None
    assert check_typed(services, ("none",), today=TODAY) == ("none",)  # a warning follows
    with pytest.raises(AnswerError, match="'None of these' is an answer on its own"):
        check_typed(services, ("website", "none"), today=TODAY)


def test_none_of_these_typed_with_another_choice_in_plain_mode_is_asked_again(
    tiny: Checklist,
) -> None:
    question = with_none(tiny)
    out = io.StringIO()
    answer = PlainAsker(io.StringIO("1,3\n3\n"), out, width=0).ask(
        question,
        position=Position(1, 2, "Online", 3, 5),
        current=None,
        error=None,
        parse=lambda text: parse_text(question, text, today=TODAY),
        check=lambda value: check_typed(question, value, today=TODAY),
    )
    assert answer == ("none",)
    assert (
        "Not recorded: 'None of these' is an answer on its own: untick it, or untick the other"
        " choices." in out.getvalue()
    )


# -- a renewal: the channel is live ------------------------------------------------------------------

LIVE_QUESTION = """
[[sections.questions]]
id = "club.live"
type = "yesno"
prompt = "Is the channel already live?"
clauses = []
required = REQUIRED
renewal = RENEWAL

"""


def tiny_with_live(tmp_path: Path, renewal: str = "true", *, required: str = "true") -> Path:
    """The tiny checklist with a question a renewal answers ``renewal``, before its founding date."""
    text = (DATA / "tiny.toml").read_text(encoding="utf-8")
    anchor = '[[sections.questions]]\nid = "club.founded"'
    assert anchor in text
    path = tmp_path / "tiny-live.toml"
    path.write_text(
        text.replace(
            anchor,
            LIVE_QUESTION.replace("RENEWAL", renewal).replace("REQUIRED", required) + anchor,
        ),
        encoding="utf-8",
    )
    return path


def test_a_renewal_gives_the_answers_the_checklist_says(tmp_path: Path) -> None:
    checklist = load_checklist(tiny_with_live(tmp_path))
    live = checklist.question("club.live")
    assert live is not None and live.renewal is True
    assert checklist.renewal_answers() == {"club.live": True}
    old = {
        "club.name": "Chess Club",
        "club.kind": "sport",
        "club.has_owner": True,
        "club.owner_email": "owner@example.ac.uk",
        "club.live": False,  # when it was first proposed, it was not live yet
        "web.sites": ["insta"],
    }
    signoff = {"name": "Ann Lee", "email": "ann@example.ac.uk", "role": "Secretary"}
    # new --answers OLD-RECORD: a record replayed is a renewal.
    replayed = AnswersFile(tmp_path / "old.smcheck.toml", "tiny-club", old, signoff, True)
    assert apply_answers(checklist, replayed, today=TODAY).answers["club.live"] is True
    # An answers file is not: its answer stands.
    typed = AnswersFile(tmp_path / "a.answers.toml", "tiny-club", old, signoff, False)
    assert apply_answers(checklist, typed, today=TODAY).answers["club.live"] is False


def test_smcheck_renew_starts_from_the_renewal_answers(essex: Checklist, tmp_path: Path) -> None:
    checklist = load_checklist(tiny_with_live(tmp_path))
    record = parse_record(make_record_bytes()).record
    progress = progress_from(record, checklist)
    assert progress.answers["club.live"] is True
    assert "club.live" not in checklist_changes(record, checklist).added


def test_a_renewal_answer_of_the_wrong_type_is_refused_by_the_linter(tmp_path: Path) -> None:
    with pytest.raises(FileProblem) as refused:
        load_checklist(tiny_with_live(tmp_path, '"maybe"'))
    assert refused.value.problems == [
        f"{tmp_path / 'tiny-live.toml'}: sections[0].questions[4].renewal: not a valid answer:"
        " must be yes or no (true or false), not a string"
    ]


def test_an_optional_question_only_a_renewal_answers_is_not_asked_in_a_new_interview(
    tmp_path: Path,
) -> None:
    checklist = load_checklist(tiny_with_live(tmp_path, required="false"))
    live = checklist.question("club.live")
    assert live is not None and live.renewal_only
    asker = Scripted(tiny_script(), reviews=[None])
    interview, outcome, _ = run(checklist, asker)
    assert "club.live" not in asker.asked
    assert "club.live" not in interview.progress.answers
    assert outcome.status.can_sign_off
    # The count is honest: the question not asked is not counted.
    asked = [q for q in asker.asked if not q.startswith("signoff.")]
    assert [asker.positions[q].number for q in asked] == list(range(1, len(asked) + 1))
    assert {asker.positions[q].about for q in asked} == {len(asked)}
    # Nor is it a row of the review (a blank the person was never asked about).
    assert "club.live" not in [row.question.id for row in interview.review_rows()]
    # A renewal gives it: kept, not asked, and shown in the review where it can be changed.
    renewal = Scripted(tiny_script(), reviews=[None])
    again, _, _ = run(checklist, renewal, Progress(answers={"club.live": True}))
    assert "club.live" not in renewal.asked and again.progress.answers["club.live"] is True
    assert "club.live" in [row.question.id for row in again.review_rows()]


def test_renewing_a_live_shipped_channel_asks_when_it_launched_instead_of_warning(
    essex: Checklist, tmp_path: Path
) -> None:
    """essex-social-media 1.3.1: a renewal says the channel is live, so a launch date in the past is
    the day it launched (no warning), and the question reads so; a new channel is still warned."""
    import datetime as dt

    from smcheck.outcome import evaluate, worded

    launch = essex.question("channel.launch_date")
    live = essex.question("channel.live")
    assert launch is not None and live is not None and live.renewal is True and live.renewal_only
    later = dt.date(2027, 6, 1)  # the day the record is renewed, after its launch
    answers = dict(essex_answers(essex))
    launched = answers["channel.launch_date"]
    assert isinstance(launched, dt.date) and launched < later

    def rules(answers: dict[str, Value]) -> set[str]:
        return {finding.rule for finding in evaluate(essex, answers, today=later).findings}

    # A new interview: the channel.live question is never asked, and a past date is warned.
    assert "channel.live" not in answers
    assert "channel.launch-in-past" in rules(answers)
    assert worded(launch, answers).prompt == "When do you plan to launch the channel?"
    # A renewal (new --answers OLD-RECORD, smcheck renew): the channel is live.
    old = AnswersFile(tmp_path / "old.smcheck.toml", essex.id, answers, {}, True)
    renewed = dict(apply_answers(essex, old, today=later).answers)
    assert renewed["channel.live"] is True
    assert "channel.launch-in-past" not in rules(renewed)
    assert worded(launch, renewed).prompt == "When did the channel launch?"
    # A live channel whose launch day is still to come is warned instead.
    renewed["channel.launch_date"] = later + dt.timedelta(days=10)
    assert "channel.live-launch-in-future" in rules(renewed)


@pytest.mark.parametrize("typed", ["1 and 3", "1, 3", "1 3", "1 & 3", "1, and 3"])
def test_tick_boxes_take_the_numbers_however_a_person_joins_them(
    essex: Checklist, typed: str
) -> None:
    question = essex.question("fit.services_considered")
    assert question is not None
    out = io.StringIO()
    answer = PlainAsker(io.StringIO(typed + "\n"), out, width=0).ask(
        question,
        position=Position(3, 9, "Fit", 16, 30),
        current=None,
        error=None,
        parse=lambda text: parse_text(question, text, today=TODAY),
        check=lambda value: check_typed(question, value, today=TODAY),
    )
    assert answer == (question.choices[0].value, question.choices[2].value), out.getvalue()


def test_and_alone_is_no_tick_box_answer(essex: Checklist) -> None:
    question = essex.question("fit.services_considered")
    assert question is not None
    out = io.StringIO()
    answer = PlainAsker(io.StringIO("and\n2\n"), out, width=0).ask(
        question,
        position=Position(3, 9, "Fit", 16, 30),
        current=None,
        error=None,
        parse=lambda text: parse_text(question, text, today=TODAY),
        check=lambda value: check_typed(question, value, today=TODAY),
    )
    assert answer == (question.choices[1].value,)
    assert "Not recorded: type the numbers of the choices" in out.getvalue()


def test_a_record_named_without_its_ending_is_noted_before_anything_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--output club.toml``: verify and status find a record in a folder by ``.smcheck.toml`` alone,
    so a reviewer's folder run would pass over it. Said at once (the record is still written as
    named); a name with the ending says nothing."""
    from helpers.records import EXAMPLE_ANSWERS
    from typer.testing import CliRunner

    from smcheck.cli import app

    monkeypatch.setenv("SMCHECK_CONFIG", str(tmp_path / "none.toml"))
    runner = CliRunner()
    for name, noted in (("club.toml", True), ("club.smcheck.toml", False)):
        out = tmp_path / name
        result = runner.invoke(
            app, ["new", "--answers", str(EXAMPLE_ANSWERS), "--agree", "--output", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.is_file()
        note = (
            f"smcheck: note: {out} does not end in .smcheck.toml: smcheck verify and status find a"
            " record in a folder only by that ending, so name it like club.smcheck.toml"
        )
        assert (note in " ".join(result.stderr.split())) is noted
        if noted:
            assert result.stderr.index("does not end in") < result.stderr.index("Record written")

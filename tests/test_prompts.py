"""The questionary asker, driven in process through prompt_toolkit pipe input.

Every test sends its keys into a pipe and closes it: a test that sends too few keys gets ``EOFError``
from the prompt still waiting, instead of hanging. Keys: Enter ``\\r``, Down ``\\x1b[B``, Up ``\\x1b[A``,
Space, Ctrl-C ``\\x03``, Ctrl-D ``\\x04``, Ctrl-U ``\\x15`` (clear the line), Backspace ``\\x7f``.
A yes/no prompt takes ``y``/``n`` without Enter.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from smcheck.checklist import Checklist, Value
from smcheck.interview import Interview, Position, Progress, ReviewRow
from smcheck.outcome import evaluate
from smcheck.prompts import QuestionaryAsker
from smcheck.signoff import SignOff

TODAY = dt.date(2026, 11, 2)
POSITION = Position(1, 2, "The club", 1, 5)

ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"
BACKSPACE = "\x7f"


@contextmanager
def keyboard(keys: str) -> Iterator[PipeInput]:
    """Every prompt inside reads ``keys``, then end of input (so too few keys fail, never hang)."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        pipe.close()
        yield pipe


def asker() -> QuestionaryAsker:
    return QuestionaryAsker(today=lambda: TODAY)


def ask(checklist: Checklist, qid: str, keys: str, current: Value | None = None) -> Value | None:
    """Ask one question of ``checklist`` with the real asker, answering with ``keys``."""
    question = checklist.question(qid)
    assert question is not None, qid
    with keyboard(keys):
        return asker().ask(question, position=POSITION, current=current, error=None)


class Screen:
    """A prompt_toolkit output that keeps what it draws, and a typist that waits to see a text on it
    before typing the next keys (as a person would), in a thread beside the prompt."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.output = Vt100_Output(self.buffer, lambda: Size(rows=40, columns=200), term="xterm")

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def wait_for(self, text: str, start: int, timeout: float = 10.0) -> int:
        """Where ``text`` first appears at or after ``start`` (waiting for it); -1 after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.text.find(text, start)
            if found >= 0:
                return found
            time.sleep(0.005)
        return -1

    @contextmanager
    def typing(self, script: Sequence[tuple[str | None, str]]) -> Iterator[list[str]]:
        """Run the body while a typist types each step's keys once its text (if any) is on screen.

        Yields a list that, after the body, names every awaited text that never appeared.
        """
        missed: list[str] = []
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=self.output):

            def typist() -> None:
                start = 0
                for awaited, keys in script:
                    if awaited is not None:
                        found = self.wait_for(awaited, start)
                        if found < 0:
                            missed.append(awaited)
                            break
                        start = found + len(awaited)
                    pipe.send_text(keys)
                pipe.close()

            thread = threading.Thread(target=typist, daemon=True)
            thread.start()
            try:
                yield missed
            except EOFError:
                thread.join(timeout=15)
                if missed:
                    raise AssertionError(f"never shown: {missed!r}\n{self.text!r}") from None
                raise
            finally:
                thread.join(timeout=15)


# -- each question type returns its typed value -------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [("y", True), ("n", False), ("Y", True), ("N", False), (ENTER, False)],
)
def test_yesno_takes_a_single_key_and_returns_a_bool(
    tiny: Checklist, keys: str, expected: bool
) -> None:
    # Enter with no answer yet means "no": an accidental Enter must never claim compliance.
    assert ask(tiny, "club.has_owner", keys) is expected


def test_yesno_does_not_need_enter_so_an_extra_enter_is_left_for_the_next_prompt(
    tiny: Checklist,
) -> None:
    owner = tiny.question("club.has_owner")
    name = tiny.question("club.name")
    assert owner is not None and name is not None
    with keyboard("n" + ENTER + "Chess" + ENTER):
        first = asker().ask(owner, position=POSITION, current=None, error=None)
        second = asker().ask(name, position=POSITION, current="Go club", error=None)
    assert first is False
    # The Enter after "n" answered the next prompt with its default; "Chess" was typed after it.
    assert second == "Go club"


def test_text_returns_the_typed_string_trimmed(tiny: Checklist) -> None:
    assert ask(tiny, "club.name", "  Chess club  " + ENTER) == "Chess club"


def test_email_returns_the_address(tiny: Checklist) -> None:
    assert ask(tiny, "club.owner_email", "ann@example.ac.uk" + ENTER) == "ann@example.ac.uk"


def test_url_returns_the_address(tiny: Checklist) -> None:
    url = "https://chess.example.org/club"
    assert ask(tiny, "web.url", url + ENTER) == url


def test_date_returns_a_date(tiny: Checklist) -> None:
    assert ask(tiny, "club.founded", "2001-02-03" + ENTER) == dt.date(2001, 2, 3)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [(ENTER, "sport"), (DOWN + ENTER, "music"), (DOWN + DOWN + ENTER, "union")],
)
def test_choice_moves_with_arrow_keys_and_returns_the_value_not_the_label(
    tiny: Checklist, keys: str, expected: str
) -> None:
    assert ask(tiny, "club.kind", keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (" " + ENTER, ("insta",)),
        (DOWN + " " + ENTER, ("site",)),
        # Ticked in reverse order: the answer keeps the checklist's order.
        (DOWN + " " + UP + " " + ENTER, ("insta", "site")),
        # Ticked then unticked.
        (" " + DOWN + " " + UP + " " + ENTER, ("site",)),
    ],
)
def test_multi_ticks_with_space_and_returns_a_tuple_in_checklist_order(
    tiny: Checklist, keys: str, expected: tuple[str, ...]
) -> None:
    assert ask(tiny, "web.sites", keys) == expected


# -- inline validation: a bad value is refused, a corrected one accepted -----------------------------


@pytest.mark.parametrize(
    ("qid", "bad", "fix", "expected"),
    [
        # Ctrl-U clears the line, then the right value is typed.
        ("club.owner_email", "bob@gmail.com", CTRL_U + "bob@example.ac.uk", "bob@example.ac.uk"),
        ("club.owner_email", "not an email", CTRL_U + "bob@example.ac.uk", "bob@example.ac.uk"),
        # Backspace deletes the characters that broke the rule.
        ("club.name", "Chess1", BACKSPACE, "Chess"),
        ("club.name", "Go", "o", "Goo"),
        (
            "web.url",
            "http://chess.example.org",
            CTRL_U + "https://x.example.org",
            "https://x.example.org",
        ),
        ("web.url", "https://localhost", CTRL_U + "https://x.example.org", "https://x.example.org"),
        ("club.founded", "2999-01-01", CTRL_U + "2001-02-03", dt.date(2001, 2, 3)),
        ("club.founded", "3 March 2001", CTRL_U + "2001-03-03", dt.date(2001, 3, 3)),
    ],
)
def test_inline_validation_refuses_a_bad_value_and_accepts_the_corrected_one(
    tiny: Checklist, qid: str, bad: str, fix: str, expected: Value
) -> None:
    # The bad value alone is not accepted: the prompt is still waiting when input ends.
    with pytest.raises(EOFError):
        ask(tiny, qid, bad + ENTER)
    assert ask(tiny, qid, bad + ENTER + fix + ENTER) == expected


def test_the_refusal_is_shown_under_the_prompt_in_the_checks_own_words(tiny: Checklist) -> None:
    question = tiny.question("club.owner_email")
    assert question is not None
    screen = Screen()
    script = [
        ("Owner's email?", "bob@gmail.com" + ENTER),
        ("must be an address at example.ac.uk", CTRL_U + "bob@example.ac.uk" + ENTER),
    ]
    with screen.typing(script) as missed:
        answer = asker().ask(question, position=POSITION, current=None, error=None)
    assert missed == []
    assert answer == "bob@example.ac.uk"


def test_a_required_text_question_refuses_a_blank_answer(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        ask(tiny, "club.name", ENTER)
    assert ask(tiny, "club.name", ENTER + "Chess" + ENTER) == "Chess"


def test_an_empty_multi_answer_is_refused_with_a_visible_reason_and_asked_again(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    web = tiny.sections[1]
    question = tiny.question("web.sites")
    assert question is not None
    the_asker = asker()
    the_asker.start_section(tiny, web, 2, 2)
    with keyboard(ENTER), pytest.raises(EOFError):
        the_asker.ask(question, position=POSITION, current=None, error=None)
    # Shown by smcheck (stderr), not in a bottom toolbar that a terminal without
    # cursor-position reports never draws.
    assert "choose at least one" in capsys.readouterr().err
    with keyboard(ENTER + DOWN + " " + ENTER):
        assert the_asker.ask(question, position=POSITION, current=None, error=None) == ("site",)


def test_a_refused_multi_answer_keeps_its_ticks_when_asked_again(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    """A multi question with ``max_items``: the refused selection comes back ticked, one untick fixes it."""
    question = tiny.question("web.sites")
    assert question is not None
    limited = question._replace(validate=question.validate._replace(max_items=1))
    with keyboard(" " + DOWN + " " + ENTER + " " + ENTER):
        # Both ticked: refused. Asked again with both still ticked; Space unticks the first.
        answer = asker().ask(limited, position=POSITION, current=None, error=None)
    assert answer == ("site",)
    assert "choose at most 1" in capsys.readouterr().err


# -- optional questions, current values as defaults -----------------------------------------------------


def test_an_optional_text_question_returns_none_on_a_blank_enter(tiny: Checklist) -> None:
    assert ask(tiny, "club.founded", ENTER) is None
    assert ask(tiny, "club.founded", "   " + ENTER) is None


@pytest.mark.parametrize(
    ("qid", "current"),
    [
        ("club.name", "Chess club"),
        ("club.owner_email", "ann@example.ac.uk"),
        ("web.url", "https://chess.example.org"),
        ("club.founded", dt.date(2001, 2, 3)),
        ("club.kind", "union"),
        ("club.has_owner", False),
        ("club.has_owner", True),
        ("web.sites", ("site",)),
        ("web.sites", ("insta", "site")),
    ],
)
def test_the_current_answer_is_offered_and_enter_keeps_it(
    tiny: Checklist, qid: str, current: Value
) -> None:
    assert ask(tiny, qid, ENTER, current=current) == current


def test_the_current_answer_is_a_starting_point_that_can_be_changed(tiny: Checklist) -> None:
    # Text: the current answer is in the line, ready to edit.
    assert ask(tiny, "club.name", " and Go" + ENTER, current="Chess") == "Chess and Go"
    assert ask(tiny, "club.name", CTRL_U + "Bridge" + ENTER, current="Chess") == "Bridge"
    # Choice: the pointer starts on the current answer.
    assert ask(tiny, "club.kind", UP + ENTER, current="union") == "music"
    # Multi: the current answers are ticked; Space on the first unticks it.
    assert ask(tiny, "web.sites", " " + ENTER, current=("insta", "site")) == ("site",)
    # Yes/no: the default is the current answer, y/n still work.
    assert ask(tiny, "club.has_owner", "y", current=False) is True


def test_an_optional_question_with_a_current_answer_can_be_cleared(tiny: Checklist) -> None:
    assert ask(tiny, "club.founded", CTRL_U + ENTER, current=dt.date(2001, 2, 3)) is None


# -- Ctrl-C and Ctrl-D are not swallowed -------------------------------------------------------------


@pytest.mark.parametrize(
    "qid",
    ["club.name", "club.kind", "club.has_owner", "club.owner_email", "club.founded", "web.sites"],
)
def test_ctrl_c_raises_keyboard_interrupt_at_every_kind_of_prompt(
    tiny: Checklist, qid: str
) -> None:
    with pytest.raises(KeyboardInterrupt):
        ask(tiny, qid, CTRL_C)


def test_ctrl_c_after_some_typing_still_raises(tiny: Checklist) -> None:
    with pytest.raises(KeyboardInterrupt):
        ask(tiny, "club.name", "Ches" + CTRL_C + ENTER)


def test_ctrl_d_on_an_empty_line_raises_eof_error(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        ask(tiny, "club.name", CTRL_D + "Chess" + ENTER)


@pytest.mark.parametrize(
    ("qid", "then"),
    [
        # After Ctrl-D, keys that would answer the question if Ctrl-D were ignored: so the test
        # cannot pass merely because the pipe ran out of keys.
        ("club.kind", ENTER),
        ("club.has_owner", "y"),
        ("web.sites", " " + ENTER),
        ("club.name", "Chess" + ENTER),
        ("club.founded", ENTER),
    ],
)
def test_ctrl_d_ends_the_interview_at_every_kind_of_prompt(
    tiny: Checklist, qid: str, then: str
) -> None:
    with pytest.raises(EOFError):
        ask(tiny, qid, CTRL_D + then)


def test_ctrl_d_after_some_typing_still_ends_it(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        ask(tiny, "club.name", "Ches" + CTRL_D + ENTER)


def test_ctrl_d_at_review_ends_it(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        review(tiny, READY_ANSWERS, CTRL_D + ENTER)


# -- the review step -----------------------------------------------------------------------------------

READY_ANSWERS: dict[str, Value] = {
    "club.name": "Chess club",
    "club.kind": "sport",
    "club.has_owner": True,
    "club.owner_email": "ann@example.ac.uk",
    "web.sites": ("insta",),
}


def review_rows(checklist: Checklist, answers: dict[str, Value]) -> list[ReviewRow]:
    titles = {s.id: s.title for s in checklist.sections}
    rows = []
    for section in checklist.sections:
        for question in section.questions:
            if question.id in answers or question.id == "club.founded":
                rows.append(ReviewRow(question, titles[section.id], answers.get(question.id)))
    return rows


def review(checklist: Checklist, answers: dict[str, Value], keys: str) -> str | None:
    with keyboard(keys):
        return asker().review(review_rows(checklist, answers), evaluate(checklist, answers))


def test_review_go_on_returns_none(tiny: Checklist) -> None:
    assert review(tiny, READY_ANSWERS, ENTER) is None


def test_review_change_an_answer_returns_the_question_id_by_its_number(tiny: Checklist) -> None:
    rows = review_rows(tiny, READY_ANSWERS)
    assert [r.question.id for r in rows][:3] == ["club.name", "club.kind", "club.has_owner"]
    assert review(tiny, READY_ANSWERS, DOWN + ENTER + "2" + ENTER) == "club.kind"
    assert review(tiny, READY_ANSWERS, DOWN + ENTER + f" {len(rows)} " + ENTER) == "web.sites"


def test_review_enter_at_the_number_goes_back_to_the_menu(tiny: Checklist) -> None:
    # "Change an answer", then Enter with no number: back to "What next?", where Enter goes on.
    assert review(tiny, READY_ANSWERS, DOWN + ENTER + ENTER + ENTER) is None
    # ...or choose again and pick one this time.
    assert (
        review(tiny, READY_ANSWERS, DOWN + ENTER + ENTER + DOWN + ENTER + "3" + ENTER)
        == "club.has_owner"
    )


@pytest.mark.parametrize("bad", ["0", "99", "two", "²", "+1", "-1", "1.0"])
def test_review_refuses_a_number_not_in_the_table(tiny: Checklist, bad: str) -> None:
    with pytest.raises(EOFError):
        review(tiny, READY_ANSWERS, DOWN + ENTER + bad + ENTER)
    fixed = DOWN + ENTER + bad + ENTER + CTRL_U + "1" + ENTER
    assert review(tiny, READY_ANSWERS, fixed) == "club.name"


def test_review_shows_every_answer_and_the_outcome(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {**READY_ANSWERS, "web.sites": ("site",), "web.url": "https://chess.example.org"}
    assert review(tiny, answers, ENTER) is None
    err = capsys.readouterr().err
    for text in ("Chess club", "Sport", "ann@example.ac.uk", "(left blank)", "Website"):
        assert text in err
    assert "Ready for sign-off, with warnings" in err
    assert "Keep it updated." in err


def test_review_when_blocked_offers_to_stop_rather_than_sign_off(tiny: Checklist) -> None:
    answers = {**READY_ANSWERS, "club.has_owner": False}
    del answers["club.owner_email"]
    screen = Screen()
    with screen.typing([("Save the draft and stop here", ENTER)]) as missed:
        choice = asker().review(review_rows(tiny, answers), evaluate(tiny, answers))
    assert missed == []
    assert choice is None
    assert "Go on to sign-off" not in screen.text


def test_ctrl_c_at_review_raises_keyboard_interrupt(tiny: Checklist) -> None:
    with pytest.raises(KeyboardInterrupt):
        review(tiny, READY_ANSWERS, CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        review(tiny, READY_ANSWERS, DOWN + ENTER + CTRL_C)


# -- a whole interview with the real asker ---------------------------------------------------------------


def test_a_whole_interview_with_the_real_asker_and_piped_keys(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    saved: list[Progress] = []

    def save(progress: Progress) -> None:
        saved.append(
            Progress(dict(progress.answers), set(progress.skipped), dict(progress.signoff))
        )

    keys = "".join(
        [
            "Chess club" + ENTER,  # club.name
            DOWN + ENTER,  # club.kind: music
            "y",  # club.has_owner (no Enter)
            "bob@gmail.com" + ENTER + CTRL_U + "ann@example.ac.uk" + ENTER,  # refused, then fixed
            ENTER,  # club.founded: optional, left blank
            ENTER + DOWN + " " + ENTER,  # web.sites: an empty answer refused, then "site"
            "https://chess.example.org" + ENTER,  # web.url (raises a warning)
            # Review: change answer 1 (its current value is offered), then go on.
            DOWN + ENTER + "1" + ENTER + " and Go" + ENTER,
            ENTER,
            # Sign-off.
            "Ann Smith" + ENTER,
            "ann@example.ac.uk" + ENTER,
            "Chair" + ENTER,
            "Chess club" + ENTER,
            "y",
        ]
    )
    interview = Interview(tiny, asker(), Progress(), save=save, today=lambda: TODAY)
    with keyboard(keys):
        outcome = interview.run()
        signoff = interview.sign_off()

    assert interview.progress.answers == {
        "club.name": "Chess club and Go",
        "club.kind": "music",
        "club.has_owner": True,
        "club.owner_email": "ann@example.ac.uk",
        "web.sites": ("site",),
        "web.url": "https://chess.example.org",
    }
    assert interview.progress.skipped == {"club.founded"}
    assert outcome.status.value == "ready-with-warnings"
    assert [f.rule for f in outcome.findings] == ["web.plain-http"]
    assert signoff == SignOff("Ann Smith", "ann@example.ac.uk", "Chair", "Chess club")
    # A save after every answer: the first answer alone is in an early draft.
    assert {"club.name": "Chess club"} in [s.answers for s in saved]
    assert saved[-1].signoff == {
        "name": "Ann Smith",
        "email": "ann@example.ac.uk",
        "role": "Chair",
        "department": "Chess club",
    }
    err = capsys.readouterr().err
    assert "Section 1 of 2: The club" in err
    assert "Section 2 of 2: Online" in err
    assert "Warning (web.plain-http)" in err
    assert "choose at least one" in err
    assert "I confirm these answers are true." in err


def test_the_declaration_refused_gives_no_signoff(tiny: Checklist) -> None:
    progress = Progress(answers=dict(READY_ANSWERS), skipped={"club.founded"})
    interview = Interview(tiny, asker(), progress, save=lambda p: None, today=lambda: TODAY)
    keys = "Ann Smith" + ENTER + "ann@example.ac.uk" + ENTER + "Chair" + ENTER + "Chess" + ENTER
    with keyboard(ENTER + keys + "n"):
        interview.run()
        assert interview.sign_off() is None
    assert interview.progress.signoff["name"] == "Ann Smith"


def test_ctrl_c_mid_interview_propagates_after_the_answers_so_far_are_saved(
    tiny: Checklist,
) -> None:
    saved: list[dict[str, Value]] = []
    interview = Interview(
        tiny, asker(), Progress(), save=lambda p: saved.append(dict(p.answers)), today=lambda: TODAY
    )
    with keyboard("Chess club" + ENTER + ENTER + CTRL_C), pytest.raises(KeyboardInterrupt):
        interview.run()
    assert saved[-1] == {"club.name": "Chess club", "club.kind": "sport"}


def test_a_resumed_interview_asks_only_what_is_unanswered(tiny: Checklist) -> None:
    progress = Progress(answers={"club.name": "Chess club", "club.kind": "sport"})
    interview = Interview(tiny, asker(), progress, save=lambda p: None, today=lambda: TODAY)
    # Had club.name been asked again, "n" would be typed into it and nothing would answer has_owner.
    with keyboard("n" + ENTER + " " + ENTER + ENTER):
        outcome = interview.run()
    assert interview.progress.answers == {
        "club.name": "Chess club",
        "club.kind": "sport",
        "club.has_owner": False,
        "web.sites": ("insta",),
    }
    assert interview.progress.skipped == {"club.founded"}
    assert outcome.status.value == "blocked"

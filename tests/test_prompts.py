"""The questionary asker, driven in process through prompt_toolkit pipe input.

Every test sends its keys into a pipe and closes it: a test that sends too few keys gets ``EOFError``
from the prompt still waiting, instead of hanging. Keys: Enter ``\\r``, Down ``\\x1b[B``, Up ``\\x1b[A``,
Space, Ctrl-C ``\\x03``, Ctrl-D ``\\x04``, Ctrl-U ``\\x15`` (clear the line), Backspace ``\\x7f``,
Shift-Tab ``\\x1b[Z``. Every prompt answers on Enter only; the tests type what a person types: whole
words, numbers, a wrong word, Enter alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from helpers.screen import Screen
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from smcheck.checklist import Checklist, Choice, Question, Value
from smcheck.interview import GoBack, Interview, Position, Progress, ReviewRow
from smcheck.outcome import Finding, Outcome
from smcheck.prompts import QuestionaryAsker, wrap_fragments, yes_no_word
from smcheck.signoff import SignOff
from smcheck.values import check_typed, parse_text

TODAY = dt.date(2026, 11, 2)
POSITION = Position(1, 2, "The club", 2, 5, can_go_back=True)
FIRST = Position(1, 2, "The club", 1, 5, can_go_back=False)

ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"
BACKSPACE = "\x7f"
SHIFT_TAB = "\x1b[Z"


@contextmanager
def keyboard(keys: str) -> Iterator[PipeInput]:
    """Every prompt inside reads ``keys``, then end of input (so too few keys fail, never hang)."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        pipe.close()
        yield pipe


def asker() -> QuestionaryAsker:
    return QuestionaryAsker(today=lambda: TODAY)


def put(
    the_asker: QuestionaryAsker,
    question: Question,
    *,
    current: Value | None = None,
    position: Position = POSITION,
) -> Value | None:
    """Ask ``question`` with the engine's own validators as ``parse`` and ``check``."""
    return the_asker.ask(
        question,
        position=position,
        current=current,
        error=None,
        parse=lambda text: parse_text(question, text, today=TODAY),
        check=lambda value: check_typed(question, value, today=TODAY),
    )


def ask(
    checklist: Checklist,
    qid: str,
    keys: str,
    current: Value | None = None,
    position: Position = POSITION,
) -> Value | None:
    """Ask one question of ``checklist`` with the real asker, answering with ``keys``."""
    question = checklist.question(qid)
    assert question is not None, qid
    with keyboard(keys):
        return put(asker(), question, current=current, position=position)


def many(question: Question, count: int) -> Question:
    """``question`` with ``count`` choices, ``c1`` to ``c<count>``."""
    return question._replace(
        choices=tuple(Choice(f"c{n}", f"Choice {n}") for n in range(1, count + 1))
    )


def ask_many(
    checklist: Checklist, qid: str, count: int, keys: str, current: Value | None = None
) -> Value | None:
    question = checklist.question(qid)
    assert question is not None
    with keyboard(keys):
        return put(asker(), many(question, count), current=current)


# -- yes/no: whole words, taken on Enter ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("yes" + ENTER, True),
        ("YES" + ENTER, True),
        ("Yes" + ENTER, True),
        ("y" + ENTER, True),
        (" No " + ENTER, False),
        ("no" + ENTER, False),
        ("N" + ENTER, False),
    ],
)
def test_yesno_takes_a_whole_word_and_enter(tiny: Checklist, keys: str, expected: bool) -> None:
    assert ask(tiny, "club.has_owner", keys) is expected


@pytest.mark.parametrize("word", ["maybe", "yess", "es", "ye s", "nope", "<"])
def test_yesno_refuses_any_other_word_and_asks_again_in_place(tiny: Checklist, word: str) -> None:
    # Refused: the prompt is still waiting when input ends.
    with pytest.raises(EOFError):
        ask(tiny, "club.has_owner", word + ENTER, position=FIRST)
    # Then cleared and answered properly, at the same prompt.
    assert ask(tiny, "club.has_owner", word + ENTER + CTRL_U + "yes" + ENTER, position=FIRST)


def test_yesno_does_not_answer_on_a_single_key(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        ask(tiny, "club.has_owner", "y")


def test_yesno_refuses_enter_alone_when_there_is_no_answer_yet(tiny: Checklist) -> None:
    # An accidental Enter must not answer a compliance question, either way.
    with pytest.raises(EOFError):
        ask(tiny, "club.has_owner", ENTER)
    assert ask(tiny, "club.has_owner", ENTER + "no" + ENTER) is False


@pytest.mark.parametrize("current", [True, False])
def test_yesno_enter_alone_keeps_the_current_answer(tiny: Checklist, current: bool) -> None:
    assert ask(tiny, "club.has_owner", ENTER, current=current) is current
    assert ask(tiny, "club.has_owner", "yes" + ENTER, current=current) is True


def test_the_yesno_refusal_and_instruction_are_shown_in_the_prompt(tiny: Checklist) -> None:
    question = tiny.question("club.has_owner")
    assert question is not None
    screen = Screen()
    script = [
        ("type yes or no, then Enter", "maybe" + ENTER),
        ("answer yes or no", CTRL_U + "yes" + ENTER),
    ]
    with screen.typing(script) as missed:
        answer = put(asker(), question, position=FIRST)
    assert missed == []
    assert answer is True
    assert "(y/n: type yes or no, then Enter)" in screen.text


def test_yesno_shows_the_current_answer_as_the_default(tiny: Checklist) -> None:
    question = tiny.question("club.has_owner")
    assert question is not None
    screen = Screen()
    with screen.typing([("Enter alone keeps no", ENTER)]) as missed:
        assert put(asker(), question, current=False) is False
    assert missed == []
    assert "y/N" in screen.text
    assert "< and Enter to go back" in screen.text


def test_a_keystroke_never_leaks_into_the_next_prompt(tiny: Checklist) -> None:
    owner = tiny.question("club.has_owner")
    name = tiny.question("club.name")
    assert owner is not None and name is not None
    with keyboard("yes" + ENTER + "Chess" + ENTER):
        first = put(asker(), owner)
        second = put(asker(), name)
    assert first is True
    # The second prompt received exactly its own keys: no "es", no stray Enter.
    assert second == "Chess"


def test_the_yes_no_words() -> None:
    # One rule for every yes/no a person answers (smcheck.qtypes.yes_no_word), plain or full-screen.
    typed = (
        "y",
        " YES ",
        "Yes.",
        "yes!",
        "true",
        "n",
        "No",
        "no.",
        "FALSE",
        "maybe",
        "",
        "yes please",
    )
    assert [yes_no_word(w) for w in typed] == [
        *(True,) * 5,
        *(False,) * 4,
        None,
        None,
        None,
    ]


# -- pick one and tick boxes: numbers as well as arrows ------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("1" + ENTER, "sport"),
        ("2" + ENTER, "music"),
        ("3" + ENTER, "union"),
        # The last number typed wins; arrows move on from it.
        ("3" + "1" + ENTER, "sport"),
        ("1" + DOWN + ENTER, "music"),
    ],
)
def test_a_choice_is_picked_by_its_number(tiny: Checklist, keys: str, expected: str) -> None:
    assert ask(tiny, "club.kind", keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        # A digit out of range, Space, Backspace, Tab: each does nothing but show a hint.
        ("9" + ENTER, "sport"),
        ("0" + ENTER, "sport"),
        (" " + ENTER, "sport"),
        (BACKSPACE + "2" + ENTER, "music"),
        ("\t" + ENTER, "sport"),
    ],
)
def test_a_key_that_does_nothing_changes_nothing_at_a_choice(
    tiny: Checklist, keys: str, expected: str
) -> None:
    assert ask(tiny, "club.kind", keys) == expected


# -- a choice by its name: typed as a person types it, never the pointed choice in its place -----------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("music" + ENTER, "music"),
        ("Music" + ENTER, "music"),
        ("mus" + ENTER, "music"),  # the start of one choice's name
        ("run by the union" + ENTER, "union"),
        ("union" + ENTER, "union"),  # a word of its label (and its value)
        (DOWN + DOWN + "sport" + ENTER, "sport"),  # the name, not where the pointer was
        ("musx" + BACKSPACE + "ic" + ENTER, "music"),  # Backspace edits the name
        ("chess" + ENTER + CTRL_U + "2" + ENTER, "music"),  # refused; Ctrl-U clears it
        ("chess" + ENTER + BACKSPACE * 5 + DOWN + ENTER, "music"),
        ("chess" + DOWN + ENTER, "music"),  # an arrow after a name: the pointer is the answer
    ],
)
def test_a_choice_is_picked_by_its_name(tiny: Checklist, keys: str, expected: str) -> None:
    assert ask(tiny, "club.kind", keys) == expected


@pytest.mark.parametrize("name", ["x", "chess", "s", "Sport club"])
def test_a_name_that_is_no_choice_is_refused_and_never_takes_the_pointed_one(
    tiny: Checklist, name: str
) -> None:
    # Before, a word typed at a list was ignored and Enter took the pointed choice: "facebook" and
    # Enter recorded Instagram. Now it is refused in place, and the prompt still waits (EOFError).
    with pytest.raises(EOFError):
        ask(tiny, "club.kind", name + ENTER)


def test_a_name_being_typed_is_shown_with_what_enter_does(tiny: Checklist) -> None:
    question = tiny.question("club.kind")
    assert question is not None
    screen = Screen()
    script = [("type its number or name, or use ↑↓, then Enter", "chess")]
    script += [("chess (Enter takes it; Backspace to change it)", ENTER)]
    script += [("type the number of your choice, from 1 to 3, or the choice in full", CTRL_U)]
    script += [("type its number or name, or use ↑↓, then Enter", "mus")]
    script += [("mus (Enter takes it", ENTER)]
    with screen.typing(script) as missed:
        assert put(asker(), question) == "music"
    assert missed == []


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("instagram and website" + ENTER, ("insta", "site")),
        ("website, instagram" + ENTER, ("insta", "site")),
        ("web" + ENTER, ("site",)),
        ("1" + "website" + ENTER, ("insta", "site")),  # a number ticked, then a name
        ("2" + "website" + ENTER, ("site",)),  # named again: stays ticked
    ],
)
def test_boxes_are_ticked_by_their_names(
    tiny: Checklist, keys: str, expected: tuple[str, ...]
) -> None:
    assert ask(tiny, "web.sites", keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("1" + ENTER, "c1"),
        ("9" + ENTER, "c9"),
        # Digits build a number: 1 then 2 is 12.
        ("1" + "2" + ENTER, "c12"),
        ("1" + "0" + ENTER, "c10"),
        # 2 cannot start a longer number of 12 choices: complete at once, and the next digit starts anew.
        ("2" + "1" + ENTER, "c1"),
        # 1 then 3: 13 is not a choice, so 3 starts a new number.
        ("1" + "3" + ENTER, "c3"),
        ("1" + DOWN + ENTER, "c2"),
    ],
)
def test_more_than_nine_choices_are_picked_by_a_number_of_several_digits(
    tiny: Checklist, keys: str, expected: str
) -> None:
    assert ask_many(tiny, "club.kind", 12, keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("1" + "3" + ENTER, ("c1", "c3")),
        ("3" + "1" + ENTER, ("c1", "c3")),
        # A number typed twice is ticked, then unticked.
        ("3" + "3" + ENTER, None),
        ("1" + "3" + "3" + ENTER, ("c1",)),
        # Numbers, Space and arrows together.
        ("2" + DOWN + " " + ENTER, ("c2", "c3")),
        # A space or comma right after a number separates numbers, as a person types a list.
        ("2" + " " + ENTER, ("c2",)),
        ("1 3" + ENTER, ("c1", "c3")),
        ("1,3" + ENTER, ("c1", "c3")),
        ("1, 3" + ENTER, ("c1", "c3")),
        ("1" + DOWN + DOWN + " " + ENTER, ("c1", "c3")),  # Space not after a number ticks
    ],
)
def test_a_box_is_ticked_and_unticked_by_its_number(
    tiny: Checklist, keys: str, expected: tuple[str, ...] | None
) -> None:
    if expected is None:  # nothing ticked: refused in place, still waiting
        with pytest.raises(EOFError):
            ask_many(tiny, "web.sites", 4, keys)
        return
    assert ask_many(tiny, "web.sites", 4, keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("1" + "2" + ENTER, ("c12",)),
        ("1" + ENTER, ("c1",)),
        ("1" + " " + ENTER, ("c1",)),  # Space completes the number: 1 is ticked, not ticked twice
        ("1" + DOWN + " " + ENTER, ("c1", "c2")),
        ("5" + "1" + "1" + ENTER, ("c5", "c11")),
        ("1" + "2" + "1" + "2" + ENTER, None),
    ],
)
def test_more_than_nine_boxes_are_ticked_by_a_whole_number(
    tiny: Checklist, keys: str, expected: tuple[str, ...] | None
) -> None:
    if expected is None:
        with pytest.raises(EOFError):
            ask_many(tiny, "web.sites", 12, keys)
        return
    assert ask_many(tiny, "web.sites", 12, keys) == expected


def test_a_name_that_is_no_box_ticks_nothing_and_is_refused(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        ask_many(tiny, "web.sites", 4, "1" + "a" + "i" + "x" + ENTER)
    assert ask_many(tiny, "web.sites", 4, "1" + "aix" + CTRL_U + ENTER) == ("c1",)


def test_a_key_that_does_nothing_shows_a_hint_in_the_prompt(tiny: Checklist) -> None:
    question = tiny.question("club.kind")
    assert question is not None
    screen = Screen()
    script = [
        ("type its number or name, or use ↑↓, then Enter", "\t"),
        ("type a number from 1 to 3", "2"),
    ]
    script += [("Music", ENTER)]
    with screen.typing(script) as missed:
        assert put(asker(), question) == "music"
    assert missed == []


def test_the_instructions_say_how_to_answer_each_kind_of_prompt(tiny: Checklist) -> None:
    expected = {
        "club.kind": "(type its number or name, or use ↑↓, then Enter; < to go back)",
        "web.sites": "(type numbers or names, or Space to tick; ↑↓ to move, Enter when done; < to go back)",
        "club.name": "(type your answer, then Enter; < and Enter to go back)",
        "club.founded": "(a date as YYYY-MM-DD, then Enter; optional: Enter alone leaves it",
    }
    for qid, words in expected.items():
        question = tiny.question(qid)
        assert question is not None
        screen = Screen()
        with screen.typing([(words, CTRL_C)]) as missed, pytest.raises(KeyboardInterrupt):
            put(asker(), question)
        assert missed == [], qid


def test_a_text_line_holding_an_answer_says_shift_tab_goes_back(tiny: Checklist) -> None:
    question = tiny.question("club.name")
    assert question is not None
    screen = Screen()
    script = [("(type your answer, then Enter; Shift-Tab to go back)", SHIFT_TAB)]
    with screen.typing(script) as missed, pytest.raises(GoBack):
        put(asker(), question, current="Chess")
    assert missed == []


def test_choices_are_numbered_on_screen(tiny: Checklist) -> None:
    question = tiny.question("club.kind")
    assert question is not None
    screen = Screen()
    with screen.typing([("3. Run by the union", "3" + ENTER)]) as missed:
        assert put(asker(), question) == "union"
    assert missed == []
    assert "1. Sport" in screen.text and "2. Music" in screen.text


# -- going back -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "keys"),
    [
        ("club.name", "<" + ENTER),
        ("club.name", " < " + ENTER),
        ("club.name", "Ches" + SHIFT_TAB),
        ("club.has_owner", "<" + ENTER),
        ("club.has_owner", SHIFT_TAB),
        ("club.kind", "<"),
        ("club.kind", "2" + SHIFT_TAB),
        ("web.sites", "1" + "<"),
        ("web.sites", SHIFT_TAB),
        ("club.founded", "<" + ENTER),
    ],
)
def test_going_back_raises_go_back_at_every_kind_of_prompt(
    tiny: Checklist, qid: str, keys: str
) -> None:
    with pytest.raises(GoBack):
        ask(tiny, qid, keys)


def test_going_back_from_a_changed_answer_keeps_nothing_typed(tiny: Checklist) -> None:
    # A current answer is in the line: "<" typed after it is part of the text, not a request to go
    # back; cleared first, it is.
    with pytest.raises(GoBack):
        ask(tiny, "club.name", CTRL_U + "<" + ENTER, current="Chess")


@pytest.mark.parametrize(
    ("qid", "keys", "expected"),
    [
        # At the first question "<" is only text: judged like any answer.
        ("club.name", "<" + ENTER + CTRL_U + "Chess" + ENTER, "Chess"),
        ("club.has_owner", "<" + ENTER + CTRL_U + "no" + ENTER, False),
        # The keys do nothing but show a hint.
        ("club.name", SHIFT_TAB + "Chess" + ENTER, "Chess"),
        ("club.has_owner", SHIFT_TAB + "yes" + ENTER, True),
        ("club.kind", "<" + SHIFT_TAB + "2" + ENTER, "music"),
        ("web.sites", "<" + SHIFT_TAB + "2" + ENTER, ("site",)),
    ],
)
def test_there_is_no_going_back_from_the_first_question(
    tiny: Checklist, qid: str, keys: str, expected: Value
) -> None:
    assert ask(tiny, qid, keys, position=FIRST) == expected


def test_going_back_from_the_first_question_says_why_not(tiny: Checklist) -> None:
    question = tiny.question("club.kind")
    assert question is not None
    screen = Screen()
    with screen.typing([("Sport", "<"), ("this is the first question", ENTER)]) as missed:
        assert put(asker(), question, position=FIRST) == "sport"
    assert missed == []
    assert "< to go back" not in screen.text  # not offered where it cannot be done


# -- text, email, url, date -------------------------------------------------------------------------


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
        ("club.founded", "3 Mars 2001", CTRL_U + "2001-03-03", dt.date(2001, 3, 3)),
        ("club.founded", "03/03/01", CTRL_U + "3 March 2001", dt.date(2001, 3, 3)),
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
        answer = put(asker(), question)
    assert missed == []
    assert answer == "bob@example.ac.uk"


def test_a_required_text_question_refuses_a_blank_answer(tiny: Checklist) -> None:
    with pytest.raises(EOFError):
        ask(tiny, "club.name", ENTER)
    assert ask(tiny, "club.name", ENTER + "Chess" + ENTER) == "Chess"


def test_an_empty_multi_answer_is_refused_in_place_with_its_reason(tiny: Checklist) -> None:
    question = tiny.question("web.sites")
    assert question is not None
    with keyboard(ENTER), pytest.raises(EOFError):
        put(asker(), question)
    # Shown in the prompt line itself, not in a bottom toolbar that a terminal without
    # cursor-position reports never draws; the same prompt then takes the corrected answer.
    screen = Screen()
    with screen.typing([("Instagram", ENTER), ("choose at least one", "2" + ENTER)]) as missed:
        assert put(asker(), question) == ("site",)
    assert missed == []


def test_a_refused_multi_answer_keeps_its_ticks(tiny: Checklist) -> None:
    """A multi question with ``max_items``: the refused selection stays ticked; one untick fixes it."""
    question = tiny.question("web.sites")
    assert question is not None
    limited = question._replace(validate=question.validate._replace(max_items=1))
    screen = Screen()
    # Both ticked: refused. Still both ticked; 1 unticks the first.
    script = [("Website", "1" + "2" + ENTER), ("choose at most 1", "1" + ENTER)]
    with screen.typing(script) as missed:
        answer = put(asker(), limited)
    assert missed == []
    assert answer == ("site",)


def test_a_choice_refused_by_the_engine_is_shown_and_asked_again_in_place(tiny: Checklist) -> None:
    """``check`` is the engine's (with its cross-answer rules): whatever it refuses is refused here."""
    question = tiny.question("club.kind")
    assert question is not None

    def check(value: object) -> Value:
        if value == "music":
            from smcheck.values import AnswerError

            raise AnswerError("the music office is closed")
        return check_typed(question, value, today=TODAY)

    screen = Screen()
    script = [("Music", "2" + ENTER), ("the music office is closed", "1" + ENTER)]
    with screen.typing(script) as missed:
        answer = asker().ask(
            question,
            position=POSITION,
            current=None,
            error=None,
            parse=lambda text: parse_text(question, text, today=TODAY),
            check=check,
        )
    assert missed == []
    assert answer == "sport"


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
    # Yes/no: the current answer is kept by Enter alone; a word changes it.
    assert ask(tiny, "club.has_owner", "yes" + ENTER, current=False) is True


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
        ("club.has_owner", "yes" + ENTER),
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
BLOCKED_ANSWERS: dict[str, Value] = {
    "club.name": "Chess club",
    "club.kind": "sport",
    "club.has_owner": False,
    "web.sites": ("insta", "site"),
    "web.url": "https://chess.example.org",
}
"""A blocker (no owner, row 3) and a warning (the website, row 6)."""


def rows_and_outcome(
    checklist: Checklist, answers: dict[str, Value]
) -> tuple[list[ReviewRow], Outcome]:
    """The rows and outcome the engine gives the review for these answers."""
    progress = Progress(answers=dict(answers), skipped={"club.founded"})
    interview = Interview(checklist, asker(), progress, save=lambda p: None, today=lambda: TODAY)
    return interview.review_rows(), interview.outcome()


def review(
    checklist: Checklist,
    answers: dict[str, Value],
    keys: str,
    changed: frozenset[str] | None = None,
) -> list[str]:
    rows, outcome = rows_and_outcome(checklist, answers)
    with keyboard(keys):
        return asker().review(rows, outcome, changed=changed)


def test_review_go_on_returns_nothing_to_ask_again(tiny: Checklist) -> None:
    assert review(tiny, READY_ANSWERS, ENTER) == []
    assert review(tiny, READY_ANSWERS, "1" + ENTER) == []


def test_review_change_an_answer_returns_the_question_id_by_its_row_number(tiny: Checklist) -> None:
    rows, _ = rows_and_outcome(tiny, READY_ANSWERS)
    assert [r.question.id for r in rows][:3] == ["club.name", "club.kind", "club.has_owner"]
    assert review(tiny, READY_ANSWERS, DOWN + ENTER + "2" + ENTER) == ["club.kind"]
    assert review(tiny, READY_ANSWERS, "2" + ENTER + f" {len(rows)} " + ENTER) == ["web.sites"]
    assert review(tiny, READY_ANSWERS, "change" + ENTER + "2" + ENTER) == ["club.kind"]  # by name


def test_review_enter_at_the_number_goes_back_to_the_menu(tiny: Checklist) -> None:
    # "Change an answer", then Enter with no number: back to "What next?", where Enter goes on.
    assert review(tiny, READY_ANSWERS, "2" + ENTER + ENTER + ENTER) == []
    # ...or choose again and pick one this time; Shift-Tab also goes back to the menu.
    keys = "2" + ENTER + SHIFT_TAB + "2" + ENTER + "3" + ENTER
    assert review(tiny, READY_ANSWERS, keys) == ["club.has_owner"]


@pytest.mark.parametrize("bad", ["0", "99", "two", "²", "+1", "-1", "1.0"])
def test_review_refuses_a_number_not_in_the_table(tiny: Checklist, bad: str) -> None:
    with pytest.raises(EOFError):
        review(tiny, READY_ANSWERS, "2" + ENTER + bad + ENTER)
    fixed = "2" + ENTER + bad + ENTER + CTRL_U + "1" + ENTER
    assert review(tiny, READY_ANSWERS, fixed) == ["club.name"]


def test_review_goes_through_the_flagged_answers_in_row_order(tiny: Checklist) -> None:
    rows, outcome = rows_and_outcome(tiny, BLOCKED_ANSWERS)
    flagged = [r.question.id for r in rows if r.findings]
    assert flagged == ["club.has_owner", "web.url"]
    screen = Screen()
    with screen.typing([("Go through the flagged answers (2)", "3" + ENTER)]) as missed:
        assert asker().review(rows, outcome, changed=None) == flagged
    assert missed == []


def test_review_offers_no_flagged_answers_when_there_are_none(tiny: Checklist) -> None:
    rows, outcome = rows_and_outcome(tiny, READY_ANSWERS)
    screen = Screen()
    with screen.typing([("Show all answers", "3" + ENTER), ("Show all answers", ENTER)]) as missed:
        assert asker().review(rows, outcome, changed=None) == []
    assert missed == []
    assert "flagged" not in screen.text


def test_review_shows_rows_under_their_sections_with_the_level_of_each_flag(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    assert review(tiny, BLOCKED_ANSWERS, ENTER) == []
    err = capsys.readouterr().err
    assert err.index("The club") < err.index("1. Club name?") < err.index("Online")
    assert err.index("Online") < err.index("5. Where will it post?")
    # The flagged rows say their level in words, not in colour alone.
    assert "BLOCKER: No owner." in err
    assert "WARNING: A website needs looking after." in err
    for text in ("Chess club", "Sport", "(left blank)", "Instagram, Website"):
        assert text in err
    # The summary names the row that changes each finding.
    assert "Blocked: fix the items below" in err
    assert "row 3: Is there a named owner?" in err
    assert "row 6: Website address?" in err


def test_review_after_a_change_shows_only_what_changed(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = frozenset({"web.url"})
    assert review(tiny, BLOCKED_ANSWERS, ENTER, changed=changed) == []
    err = capsys.readouterr().err
    assert "6. Website address?" in err
    assert "Online" in err
    assert "Club name?" not in err.split("Blocked:")[0]
    assert "1 answer changed; choose 'Show all answers' to see the rest." in err


def test_review_show_all_answers_shows_every_row_then_the_menu_again(
    tiny: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = frozenset({"web.url", "club.has_owner"})
    assert review(tiny, BLOCKED_ANSWERS, "4" + ENTER + "2" + ENTER + "1" + ENTER, changed) == [
        "club.name"
    ]
    err = capsys.readouterr().err
    assert "2 answers changed" in err
    assert err.count("Website address?") >= 2  # the changed rows, then all the rows
    assert "1. Club name?" in err


def test_review_when_blocked_offers_to_stop_rather_than_sign_off(tiny: Checklist) -> None:
    rows, outcome = rows_and_outcome(tiny, BLOCKED_ANSWERS)
    screen = Screen()
    with screen.typing([("Save the draft and stop here", ENTER)]) as missed:
        assert asker().review(rows, outcome, changed=None) == []
    assert missed == []
    assert "Go on to sign-off" not in screen.text


def test_the_review_menu_hints_at_a_key_that_does_nothing(tiny: Checklist) -> None:
    rows, outcome = rows_and_outcome(tiny, READY_ANSWERS)
    screen = Screen()
    script = [("What next?", "<"), ("choose 'Change an answer'", "9"), ("from 1 to 3", ENTER)]
    with screen.typing(script) as missed:
        assert asker().review(rows, outcome, changed=None) == []
    assert missed == []


def test_ctrl_c_at_review_raises_keyboard_interrupt(tiny: Checklist) -> None:
    with pytest.raises(KeyboardInterrupt):
        review(tiny, READY_ANSWERS, CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        review(tiny, READY_ANSWERS, "2" + ENTER + CTRL_C)


# -- a referral, the sign-off ---------------------------------------------------------------------------


def referral(checklist: Checklist) -> Finding:
    _, outcome = rows_and_outcome(checklist, {**READY_ANSWERS, "club.kind": "union"})
    return next(f for f in outcome.findings if f.rule == "club.union-run")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("yes" + ENTER, True),
        (" NO " + ENTER, False),
        ("y" + ENTER, True),
        (ENTER + "maybe" + ENTER + CTRL_U + "n" + ENTER, False),
    ],
)
def test_offer_stop_takes_whole_words(tiny: Checklist, keys: str, expected: bool) -> None:
    with keyboard(keys):
        assert asker().offer_stop(tiny, referral(tiny)) is expected


def test_offer_stop_refuses_enter_alone(tiny: Checklist) -> None:
    with keyboard(ENTER), pytest.raises(EOFError):
        asker().offer_stop(tiny, referral(tiny))


def test_offer_stop_says_where_the_channel_is_referred(tiny: Checklist) -> None:
    screen = Screen()
    with screen.typing([("referred to the union", "no" + ENTER)]) as missed:
        assert asker().offer_stop(tiny, referral(tiny)) is False
    assert missed == []
    assert "End the interview now" in screen.text


def test_the_declaration_is_shown_once(tiny: Checklist, capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(answers=dict(READY_ANSWERS), skipped={"club.founded"})
    interview = Interview(tiny, asker(), progress, save=lambda p: None, today=lambda: TODAY)
    keys = "Ann Smith" + ENTER + "ann@example.ac.uk" + ENTER + "Chair" + ENTER + "Chess" + ENTER
    with keyboard(keys + "yes" + ENTER):
        assert interview.sign_off() is not None
    assert capsys.readouterr().err.count("I confirm these answers are true.") == 1


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
            "2" + ENTER,  # club.kind: music, by its number
            "maybe" + ENTER + CTRL_U + "yes" + ENTER,  # club.has_owner: refused, then yes
            "bob@gmail.com" + ENTER + CTRL_U + "ann@example.ac.uk" + ENTER,  # refused, then fixed
            ENTER,  # club.founded: optional, left blank
            ENTER + "2" + ENTER,  # web.sites: an empty answer refused, then "site" by its number
            "https://chess.example.org" + ENTER,  # web.url (raises a warning)
            # Review: change answer 1 (its current value is offered), then go on.
            "2" + ENTER + "1" + ENTER + " and Go" + ENTER,
            ENTER,
            # Sign-off.
            "Ann Smith" + ENTER,
            "ann@example.ac.uk" + ENTER,
            "Chair" + ENTER,
            "Chess club" + ENTER,
            "yes" + ENTER,
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
    # Counted over the whole checklist: "named owner?" still open counts as yes, so its follow-up too.
    assert "Question 1 of about 6 · Section 1 of 2: The club" in err
    assert "Warning (web.plain-http)" in err
    assert "1 answer changed; choose 'Show all answers'" in err
    assert "I confirm these answers are true." in err


def test_going_back_in_a_whole_interview_keeps_the_answers(tiny: Checklist) -> None:
    keys = "".join(
        [
            "Chess club" + ENTER,
            "2" + ENTER,  # music
            SHIFT_TAB,  # at has_owner: back to club.kind
            "1" + ENTER,  # sport instead
            "yes" + ENTER,  # has_owner
            "<" + ENTER,  # at owner_email: back to has_owner, its answer kept
            ENTER,  # keep yes
            "ann@example.ac.uk" + ENTER,
            ENTER,  # founded: blank
            "1" + ENTER,  # instagram
            ENTER,  # review: go on
        ]
    )
    interview = Interview(tiny, asker(), Progress(), save=lambda p: None, today=lambda: TODAY)
    with keyboard(keys):
        interview.run()
    assert interview.progress.answers == {
        "club.name": "Chess club",
        "club.kind": "sport",
        "club.has_owner": True,
        "club.owner_email": "ann@example.ac.uk",
        "web.sites": ("insta",),
    }


def test_the_declaration_refused_gives_no_signoff(tiny: Checklist) -> None:
    progress = Progress(answers=dict(READY_ANSWERS), skipped={"club.founded"})
    interview = Interview(tiny, asker(), progress, save=lambda p: None, today=lambda: TODAY)
    keys = "Ann Smith" + ENTER + "ann@example.ac.uk" + ENTER + "Chair" + ENTER + "Chess" + ENTER
    with keyboard(ENTER + keys + "no" + ENTER):
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
    # Had club.name been asked again, "no" would be typed into it and nothing would answer has_owner.
    with keyboard("no" + ENTER + ENTER + "1" + ENTER + ENTER):
        outcome = interview.run()
    assert interview.progress.answers == {
        "club.name": "Chess club",
        "club.kind": "sport",
        "club.has_owner": False,
        "web.sites": ("insta",),
    }
    assert interview.progress.skipped == {"club.founded"}
    assert outcome.status.value == "blocked"


# -- wrapping ---------------------------------------------------------------------------------------


def test_wrap_fragments_breaks_only_between_words_and_keeps_styles() -> None:
    fragments = [
        ("a", "? "),
        ("b", "Has the administrator agreed to the channel? "),
        ("c", "(y/n)"),
    ]
    wrapped = wrap_fragments(fragments, 25)  # 24 columns and one left free
    text = "".join(t for _, t in wrapped)
    assert text.split("\n") == [
        "? Has the administrator",
        "  agreed to the channel?",
        "  (y/n)",
    ]
    assert {style for style, _ in wrapped} == {"a", "b", "c"}

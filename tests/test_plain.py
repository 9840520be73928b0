"""The plain asker (screen readers, braille displays, TERM=dumb), driven with io.StringIO streams.

What is typed is what a person types: whole words, numbers, a wrong word, Enter alone. Every test checks
the answer returned (what the record would hold), the lines said, and that nothing was written that moves
the cursor or erases: no ESC byte at all.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence

import pytest
from helpers.records import EXAMPLE_ANSWERS, FIXED_ID, FIXED_NOW

from smcheck import registry
from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist, Level, QType, Question, Value
from smcheck.interview import GoBack, Interview, Position, Progress, ReviewRow
from smcheck.layout import render
from smcheck.outcome import Finding, Outcome, Status, derived, evaluate, visible
from smcheck.plain import PlainAsker, reason, wanted
from smcheck.record import build_record
from smcheck.values import as_text, check_typed, parse_text
from smcheck.verify import verify_bytes

TODAY = dt.date(2026, 11, 2)
FIRST = Position(1, 9, "The channel", 1, 45, can_go_back=False)
LATER = Position(4, 9, "How the channel will be used", 12, 45, can_go_back=True)


def typed(*lines: str) -> io.StringIO:
    """What a person types: each line ended by Enter, then end of input."""
    return io.StringIO("".join(line + "\n" for line in lines))


def plain_output(out: io.StringIO) -> str:
    """The output, checked to hold no escape sequence of any kind (no cursor movement, no erase)."""
    text = out.getvalue()
    assert "\x1b" not in text
    assert "\r" not in text
    return text


def question(checklist: Checklist, qid: str) -> Question:
    found = checklist.question(qid)
    assert found is not None, qid
    return found


def ask(
    checklist: Checklist,
    qid: str,
    *lines: str,
    position: Position = LATER,
    current: Value | None = None,
    error: str | None = None,
    width: int | None = None,
) -> tuple[Value | None, str]:
    """Ask one real question with the engine's validators; the answer and everything said."""
    q = question(checklist, qid)
    out = io.StringIO()
    asker = PlainAsker(typed(*lines), out, width=width)
    value = asker.ask(
        q,
        position=position,
        current=current,
        error=error,
        parse=lambda text: parse_text(q, text, today=TODAY),
        check=lambda v: check_typed(q, v, today=TODAY),
    )
    return value, plain_output(out)


# -- wanted ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (False, {}, False),
        (True, {}, True),
        (True, {"SMCHECK_PLAIN": "0"}, True),
        (False, {"SMCHECK_PLAIN": "1"}, True),
        (False, {"SMCHECK_PLAIN": "yes"}, True),
        (False, {"SMCHECK_PLAIN": "0"}, False),
        (False, {"SMCHECK_PLAIN": "False"}, False),
        (False, {"SMCHECK_PLAIN": "no"}, False),
        (False, {"SMCHECK_PLAIN": ""}, False),
        (False, {"ACCESSIBLE": "1"}, True),
        (False, {"ACCESSIBLE": "true"}, True),
        (False, {"ACCESSIBLE": "0"}, False),
        (False, {"ACCESSIBLE": "NO"}, False),
        (False, {"ACCESSIBLE": " "}, False),
        (False, {"TERM": "dumb"}, True),
        (False, {"TERM": "xterm-256color"}, False),
        (False, {"TERM": "dumb", "SMCHECK_PLAIN": "0"}, False),  # smcheck's own setting decides
        (False, {"ACCESSIBLE": "1", "SMCHECK_PLAIN": "false"}, False),
        (False, {"ACCESSIBLE": "0", "TERM": "dumb"}, True),
    ],
)
def test_wanted(flag: bool, environ: dict[str, str], expected: bool) -> None:
    assert wanted(flag, environ) is expected


# -- yes/no ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("yes", True),
        ("YES", True),
        ("y", True),
        ("Y", True),
        ("no", False),
        ("No", False),
        ("n", False),
    ],
)
def test_yesno_takes_whole_words_and_letters(essex: Checklist, word: str, expected: bool) -> None:
    value, out = ask(essex, "administrator.accepts", f"  {word} ")
    assert value is expected
    assert f"Recorded: {'yes' if expected else 'no'}\n" in out


def test_yesno_question_is_printed_once_with_everything(essex: Checklist) -> None:
    q = question(essex, "administrator.accepts")
    value, out = ask(essex, "administrator.accepts", "yes")
    assert value is True
    lines = out.splitlines()
    assert lines[:6] == [
        "",
        "Question 12 of about 45. Section 4 of 9: How the channel will be used.",
        q.prompt,
        q.help,
        "Policy: ADMINISTRATOR.",
        "Type yes or no. Type < to go back.",
    ]
    assert lines[6] == "Answer: "
    assert lines[7] == "Recorded: yes"
    assert out.count(q.prompt) == 1


def test_yesno_refuses_anything_else_and_asks_again(essex: Checklist) -> None:
    q = question(essex, "administrator.accepts")
    value, out = ask(essex, "administrator.accepts", "maybe", "ok", "yes please", "", "no")
    assert value is False
    assert out.count("Not recorded: type yes or no.\n") == 4
    assert out.count(f"{q.prompt} Type yes or no.\n") == 4  # the prompt restated, briefly
    assert out.count(q.help) == 1
    assert out.endswith("Recorded: no\n")


def test_yesno_enter_keeps_the_current_answer(essex: Checklist) -> None:
    value, out = ask(essex, "administrator.accepts", "", current=True)
    assert value is True
    assert "Press Enter to keep: yes\n" in out
    assert out.endswith("Recorded: yes\n")


def test_yesno_current_answer_can_be_changed(essex: Checklist) -> None:
    value, out = ask(essex, "administrator.has_deputy", "n", current=True)
    assert value is False
    assert "Press Enter to keep: yes\n" in out
    assert out.endswith("Recorded: no\n")


# -- pick one -------------------------------------------------------------------------------------


def test_choice_is_a_numbered_list_answered_by_number(essex: Checklist) -> None:
    q = question(essex, "channel.platform")
    value, out = ask(essex, "channel.platform", "2", position=FIRST)
    assert value == "facebook"
    lines = out.splitlines()
    listed = [f"{n}. {c.label}" for n, c in enumerate(q.choices, start=1)]
    start = lines.index(listed[0])
    assert lines[start : start + len(listed)] == listed
    assert "1. Instagram" in lines
    assert lines[start + len(listed)] == (
        f"Type the number of your choice, from 1 to {len(listed)}."
        " You can also type the choice in full."
    )
    assert "to go back" not in out  # the first question
    assert out.endswith("Recorded: Facebook\n")  # the label, not the value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("instagram", "instagram"),
        ("LinkedIn", "linkedin"),
        ("x (formerly twitter)", "x"),
        ("X", "x"),
        ("2.", "facebook"),  # the number as the list shows it
        ("2)", "facebook"),
        ("insta", "instagram"),  # the start of one choice's name
        ("twitter", "x"),  # the start of a word of one choice's name
    ],
)
def test_choice_also_takes_its_label_or_value_in_full(
    essex: Checklist, text: str, expected: str
) -> None:
    value, _ = ask(essex, "channel.platform", text)
    assert value == expected


def test_choice_refuses_a_wrong_number_or_word(essex: Checklist) -> None:
    q = question(essex, "channel.platform")
    count = len(q.choices)
    value, out = ask(essex, "channel.platform", "0", str(count + 1), "myspace", "²", "", "1")
    assert value == "instagram"
    assert f"Not recorded: there is no choice 0; type a number from 1 to {count}.\n" in out
    assert (
        f"Not recorded: there is no choice {count + 1}; type a number from 1 to {count}.\n" in out
    )
    assert (
        out.count(
            f"Not recorded: type the number of your choice, from 1 to {count}, or the choice in full.\n"
        )
        == 2
    )  # "myspace" and "²"
    assert f"Not recorded: an answer is needed; type a number from 1 to {count}.\n" in out
    assert out.count(f"{q.prompt} Type the number of your choice, from 1 to {count}.\n") == 5
    assert out.count("1. Instagram") == 1  # the list is not reprinted
    assert out.endswith("Recorded: Instagram\n")


def test_choice_enter_keeps_the_current_answer(essex: Checklist) -> None:
    value, out = ask(essex, "channel.platform", "", current="youtube")
    assert value == "youtube"
    assert "Press Enter to keep: YouTube\n" in out
    assert out.endswith("Recorded: YouTube\n")


# -- tick boxes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1,3", "1, 3", "1 3", "3,1", " 3  1 ", "1,,3,", "1. 3.", "1) 3)"])
def test_multi_takes_numbers_separated_by_commas_or_spaces(essex: Checklist, text: str) -> None:
    q = question(essex, "channel.audiences")
    value, out = ask(essex, "channel.audiences", text)
    assert value == (q.choices[0].value, q.choices[2].value)  # in the checklist's order
    assert out.endswith(f"Recorded: {q.choices[0].label}, {q.choices[2].label}\n")
    assert (
        "Type the numbers of every choice that applies, separated by commas, for example 1,3."
        " Type < to go back.\n" in out
    )


def test_multi_takes_labels_in_full(essex: Checklist) -> None:
    value, _ = ask(essex, "channel.audiences", "alumni, University staff, 1")
    assert value == ("prospective-students", "alumni", "staff")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("1 and 3", ("prospective-students", "alumni")),
        ("1, 2, and 3", ("prospective-students", "current-students", "alumni")),
        ("1 2 & 3", ("prospective-students", "current-students", "alumni")),
        ("1&3", ("prospective-students", "alumni")),
        ("Current students and alumni", ("current-students", "alumni")),
        ("current students AND Alumni & 7", ("current-students", "alumni", "public")),
        # A label that holds "and" is taken whole, alone or beside others.
        ("Partner organisations and employers", ("partners",)),
        ("alumni and partner organisations and employers", ("alumni", "partners")),
        (
            "Researchers and the wider academic community and partner organisations and employers",
            ("researchers", "partners"),
        ),
    ],
)
def test_multi_takes_and_between_numbers_and_choices(
    essex: Checklist, text: str, meant: tuple[str, ...]
) -> None:
    value, _ = ask(essex, "channel.audiences", text)
    assert value == meant


def test_multi_refuses_wrong_numbers_and_words(essex: Checklist) -> None:
    q = question(essex, "channel.audiences")
    count = len(q.choices)
    value, out = ask(essex, "channel.audiences", "1,9", "1,1", "students", "pupils", ",", "", "7")
    assert value == ("public",)
    assert f"Not recorded: there is no choice 9; type numbers from 1 to {count}.\n" in out
    assert "Not recorded: choice 1 is typed twice.\n" in out
    assert (
        "Not recorded: 'students' could be 1. Prospective students (and their families) or 2."
        " Current students: type more of it, or its number.\n" in out
    )
    assert (
        "Not recorded: type the numbers of the choices from the list, separated by commas,"
        " for example 1,3.\n" in out
    )
    assert "Not recorded: choose at least one.\n" in out  # the engine's validator, for ","
    assert (
        "Not recorded: an answer is needed; type the numbers of every choice that applies,"
        " separated by commas.\n" in out
    )
    assert out.endswith("Recorded: The general public\n")


def test_multi_enter_keeps_the_ticked_answers(essex: Checklist) -> None:
    value, out = ask(essex, "channel.audiences", "", current=("staff", "public"))
    assert value == ("staff", "public")
    assert "Press Enter to keep: University staff, The general public\n" in out


# -- text, email, url, date -----------------------------------------------------------------------


def test_text_is_parsed_by_the_engine_and_read_back(essex: Checklist) -> None:
    value, out = ask(essex, "channel.name", "x", "  Essex History  ")
    assert value == "Essex History"
    assert "Type your answer on one line. Type < to go back.\n" in out
    assert "Not recorded: the answer is too short; at least 2 characters are needed.\n" in out
    assert out.endswith("Recorded: Essex History\n")


def test_email_refusal_names_the_domain(essex: Checklist) -> None:
    value, out = ask(essex, "administrator.email", "h.marsh@gmail.com", "h.marsh@essex.ac.uk")
    assert value == "h.marsh@essex.ac.uk"
    assert "Type an email address." in out
    assert "Not recorded: the answer must be an address at essex.ac.uk.\n" in out


def test_url_says_its_scheme(essex: Checklist) -> None:
    value, out = ask(
        essex,
        "channel.url",
        "http://www.instagram.com/x",
        "https://www.instagram.com/essexhistory/",
    )
    assert value == "https://www.instagram.com/essexhistory/"
    assert "Type a web address starting with https://." in out
    assert "Not recorded: the answer must start with https://.\n" in out


def test_date_says_its_form_and_reads_back_iso(essex: Checklist) -> None:
    value, out = ask(essex, "channel.launch_date", "18/01/2027", "2027-01-18")
    assert value == dt.date(2027, 1, 18)
    assert "Type the date as YYYY-MM-DD, for example 2027-01-31." in out
    assert out.count("Not recorded: ") == 1
    assert out.endswith("Recorded: 2027-01-18\n")


def test_date_enter_keeps_the_current_date(essex: Checklist) -> None:
    value, out = ask(essex, "channel.launch_date", "", current=dt.date(2027, 3, 1))
    assert value == dt.date(2027, 3, 1)
    assert "Press Enter to keep: 2027-03-01\n" in out


def optional_text(essex: Checklist) -> str:
    """An optional text question of the checklist."""
    return next(q.id for q in essex.questions if q.type is QType.TEXT and not q.required)


def test_optional_enter_leaves_it_blank(essex: Checklist) -> None:
    qid = optional_text(essex)
    value, out = ask(essex, qid, "")
    assert value is None
    assert "Press Enter to leave it blank.\n" in out
    assert out.endswith("Recorded: left blank\n")


def test_optional_with_an_answer_keeps_it_or_leaves_it_blank_with_a_dash(essex: Checklist) -> None:
    qid = optional_text(essex)
    kept, out = ask(essex, qid, "", current="Because of several reasons")
    assert kept == "Because of several reasons"
    assert (
        "Press Enter to keep: Because of several reasons\nType - alone to leave it blank.\n" in out
    )
    blank, out = ask(essex, qid, "-", current="Because of several reasons")
    assert blank is None
    assert out.endswith("Recorded: left blank\n")


@pytest.mark.parametrize("said", ["no", "Yes", "None", "nobody", "n/a", "Not yet.", "no one"])
def test_optional_refuses_no_as_an_answer_and_says_how_to_leave_it_blank(
    essex: Checklist, said: str
) -> None:
    # "Who did you consult? Leave it blank if you have not yet": "no" is not the name of anyone, and
    # "yes" was typed for the yes-or-no question the person thought came next.
    value, out = ask(essex, "alumni.advancement_name", said, "")
    assert value is None
    assert "to leave it blank, press Enter with nothing typed.\n" in out
    if said.casefold() in ("no", "yes"):
        assert (
            "Not recorded: this question is not answered yes or no: type the answer in words;"
            in out
        )
    assert out.endswith("Recorded: left blank\n")
    # With an answer kept, Enter alone keeps it: a dash leaves it blank, and the refusal says so.
    value, out = ask(essex, "alumni.advancement_name", said, "-", current="Priya Shah")
    assert value is None
    assert "to leave it blank, type - alone.\n" in out


def test_a_name_that_only_looks_like_no_is_a_name(essex: Checklist) -> None:
    for name in ("Na", "Nil", "Noone Smith", "Nobody's Fool Ltd"):
        value, _ = ask(essex, "alumni.advancement_name", name)
        assert value == name
    # A required question takes "none" at its word (its own rules judge it), but never yes or no.
    value, _ = ask(essex, "uses.partners", "None")
    assert value == "None"
    value, out = ask(essex, "uses.partners", "yes", "Department of Literature")
    assert value == "Department of Literature"
    assert (
        "Not recorded: this question is not answered yes or no: type the answer in words.\n" in out
    )


def test_required_text_refuses_enter_alone_and_takes_a_dash_as_text(essex: Checklist) -> None:
    value, out = ask(essex, "channel.name", "", "-", "Essex History", position=FIRST)
    assert value == "Essex History"
    assert "Not recorded: an answer is needed.\n" in out
    assert "Not recorded: the answer is too short; at least 2 characters are needed.\n" in out
    assert "blank" not in out


def test_a_kept_answer_that_no_longer_passes_is_not_offered_again(essex: Checklist) -> None:
    value, out = ask(essex, "channel.name", "", "Essex History", current="x")
    assert value == "Essex History"
    assert "Not recorded: the answer is too short; at least 2 characters are needed.\n" in out
    restated = out.split("Not recorded:", 1)[1]
    assert "keep" not in restated


def test_the_engines_error_is_said_first(essex: Checklist) -> None:
    value, out = ask(essex, "channel.name", "Essex History", error="an answer is needed")
    assert out.splitlines()[1] == "Not recorded: an answer is needed."
    assert value == "Essex History"


# -- going back, end of input, Ctrl-C -------------------------------------------------------------


def test_back_raises_goback_when_it_can(essex: Checklist) -> None:
    with pytest.raises(GoBack):
        ask(essex, "administrator.accepts", "<")


def test_back_at_the_first_question_says_so_and_asks_again(essex: Checklist) -> None:
    value, out = ask(essex, "channel.platform", "<", "1", position=FIRST)
    assert value == "instagram"
    assert "This is the first question.\n" in out
    assert "Not recorded" not in out


def test_back_where_the_engine_allows_none(essex: Checklist) -> None:
    value, out = ask(essex, "channel.name", "<", "Essex History", position=Position(0, 0, "", 3, 5))
    assert value == "Essex History"
    assert "You cannot go back from this question.\n" in out
    assert "Type < to go back" not in out


def test_back_is_only_a_lone_angle_bracket(essex: Checklist) -> None:
    value, _ = ask(essex, "channel.name", "<History>")
    assert value == "<History>"


def test_end_of_input_raises_eoferror(essex: Checklist) -> None:
    with pytest.raises(EOFError):
        ask(essex, "administrator.accepts")
    with pytest.raises(EOFError):
        ask(essex, "administrator.accepts", "maybe")  # refused, then Ctrl-D


def test_ctrl_c_propagates(essex: Checklist) -> None:
    class Interrupting(io.StringIO):
        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            raise KeyboardInterrupt

    q = question(essex, "channel.name")
    out = io.StringIO()
    asker = PlainAsker(Interrupting(), out)
    with pytest.raises(KeyboardInterrupt):
        asker.ask(
            q,
            position=LATER,
            current=None,
            error=None,
            parse=lambda t: parse_text(q, t, today=TODAY),
            check=lambda v: check_typed(q, v, today=TODAY),
        )
    assert plain_output(out).endswith(
        "Answer: \n"
    )  # the caller's message starts on a line of its own


# -- untrusted text, wrapping ---------------------------------------------------------------------


def test_untrusted_text_is_made_visible(essex: Checklist) -> None:
    q = question(essex, "channel.name")._replace(
        prompt="Name\x1b[2J\u202e?", help="Help\x1b]8;;x\x07", clauses=("GG-1\x1b[A",)
    )
    out = io.StringIO()
    asker = PlainAsker(typed(""), out)
    value = asker.ask(
        q,
        position=Position(1, 2, "Title\x1b[H", 1, 2),
        current="Kept\u200bvalue\x1b[K",
        error="bad\x1b[1A",
        parse=lambda t: t,
        check=lambda v: str(v),
    )
    assert value == "Kept\u200bvalue\x1b[K"  # what the check returned; only its showing is escaped
    text = plain_output(out)
    assert "Name\\x1b[2J\\u202e?" in text
    assert "Recorded: Kept\\u200bvalue\\x1b[K" in text
    assert "\u202e" not in text and "\u200b" not in text and "\x07" not in text


def test_hidden_characters_at_the_ends_are_shown_not_stripped(essex: Checklist) -> None:
    q = question(essex, "channel.name")._replace(
        prompt="\u2028Name\x85", help="\x1cHelp\u2029", choices=()
    )
    out = io.StringIO()
    PlainAsker(typed("x"), out).ask(
        q, position=LATER, current=None, error=None, parse=lambda t: t, check=lambda v: str(v)
    )
    text = plain_output(out)
    assert "\\u2028Name\\x85\n" in text
    assert "\\x1cHelp\\u2029\n" in text


def test_lines_wrap_at_spaces_when_asked(essex: Checklist) -> None:
    q = question(essex, "channel.purpose")
    _, out = ask(essex, "channel.purpose", "A" * 30, width=40)
    lines = out.splitlines()
    assert all(len(line) <= 40 for line in lines if " " in line.strip())
    assert " ".join(line.strip() for line in lines).count(q.help) == 1  # no word broken or lost
    long_word, out = ask(essex, "channel.name", "Essex History", width=20)
    assert long_word == "Essex History"


def test_on_a_terminal_lines_wrap_to_its_width(essex: Checklist) -> None:
    """The default: the terminal's own width (a pseudo-terminal of 50 columns here)."""
    import fcntl
    import os
    import struct
    import termios

    q = question(essex, "channel.purpose")
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 50, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # no CR before LF: read back exactly what was written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    with os.fdopen(slave, "w") as terminal:
        PlainAsker(typed("We post field trips and open days."), terminal).ask(
            q,
            position=LATER,
            current=None,
            error=None,
            parse=lambda t: parse_text(q, t, today=TODAY),
            check=lambda v: check_typed(q, v, today=TODAY),
        )
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the other end is closed and everything is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    text = b"".join(chunks).decode()
    assert b"\x1b" not in b"".join(chunks)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 50
    assert q.help not in text  # wrapped ...
    assert " ".join(lines).count(q.help) == 1  # ... at spaces, no word broken


def test_lines_are_not_wrapped_when_not_a_terminal(essex: Checklist) -> None:
    q = question(essex, "channel.purpose")
    _, out = ask(essex, "channel.purpose", "We post field trips and open days.")
    assert f"\n{q.help}\n" in out


# -- findings, referral -----------------------------------------------------------------------------


NO_DEPUTY = Finding(
    rule="administrator.no-deputy",
    level=Level.WARNING,
    question="administrator.has_deputy",
    message="No one can look after the channel when the administrator is away or leaves.",
    action="Name a deputy if you can; otherwise explain to the reviewer how the channel will be covered",
    clauses=("ADMINISTRATOR",),
)
NOT_AGREED = Finding(
    rule="administrator.not-agreed",
    level=Level.BLOCKER,
    question="administrator.accepts",
    message="The named administrator has not agreed.",
    action="Ask them to agree to the role, then answer yes.",
    clauses=("ADMINISTRATOR", "GG-1"),
)
UNION = Finding(
    rule="uses.students-union",
    level=Level.REFERRAL,
    question="uses.kinds",
    message="The Students' Union's use is not for this process.",
    action="Contact the Students' Union.",
    clauses=("EP-6",),
    refer_to="the Students' Union",
)


def test_finding_in_plain_words(essex: Checklist) -> None:
    out = io.StringIO()
    asker = PlainAsker(typed(), out)
    asker.finding(essex, NO_DEPUTY)
    asker.finding(essex, NOT_AGREED)
    asker.finding(essex, UNION)
    assert plain_output(out).splitlines() == [
        "",
        "Warning (administrator.no-deputy): No one can look after the channel when the administrator"
        " is away or leaves. What to do: Name a deputy if you can; otherwise explain to the reviewer"
        " how the channel will be covered. Policy: ADMINISTRATOR.",
        "",
        "Blocker (administrator.not-agreed): The named administrator has not agreed. What to do: Ask"
        " them to agree to the role, then answer yes. Policy: ADMINISTRATOR, GG-1.",
        "",
        "Referral (uses.students-union): The Students' Union's use is not for this process. What to"
        " do: Contact the Students' Union. Referred to: the Students' Union. Policy: EP-6.",
    ]


@pytest.mark.parametrize(
    ("lines", "expected"), [(["yes"], True), (["N"], False), (["stop", "", "y"], True)]
)
def test_offer_stop(essex: Checklist, lines: list[str], expected: bool) -> None:
    out = io.StringIO()
    assert PlainAsker(typed(*lines), out).offer_stop(essex, UNION) is expected
    text = plain_output(out)
    assert text.startswith(
        "\nThis channel is referred to the Students' Union. End the interview now? Type yes or no.\n"
    )
    assert text.count("Not recorded: type yes or no.\n") == len(lines) - 1


def test_offer_stop_end_of_input(essex: Checklist) -> None:
    with pytest.raises(EOFError):
        PlainAsker(typed(), io.StringIO()).offer_stop(essex, UNION)


# -- sections and sign-off ------------------------------------------------------------------------


def test_start_section_heading_intro_and_clauses(essex: Checklist) -> None:
    section = essex.sections[1]
    out = io.StringIO()
    PlainAsker(typed(), out).start_section(essex, section, 2, len(essex.sections))
    lines = plain_output(out).splitlines()
    assert lines[1] == f"Section 2 of {len(essex.sections)}: {section.title}."
    assert lines[2] == section.intro.strip()
    for cid in section.clauses:
        clause = essex.clause(cid)
        assert clause is not None
        assert f"{cid}: {clause.text.strip()}" in lines


def test_start_signoff_prints_the_declaration_once(essex: Checklist) -> None:
    out = io.StringIO()
    PlainAsker(typed(), out).start_signoff(essex, Outcome(Status.READY, ()))
    text = plain_output(out)
    assert text.count(essex.declaration.strip()) == 1
    assert text.startswith("\nSign-off.\nThe declaration you will be asked to make:\n")


def test_signoff_position(essex: Checklist) -> None:
    _, out = ask(essex, "channel.name", "Jo Bloggs", position=Position(0, 0, "Sign-off", 2, 5))
    assert out.splitlines()[1] == "Sign-off, question 2 of 5."


# -- review -----------------------------------------------------------------------------------------


def reviewed(essex: Checklist, answers: Mapping[str, Value]) -> list[Question]:
    """The questions a new interview shows under ``answers``: a question only a renewal answers is
    neither asked nor a row of the review unless it is answered (Interview._next, review_rows)."""
    return [q for q in visible(essex, answers) if not (q.renewal_only and q.id not in answers)]


def rows_for(essex: Checklist, answers: dict[str, Value]) -> tuple[list[ReviewRow], Outcome]:
    """Review rows as the engine makes them, from answers (a question only a renewal answers is no row
    of a new interview's review unless it is answered, as in Interview.review_rows)."""
    outcome = evaluate(essex, answers, today=TODAY)
    titles = {s.id: s.title for s in essex.sections}
    shown = reviewed(essex, answers)
    rows = [
        ReviewRow(
            number,
            q,
            titles[q.section],
            answers.get(q.id),
            tuple(f for f in outcome.findings if f.question == q.id),
        )
        for number, q in enumerate(shown, start=1)
    ]
    return rows, outcome


@pytest.fixture
def example(essex: Checklist) -> dict[str, Value]:
    applied = apply_answers(essex, load_answers_file(EXAMPLE_ANSWERS), today=TODAY)
    assert not applied.problems
    return dict(applied.answers)


def review(
    rows: Sequence[ReviewRow], outcome: Outcome, *lines: str, changed: frozenset[str] | None = None
) -> tuple[list[str], str]:
    out = io.StringIO()
    ids = PlainAsker(typed(*lines), out).review(rows, outcome, changed=changed)
    return ids, plain_output(out)


def test_review_lists_rows_under_sections_and_goes_on(
    essex: Checklist, example: dict[str, Value]
) -> None:
    rows, outcome = rows_for(essex, example)
    ids, out = review(rows, outcome, "1")
    assert ids == []
    lines = out.splitlines()
    assert f"Your answers, {len(rows)} in all." in lines
    for row in rows:
        assert row.value is not None
        prompt = row.question.prompt
        joint = " " if prompt.endswith("?") else ": "
        assert f"{row.number}. {prompt}{joint}{as_text(row.question, row.value)}" in lines
    assert lines.index(essex.sections[0].title + ".") < lines.index(
        f"1. {rows[0].question.prompt} Instagram"
    )
    assert "1. Instagram" not in out
    assert "1. Go on to sign-off." in lines
    assert "2. Change an answer." in lines
    assert "3. Show all answers." in lines  # nothing flagged: no such item
    assert "Type a number from 1 to 3." in lines


def test_review_marks_flagged_rows_and_names_them(
    essex: Checklist, example: dict[str, Value]
) -> None:
    answers = {**example, "administrator.accepts": False}
    rows, outcome = rows_for(essex, answers)
    assert outcome.status is Status.BLOCKED
    row = next(r for r in rows if r.question.id == "administrator.accepts")
    ids, out = review(rows, outcome, "3")
    assert ids == ["administrator.accepts"]
    lines = out.splitlines()
    assert f"{row.number}. {row.question.prompt} no (BLOCKER: administrator.not-agreed)" in lines
    assert "Blocked: fix the items below before you can sign off." in lines
    assert any(
        line.startswith(f"Blocker (administrator.not-agreed), row {row.number}: ") for line in lines
    )
    assert "1. Save the draft and stop here." in lines
    assert f"3. Go through the flagged answers, row {row.number}." in lines
    assert "4. Show all answers." in lines


def test_review_flagged_returns_every_flagged_row_in_order(
    essex: Checklist, example: dict[str, Value]
) -> None:
    answers = {
        **example,
        "administrator.accepts": False,
        "channel.launch_date": dt.date(2026, 1, 1),
    }
    rows, outcome = rows_for(essex, answers)
    flagged = [r for r in rows if r.findings]
    assert len(flagged) >= 1
    ids, _ = review(rows, outcome, "3")
    assert ids == [r.question.id for r in flagged]


def test_review_change_an_answer_by_row_number(essex: Checklist, example: dict[str, Value]) -> None:
    rows, outcome = rows_for(essex, example)
    ids, out = review(rows, outcome, "2.", "999", "x", "4)")  # numbers as the lists show them too
    assert ids == [rows[3].question.id]
    assert f"Type the row number of the answer to change, from 1 to {len(rows)}." in out
    assert "Not recorded: there is no row 999.\n" in out
    assert "Not recorded: there is no row x.\n" in out
    assert f"Changing row 4: {rows[3].question.prompt}\n" in out


def test_the_review_menu_takes_a_choice_by_its_words(
    essex: Checklist, example: dict[str, Value]
) -> None:
    rows, outcome = rows_for(essex, example)
    ids, out = review(rows, outcome, "change", "4")
    assert ids == [rows[3].question.id]
    ids, out = review(rows, outcome, "Go on", "1")
    assert ids == []
    assert "Not recorded" not in out
    ids, out = review(rows, outcome, "stop", "1")  # no choice says it: refused, asked again
    assert ids == []
    assert "Not recorded: type a number from 1 to 3.\n" in out


def test_review_change_enter_alone_returns_to_the_menu(
    essex: Checklist, example: dict[str, Value]
) -> None:
    rows, outcome = rows_for(essex, example)
    ids, out = review(rows, outcome, "2", "", "7", "0", "1")
    assert ids == []
    assert out.count("What next?\n") == 2
    assert out.count("Not recorded: type a number from 1 to 3.\n") == 2
    assert "What next? Type a number from 1 to 3.\n" in out


def test_review_changed_shows_only_those_then_all_on_request(
    essex: Checklist, example: dict[str, Value]
) -> None:
    answers = {**example, "administrator.has_deputy": False}
    rows, outcome = rows_for(essex, answers)
    changed = frozenset({"administrator.has_deputy"})
    ids, out = review(rows, outcome, "4", "1", changed=changed)
    assert ids == []
    first, rest = out.split("What next?", 1)
    assert "1 answer changed since the last review:" in first
    row = next(r for r in rows if r.question.id == "administrator.has_deputy")
    assert f"{row.number}. {row.question.prompt} no (WARNING: administrator.no-deputy)" in first
    assert f"1. {rows[0].question.prompt}" not in first
    assert "Ready for sign-off, with warnings the reviewer will look at." in first
    assert f"Your answers, {len(rows)} in all." in rest
    assert f"1. {rows[0].question.prompt}" in rest


def test_review_names_the_row_that_explains_a_warning(
    essex: Checklist, example: dict[str, Value]
) -> None:
    answers = {**example, "administrator.has_deputy": False}
    explaining = "administrator.cover_plan"
    assert essex.question(explaining) is not None
    answers[explaining] = "The department office covers the channel during leave."
    rows, outcome = rows_for(essex, answers)
    numbers = {r.question.id: r.number for r in rows}
    finding = next(f for f in outcome.findings if f.rule == "administrator.no-deputy")
    assert finding.explained_by == explaining
    _, out = review(rows, outcome, "1")
    assert f"Warning (administrator.no-deputy), row {numbers['administrator.has_deputy']}: " in out
    assert f"Your explanation: row {numbers[explaining]}.\n" in out


def test_review_no_change(essex: Checklist, example: dict[str, Value]) -> None:
    rows, outcome = rows_for(essex, example)
    _, out = review(rows, outcome, "1", changed=frozenset())
    assert "No answer changed.\n" in out


def test_review_end_of_input(essex: Checklist, example: dict[str, Value]) -> None:
    rows, outcome = rows_for(essex, example)
    with pytest.raises(EOFError):
        review(rows, outcome, "2")


def test_reason_wording() -> None:
    assert reason("must not be empty") == "Not recorded: the answer must not be empty."
    assert reason("answer yes or no") == "Not recorded: answer yes or no."
    assert reason("choose at least one.") == "Not recorded: choose at least one."


# -- a whole interview ------------------------------------------------------------------------------


def line_for(q: Question, value: Value | None, turn: int) -> str:
    """What a person types for ``value``: numbers for choices (or, every other time, the label)."""
    if value is None:
        return ""
    if q.type is QType.YESNO:
        return ("yes", "Y", "YES", "y")[turn % 4] if value else ("no", "N", "No", "n")[turn % 4]
    if q.type is QType.CHOICE:
        assert isinstance(value, str)
        number = [c.value for c in q.choices].index(value) + 1
        return str(number) if turn % 2 else q.label_of(value).upper()
    if q.type is QType.MULTI:
        assert isinstance(value, tuple)
        numbers = [str([c.value for c in q.choices].index(v) + 1) for v in value]
        return (", " if turn % 2 else " ").join(reversed(numbers))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def test_a_whole_essex_interview_in_plain_mode(essex: Checklist, example: dict[str, Value]) -> None:
    """From the first question to sign-off with whole words and numbers, a wrong word, going back
    once: the record holds exactly the example's answers and verify accepts it."""
    shown = asked(essex, example)
    lines: list[str] = []
    wrong = next(q.id for q in shown if q.type is QType.YESNO)
    for turn, q in enumerate(shown):
        if q.id == wrong:
            lines.append("maybe")  # refused; asked again
        lines.append(line_for(q, example.get(q.id), turn))
        if turn == 2:  # back from the fourth question to the third, which keeps its answer on Enter
            lines.extend(["<", ""])
    applied = apply_answers(essex, load_answers_file(EXAMPLE_ANSWERS), today=TODAY)
    signoff = applied.signoff
    assert signoff is not None
    lines.append("1")  # review: go on to sign-off
    sign_lines = [
        "yes",
        signoff.role,
        signoff.department,
        "yes",
    ]  # the prefilled identity confirmed
    out = io.StringIO()
    asker = PlainAsker(typed(*lines, *sign_lines), out)
    saved: list[dict[str, Value]] = []
    interview = Interview(
        essex, asker, Progress(), save=lambda p: saved.append(dict(p.answers)), today=lambda: TODAY
    )
    outcome = interview.run()
    assert not interview.stopped
    assert interview.progress.answers == example
    assert outcome.status.can_sign_off
    made = interview.sign_off()
    assert made == signoff
    text = plain_output(out)
    assert "Not recorded: type yes or no.\n" in text
    assert "Going back to the previous question.\n" in text
    assert text.count(essex.declaration.strip()) == 1
    assert text.count("Recorded: ") >= len(shown) + 3
    assert "Question 1 of about " in text
    # The last question opens the last section, whose heading names it: the position does not again.
    assert f"Question {len(shown)} of about {len(shown)}.\n" in text
    record = build_record(
        essex, interview.progress.answers, outcome, made, now=FIXED_NOW, record_id=FIXED_ID
    )
    report = verify_bytes(render(record), "plain.smcheck.toml", lookup=registry.by_id, today=TODAY)
    assert report.valid, report


def asked(essex: Checklist, example: dict[str, Value]) -> list[Question]:
    """The questions the interview asks for the example: those shown, less those whose answer earlier
    answers give (filled in, not asked)."""
    return [
        q
        for q in reviewed(essex, example)
        if (d := derived(q, example)) is None or d.value != example.get(q.id)
    ]


def example_lines(essex: Checklist, example: dict[str, Value]) -> list[str]:
    """What a person types to give the example's answers, question by question."""
    return [line_for(q, example.get(q.id), turn) for turn, q in enumerate(asked(essex, example))]


def test_changing_an_answer_at_the_review_shows_what_changed(
    essex: Checklist, example: dict[str, Value]
) -> None:
    shown = [q.id for q in reviewed(essex, example)]
    # 1.3.0: "Is there a deputy?" is filled in from the deputy's name; leaving the name blank (-)
    # makes it no, hides the deputy's address and asks for the cover plan.
    name_row = shown.index("administrator.deputy_name") + 1
    row = shown.index("administrator.has_deputy") + 1
    plan = "The department office covers the channel during leave."
    lines = [*example_lines(essex, example), "2", str(name_row), "-", plan, "1"]
    out = io.StringIO()
    interview = Interview(
        essex, PlainAsker(typed(*lines), out), Progress(), save=lambda p: None, today=lambda: TODAY
    )
    outcome = interview.run()
    answers = interview.progress.answers
    assert answers["administrator.has_deputy"] is False
    assert answers["administrator.cover_plan"] == plan
    assert "administrator.deputy_name" not in answers
    assert "administrator.deputy_email" not in answers
    assert outcome.status is Status.WARNINGS
    text = plain_output(out)
    assert f"Changing row {name_row}: " in text
    again = text.split("What next?", 1)[1]
    assert "answers changed since the last review:" in again
    assert f"{row}. Is there a deputy" in again
    assert "(WARNING: administrator.no-deputy)" in again
    assert "Your explanation: row " in again
    assert "1. Which platform" not in again  # only what changed


def test_a_referral_ends_the_interview_when_asked(
    essex: Checklist, example: dict[str, Value]
) -> None:
    shown = asked(essex, example)
    lines: list[str] = []
    for turn, q in enumerate(shown):
        if q.id == "uses.kinds":
            union = [c.value for c in q.choices].index("students-union") + 1
            lines.extend([str(union), "yes"])  # tick the Students' Union; end the interview
            break
        lines.append(line_for(q, example.get(q.id), turn))
    out = io.StringIO()
    interview = Interview(
        essex, PlainAsker(typed(*lines), out), Progress(), save=lambda p: None, today=lambda: TODAY
    )
    outcome = interview.run()
    assert interview.stopped
    assert outcome.status is Status.REFERRED
    text = plain_output(out)
    assert "Referral (uses.students-union): " in text
    assert "This channel is referred to the Students' Union. End the interview now?" in text

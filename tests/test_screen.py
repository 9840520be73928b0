"""What a person sees at 60 columns: the prompts and the views rendered by a terminal emulator (pyte).

prompt_toolkit breaks a long line at whatever character meets the edge, and rich cuts what does not fit
unless told otherwise; these tests draw each screen as a terminal would and read it back: no word is
broken across two lines, nothing is cut, and clause text keeps its indent on every line.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyte
import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console

from smcheck import console
from smcheck.checklist import Checklist, Choice, Clause, Level, Question, Value
from smcheck.interview import Interview, Position, Progress
from smcheck.outcome import Finding
from smcheck.prompts import QuestionaryAsker
from smcheck.values import check_typed, parse_text

COLUMNS = 60
TODAY = dt.date(2026, 11, 2)
ENTER = "\r"

LONG_PROMPT = (
    "Has the administrator of the department agreed in writing to look after the channel and to"
    " answer every message within two working days?"
)
LONG_LABELS = (
    "A channel run by a department or a research group, for news about its work and its events",
    "A personal channel of a member of staff who speaks for the university in public",
    "Something else, which the reviewer will have to look at before the channel is approved",
)
LONG_CLAUSE = (
    "Every channel has a named administrator who is a member of staff, and a deputy who can act"
    " when the administrator is away or has left the university."
)
LONG_TITLE = "How the channel will be used, by whom, and how often it will be updated"
LONG_HELP = (
    "The administrator is the person the university will contact about the channel; they must be a"
    " member of staff, not a student, and must be able to log in to the account at any time."
)

WORD = re.compile(r"[\w’'@./:-]+")
BOX = "│╭╮╰╯─┌┐└┘├┤"


def words(text: str) -> list[str]:
    return WORD.findall(text)


def edge_breaks(lines: list[str], source: str) -> list[str]:
    """Places where a word of ``source`` is split across two screen lines."""
    known = set(words(source))
    problems = []
    for upper, lower in itertools.pairwise(lines):
        end = upper.strip(BOX + " ").rstrip()
        start = lower.strip(BOX + " ").lstrip()
        tail, head = WORD.findall(end[-30:]), WORD.findall(start[:30])
        if not tail or not head or not end.endswith(tail[-1]) or not start.startswith(head[0]):
            continue
        joined = tail[-1] + head[0]
        if joined in known and (tail[-1] not in known or head[0] not in known):
            problems.append(f"{upper!r} / {lower!r}")
    return problems


def in_full(lines: list[str], source: str) -> bool:
    """Every word of ``source``, in order, is on the screen (nothing cut off)."""
    shown = iter(words(" ".join(line.strip(BOX + " ") for line in lines)))
    return all(any(word == seen for seen in shown) for word in words(source))


def rows(screen: pyte.Screen) -> list[str]:
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


# -- the prompts ----------------------------------------------------------------------------------


class Terminal:
    """A 60-column terminal: prompt_toolkit draws into it, a typist waits for a text, takes a picture
    of the screen, then types."""

    def __init__(self, columns: int = COLUMNS, height: int = 100) -> None:
        self.buffer = io.StringIO()
        self.output = Vt100_Output(
            self.buffer, lambda: Size(rows=height, columns=columns), term="xterm"
        )
        self.screen = pyte.Screen(columns, height)
        self.stream = pyte.Stream(self.screen)
        self.fed = 0

    def lines(self) -> list[str]:
        written = self.buffer.getvalue()
        self.stream.feed(written[self.fed :])
        self.fed = len(written)
        return rows(self.screen)

    @contextmanager
    def picture(self, awaited: str, keys: str, before: str = "") -> Iterator[list[list[str]]]:
        """Run the body; type ``before``, then once ``awaited`` is on the screen keep a picture of
        it and type ``keys``."""
        pictures: list[list[str]] = []
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=self.output):

            def typist() -> None:
                pipe.send_text(before)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    shown = self.lines()
                    if awaited in "\n".join(shown):
                        pictures.append(shown)
                        break
                    time.sleep(0.01)
                pipe.send_text(keys)
                pipe.close()

            thread = threading.Thread(target=typist, daemon=True)
            thread.start()
            try:
                yield pictures
            finally:
                thread.join(timeout=15)
        assert pictures, f"never shown: {awaited!r}\n" + "\n".join(self.lines())


def long_question(tiny: Checklist, qid: str) -> Question:
    question = tiny.question(qid)
    assert question is not None
    if question.choices:
        question = question._replace(
            choices=tuple(Choice(f"c{n}", label) for n, label in enumerate(LONG_LABELS, 1))
        )
    return question._replace(prompt=LONG_PROMPT)


def put(question: Question, current: Value | None = None) -> Value | None:
    return QuestionaryAsker(today=lambda: TODAY).ask(
        question,
        position=Position(1, 2, "The club", 2, 5, can_go_back=True),
        current=current,
        error=None,
        parse=lambda text: parse_text(question, text, today=TODAY),
        check=lambda value: check_typed(question, value, today=TODAY),
    )


@pytest.mark.parametrize(
    ("qid", "keys", "expected"),
    [
        ("club.has_owner", "yes" + ENTER, True),
        ("club.name", "Chess" + ENTER, "Chess"),
        ("club.kind", "3" + ENTER, "c3"),
        ("web.sites", "1" + "3" + ENTER, ("c1", "c3")),
    ],
)
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_a_long_prompt_wraps_between_words(
    tiny: Checklist, qid: str, keys: str, expected: Value, columns: int
) -> None:
    question = long_question(tiny, qid)
    terminal = Terminal(columns)
    with terminal.picture("working days?", keys) as pictures:
        assert put(question) == expected
    shown = pictures[0]
    assert all(len(line) <= columns for line in shown)
    source = " ".join([LONG_PROMPT, *LONG_LABELS])
    instruction = next(line for line in shown if "(" in line)
    assert edge_breaks(shown, source + " " + instruction) == []
    assert in_full(shown, LONG_PROMPT)
    # The prompt's continuation lines are indented under its first word, after the "? " mark.
    first = next(i for i, line in enumerate(shown) if line.startswith("? Has"))
    assert shown[first + 1].startswith("  ") and shown[first + 1].strip()


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("qid", ["club.kind", "web.sites"])
def test_long_choices_wrap_with_a_hanging_indent_and_are_shown_in_full(
    tiny: Checklist, qid: str, columns: int
) -> None:
    question = long_question(tiny, qid)
    terminal = Terminal(columns)
    with terminal.picture("approved", "1" + ENTER) as pictures:
        put(question)
    shown = pictures[0]
    for number, label in enumerate(LONG_LABELS, start=1):
        at = next(i for i, line in enumerate(shown) if f"{number}. {label.split()[0]}" in line)
        text_column = shown[at].index(f"{number}. ") + 3
        following = shown[at + 1 : at + 3]
        continued = [line for line in following if line[:text_column].strip() == ""]
        assert continued, (label, shown)
        # Continuation lines start under the label's first letter, not at the edge or under the number.
        assert all(len(line) - len(line.lstrip()) == text_column for line in continued)
        assert in_full(shown[at : at + 1 + len(continued)], label)
    assert edge_breaks(shown, " ".join([LONG_PROMPT, *LONG_LABELS])) == []


def test_a_refusal_at_60_columns_wraps_between_words(tiny: Checklist) -> None:
    question = long_question(tiny, "club.has_owner")
    terminal = Terminal()
    with terminal.picture("✗", "\x15yes" + ENTER, before="maybe" + ENTER) as pictures:
        assert put(question) is True
    shown = pictures[0]
    assert edge_breaks(shown, LONG_PROMPT + " answer yes or no type yes or no, then Enter") == []
    assert any("✗ answer yes or no" in line for line in shown)


@pytest.mark.parametrize(
    ("qid", "typed", "left"),
    [
        # What was recorded stays on the screen beside what was typed, where the two differ.
        (
            "web.url",
            "chess.example.ac.uk",
            "chess.example.ac.uk, recorded as https://chess.example.ac.uk",
        ),
        ("club.founded", "2 March 2026", "2 March 2026, recorded as 2026-03-02"),
        ("club.name", "  Chess Club ", "Chess Club"),
    ],
)
def test_the_answer_left_on_the_screen_says_what_was_recorded(
    tiny: Checklist, qid: str, typed: str, left: str
) -> None:
    question = tiny.question(qid)
    assert question is not None
    terminal = Terminal(columns=120)
    with terminal.picture("Enter", typed + ENTER):
        put(question)
    shown = "\n".join(terminal.lines())
    assert f"{question.prompt} {left}\n" in shown + "\n"
    assert "recorded as" in left or "recorded as" not in shown


# -- the views (rich) ------------------------------------------------------------------------------


@pytest.fixture
def term(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Views drawn on a 60-column terminal; call the result to read the screen."""
    file = io.StringIO()
    monkeypatch.setattr(
        console,
        "_err",
        Console(file=file, width=COLUMNS, force_terminal=True, highlight=False),
    )

    def screen() -> list[str]:
        emulated = pyte.Screen(COLUMNS, 400)
        pyte.Stream(emulated).feed(file.getvalue().replace("\n", "\r\n"))
        return rows(emulated)

    return screen


def long_checklist(tiny: Checklist) -> Checklist:
    sections = tuple(
        s._replace(title=LONG_TITLE, intro=LONG_HELP, clauses=("C-1", "C-2"))
        if s.id == "club"
        else s
        for s in tiny.sections
    )
    clauses = tuple(c._replace(text=LONG_CLAUSE) if c.id == "C-1" else c for c in tiny.clauses)
    return tiny._replace(sections=sections, clauses=clauses)


def clause_continuations(lines: list[str], cid: str) -> list[str]:
    at = next(i for i, line in enumerate(lines) if f"{cid} " in line)
    column = lines[at].index(cid) + len(cid) + 1
    following = []
    for line in lines[at + 1 :]:
        body = line.strip(BOX)
        if not body.strip() or body.lstrip().startswith("C-"):
            break
        following.append(line)
    assert following, lines
    for line in following:
        inner = line.lstrip(BOX)
        assert inner[: column - (len(line) - len(inner))].strip() == "", (line, lines)
    return following


def test_a_section_heading_and_its_clauses_fit_60_columns(
    tiny: Checklist, term: Callable[[], list[str]]
) -> None:
    checklist = long_checklist(tiny)
    console.show_section(checklist, checklist.sections[0], 4, 9)
    shown = term()
    source = " ".join([f"Section 4 of 9: {LONG_TITLE}", LONG_HELP, "C-1", LONG_CLAUSE, "C-2"])
    source += " The union may close any channel."
    assert edge_breaks(shown, source) == []
    assert in_full(shown, f"Section 4 of 9: {LONG_TITLE}")
    assert in_full(shown, LONG_CLAUSE)
    clause_continuations(shown, "C-1")
    assert all(len(line) <= COLUMNS for line in shown)


def test_the_question_context_shows_the_overall_position_and_wraps_at_words(
    tiny: Checklist, term: Callable[[], list[str]]
) -> None:
    question = long_question(tiny, "club.has_owner")._replace(help=LONG_HELP)
    position = Position(4, 9, LONG_TITLE, 12, 45, can_go_back=True)
    console.show_question_context(tiny, question, position, "answer yes or no")
    shown = term()
    text = " ".join(shown)
    assert "Question 12 of about 45" in text
    assert "Section 4 of 9:" in text
    assert "1 of 1" not in text
    assert "policy C-1" in text
    assert "✗ answer yes or no" in text
    assert (
        edge_breaks(shown, f"Question 12 of about 45 · Section 4 of 9: {LONG_TITLE} {LONG_HELP}")
        == []
    )


def test_a_finding_panel_fits_60_columns_with_its_clause_indented(
    tiny: Checklist, term: Callable[[], list[str]]
) -> None:
    checklist = long_checklist(tiny)
    finding = Finding(
        rule="club.no-owner",
        level=Level.BLOCKER,
        question="club.has_owner",
        message=LONG_HELP,
        action="Name an administrator who is a member of staff, then answer this question again.",
        clauses=("C-1",),
    )
    console.show_finding(checklist, finding)
    shown = term()
    assert edge_breaks(shown, " ".join([LONG_HELP, finding.action, LONG_CLAUSE])) == []
    assert in_full(shown, LONG_HELP) and in_full(shown, LONG_CLAUSE)
    clause_continuations(shown, "C-1")
    assert all(len(line) <= COLUMNS for line in shown)


def test_the_review_fits_60_columns(tiny: Checklist, term: Callable[[], list[str]]) -> None:
    sections = tuple(
        s._replace(
            questions=tuple(
                q._replace(prompt=LONG_PROMPT) if q.id == "club.has_owner" else q
                for q in s.questions
            )
        )
        for s in tiny.sections
    )
    checklist = tiny._replace(
        sections=sections, questions=tuple(q for s in sections for q in s.questions)
    )
    answers: dict[str, Value] = {
        "club.name": "Chess club",
        "club.kind": "sport",
        "club.has_owner": False,
        "web.sites": ("insta", "site"),
        "web.url": "https://chess.example.org",
    }
    interview = Interview(
        checklist,
        QuestionaryAsker(),
        Progress(answers=answers, skipped={"club.founded"}),
        save=lambda p: None,
        today=lambda: TODAY,
    )
    console.show_review(interview.review_rows(), interview.outcome())
    shown = term()
    assert edge_breaks(shown, LONG_PROMPT + " Name an owner. row 3:") == []
    assert in_full(shown, "3. " + LONG_PROMPT)
    assert any("BLOCKER: No owner." in line for line in shown)
    assert any("row 3: Has the administrator" in line for line in shown)
    assert all(len(line) <= COLUMNS for line in shown)


def test_hostile_text_is_made_visible_not_obeyed(
    tiny: Checklist, term: Callable[[], list[str]]
) -> None:
    hostile = "Evil\x1b[2J[bold]name[/bold]\u202e"
    question = long_question(tiny, "club.name")._replace(prompt=hostile, help=hostile)
    console.show_question_context(tiny, question, Position(1, 2, hostile, 1, 5), hostile)
    shown = "\n".join(term())
    assert "\\x1b[2J[bold]name[/bold]\\u202e" in shown
    clauses = (Clause("C-9", tiny.clauses[0].applies, hostile),)
    console.show_section(
        tiny._replace(clauses=clauses), tiny.sections[0]._replace(clauses=("C-9",)), 1, 2
    )
    assert "[bold]name[/bold]" in "\n".join(term())

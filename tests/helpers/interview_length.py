"""How long the interview is for a set of answers: the plain asker driven as a person types, counted.

Used by tests/test_short_interview.py (the shipped example stays under target) and tests/benchmark.py
(which prints the figures). Nothing here is timed: it counts prompts and words on screen.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any, NamedTuple, assert_never

from smcheck import qtypes
from smcheck.checklist import Checklist, Question, Value
from smcheck.interview import Interview, Position, Progress
from smcheck.plain import PlainAsker
from smcheck.plain_lines import PROMPT
from smcheck.qtypes import Widget

PROMPTS_TARGET = 35
"""At most this many prompts in all for the shipped example (questions and sign-off)."""
WORDS_TARGET = 3500
"""At most this many words on screen for the shipped example in plain mode."""


class Length(NamedTuple):
    """What one interview took."""

    questions: int
    """Prompts of the interview's own questions (the review menu not included)."""
    prompts: int
    """Every prompt a person answered: questions, the review's menu and the sign-off."""
    words: int
    """Words written on screen, as a screen reader reads them."""
    positions: dict[str, Position]
    """Where each question asked stood ("question N of M")."""
    transcript: str
    progress: Progress


def typed(question: Question, value: Value | None) -> str:
    """What a person types in plain mode for ``value`` (None: Enter, leaving it blank)."""
    if value is None:
        return ""
    widget = qtypes.spec(question.type).widget
    match widget:
        case Widget.YESNO:
            return "yes" if value else "no"
        case Widget.PICK_ONE:
            return str([c.value for c in question.choices].index(str(value)) + 1)
        case Widget.PICK_MANY:
            assert isinstance(value, tuple)
            numbers = [c.value for c in question.choices]
            return ",".join(str(numbers.index(v) + 1) for v in value)
        case Widget.TEXT:
            return value.isoformat() if isinstance(value, dt.date) else str(value)
        case _:
            assert_never(widget)


def reply(
    checklist: Checklist, answers: Mapping[str, Value], signoff: Mapping[str, str], said: str
) -> str:
    """What a person types (without the Enter) at the prompt that ends ``said``, the screen's text
    since the last prompt: the answer to the question shown, or the sign-off's and the menus' replies."""
    last = " ".join(said.rsplit("\n\n", 1)[-1].split())  # as read, wrapped or not
    for question in sorted(checklist.questions, key=lambda q: -len(q.prompt)):
        if question.prompt in last:
            return typed(question, answers.get(question.id))
    if "What next?" in last:
        return "1"
    if "designated administrator?" in last or "declaration?" in last:
        return "yes"
    for key in ("role", "department", "name", "email"):
        if f"Your {key}" in last:
            return signoff[key]
    raise AssertionError(f"no answer for: {last!r}")


class Terminalled(NamedTuple):
    """What the whole ``smcheck new --plain`` took in a terminal, from the first line to the last."""

    prompts: int
    words: int
    transcript: str


def run_in_terminal(
    term: Any, checklist: Checklist, answers: Mapping[str, Value], signoff: Mapping[str, str]
) -> Terminalled:
    """Answer ``smcheck new --plain`` running in ``term`` (a :class:`helpers.terminal.Terminal`) as a
    person would answer ``answers``, prompt by prompt, until it ends."""
    import pexpect

    from helpers.terminal import ENTER, plain

    prompts = 0
    while term.child.expect_exact([PROMPT, pexpect.EOF]) == 0:
        prompts += 1
        said = plain(term.child.before).replace("\r\n", "\n")
        term.child.send(reply(checklist, answers, signoff, said) + ENTER)
    text = plain(term.log.getvalue())
    return Terminalled(prompts, len(text.split()), text)


class _Typist(io.StringIO):
    """Standard input that types, at each prompt, the answer to the question on screen."""

    def __init__(
        self,
        checklist: Checklist,
        answers: Mapping[str, Value],
        signoff: Mapping[str, str],
        screen: io.StringIO,
    ) -> None:
        super().__init__()
        self._checklist = checklist
        self._answers = answers
        self._signoff = signoff
        self._screen = screen
        self._seen = 0
        self.lines = 0

    def isatty(self) -> bool:
        return False

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        text = self._screen.getvalue()
        said, self._seen = text[self._seen :], len(text)
        self.lines += 1
        return reply(self._checklist, self._answers, self._signoff, said) + "\n"


def measure(
    checklist: Checklist,
    answers: Mapping[str, Value],
    signoff: Mapping[str, str],
    *,
    today: dt.date,
    width: int = 80,
) -> Length:
    """Run the whole interview and its sign-off in plain mode as a person would answer ``answers``
    (every answer the record holds; those filled in from earlier answers are never typed)."""
    screen = io.StringIO()
    typist = _Typist(checklist, answers, signoff, screen)
    asker = PlainAsker(typist, screen, width=width)
    positions: dict[str, Position] = {}
    asked: list[str] = []
    ask = asker.ask

    def counted(question: Question, *, position: Position, **kwargs: object) -> Value | None:
        if position.section_number:
            positions[question.id] = position
            asked.append(question.id)
        return ask(question, position=position, **kwargs)  # type: ignore[arg-type]

    asker.ask = counted  # type: ignore[method-assign]
    interview = Interview(checklist, asker, Progress(), save=lambda _: None, today=lambda: today)
    outcome = interview.run()
    assert outcome.status.can_sign_off, outcome
    assert interview.sign_off() is not None
    text = screen.getvalue()
    assert text.count(PROMPT) == typist.lines
    return Length(len(asked), typist.lines, len(text.split()), positions, text, interview.progress)

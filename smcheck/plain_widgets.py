"""The line-by-line asker's widgets: how plain mode takes each of the four kinds of answer.

:class:`~smcheck.plain.PlainAsker` prints a question and reads lines; the piece here for the question's
widget (:class:`~smcheck.qtypes.Widget`, from the table of kinds) says how to answer, and turns what was
typed (a number, a word, a line) into the value the engine's ``check``/``parse`` then judge. Nothing here
writes to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol, assert_never

from smcheck import qtypes
from smcheck.checklist import Choice, Question, Value
from smcheck.qtypes import Widget
from smcheck.values import AnswerError

Parse = Callable[[str], Value | None]
Check = Callable[[object], Value]


def is_number(text: str) -> bool:
    """Whether ``text`` is a number typed in ASCII digits (str.isdigit() accepts "²", on which int()
    raises)."""
    return text.isascii() and text.isdigit()


def choice_number(word: str) -> int | None:
    """The number of a choice as typed: ``2``, or ``2.`` and ``2)`` as the list shows them; else None."""
    digits = word.removesuffix(".").removesuffix(")")
    return int(digits) if is_number(digits) else None


def _named(choices: Sequence[Choice], text: str) -> Choice | None:
    """The choice whose label or value is ``text`` in full, in any case."""
    wanted_text = text.strip().casefold()
    for choice in choices:
        if wanted_text in (choice.label.casefold(), choice.value.casefold()):
            return choice
    return None


class PlainWidget(Protocol):
    """One kind of answer, as plain mode takes it."""

    def short(self, question: Question) -> str:
        """How to answer, in one sentence (repeated after a refusal)."""

    def how(self, question: Question) -> str:
        """How to answer, as said when the question is first asked."""

    def blank(self, question: Question, check: Check, parse: Parse) -> Value | None:
        """Enter alone, with no answer to keep: an answer, None (left blank) or AnswerError."""

    def take(self, question: Question, typed: str, check: Check, parse: Parse) -> Value | None:
        """What was typed (stripped, not blank, not a command) as a checked answer, or AnswerError."""


class _Widget:
    """What most widgets share: the first line is the short one; Enter alone is the engine's call."""

    def short(self, question: Question) -> str:
        raise NotImplementedError

    def how(self, question: Question) -> str:
        return self.short(question)

    def blank(self, question: Question, check: Check, parse: Parse) -> Value | None:
        return parse("")  # None for an optional question; the engine's "an answer is needed"


class PlainYesNo(_Widget):
    """A whole word: yes or no (y, n; any case)."""

    def short(self, question: Question) -> str:
        return "Type yes or no."

    def blank(self, question: Question, check: Check, parse: Parse) -> Value | None:
        if question.required:
            raise AnswerError("type yes or no")
        return super().blank(question, check, parse)

    def take(self, question: Question, typed: str, check: Check, parse: Parse) -> Value | None:
        word = qtypes.yes_no_word(typed)
        if word is None:
            raise AnswerError("type yes or no")
        return check(word)


class PlainText(_Widget):
    """A line of text, read by the kind's own parser (a date, an address)."""

    def short(self, question: Question) -> str:
        typed = qtypes.spec(question.type).typed
        assert typed is not None, "every text kind says how to type it (checked at import)"
        return f"Type {typed.plain(question)}."

    def take(self, question: Question, typed: str, check: Check, parse: Parse) -> Value | None:
        return parse(typed)


class PlainPickOne(_Widget):
    """A number from the list, or a choice's label or value in full."""

    def short(self, question: Question) -> str:
        return f"Type the number of your choice, from 1 to {len(question.choices)}."

    def how(self, question: Question) -> str:
        return self.short(question) + " You can also type the choice in full."

    def blank(self, question: Question, check: Check, parse: Parse) -> Value | None:
        if question.required:
            raise AnswerError(
                f"an answer is needed; type a number from 1 to {len(question.choices)}"
            )
        return super().blank(question, check, parse)

    def take(self, question: Question, typed: str, check: Check, parse: Parse) -> Value | None:
        choices = question.choices
        number = choice_number(typed)
        if number is not None:
            if 1 <= number <= len(choices):
                return check(choices[number - 1].value)
            raise AnswerError(
                f"there is no choice {number}; type a number from 1 to {len(choices)}"
            )
        named = _named(choices, typed)
        if named is None:
            raise AnswerError(
                f"type the number of your choice, from 1 to {len(choices)}, or the choice in full"
            )
        return check(named.value)


class PlainPickMany(_Widget):
    """Tick boxes: numbers separated by commas, spaces or "and" (``1,3``, ``1 3``, ``1, 2 and 3``), or
    choices in full separated by commas or "and"."""

    def short(self, question: Question) -> str:
        example = "1,3" if len(question.choices) >= 3 else "1,2"
        return (
            "Type the numbers of every choice that applies, separated by commas,"
            f" for example {example}."
        )

    def blank(self, question: Question, check: Check, parse: Parse) -> Value | None:
        if question.validate.min_items == 0:
            return check(())  # a tick-box where none ticked is an answer (each raises its rule)
        if question.required:
            raise AnswerError(
                "an answer is needed; type the numbers of every choice that applies,"
                " separated by commas"
            )
        return super().blank(question, check, parse)

    def take(self, question: Question, typed: str, check: Check, parse: Parse) -> Value | None:
        choices = question.choices
        whole = _named(choices, typed)  # a label that itself holds a comma
        if whole is not None:
            return check((whole.value,))
        picked: list[str] = []
        for part in typed.split(","):
            for number in _numbers(choices, part.strip()):
                if not 1 <= number <= len(choices):
                    raise AnswerError(
                        f"there is no choice {number}; type numbers from 1 to {len(choices)}"
                    )
                value = choices[number - 1].value
                if value in picked:
                    raise AnswerError(f"choice {number} is typed twice")
                picked.append(value)
        return check(tuple(picked))


_AND = re.compile(r"\s+and\s+|\s*&\s*", re.IGNORECASE)
"""What people type between the last two of a list: "1 and 3", "1, 2 & 3", "students and alumni"."""
_LEADING_AND = re.compile(r"^(?:and\s+|&\s*)", re.IGNORECASE)


def _numbers(choices: Sequence[Choice], part: str) -> list[int]:
    """The choice numbers one comma-separated part of a tick-box answer names: numbers (``1 3``,
    ``1 and 3``), choices in full (``alumni``), or both joined by "and" (``current students and
    alumni``); a choice whose own label holds "and" is taken whole. Raises AnswerError otherwise."""
    part = _LEADING_AND.sub("", part)  # "1, 2, and 3"
    if not part:
        return []
    named = _named(choices, part)
    if named is not None:
        return [choices.index(named) + 1]
    starts, ends = [0], []
    for joint in _AND.finditer(part):
        ends.append(joint.start())
        starts.append(joint.end())
    ends.append(len(part))
    numbers: list[int] = []
    first = 0
    while first < len(starts):
        # The longest run of pieces that is one choice in full, else the piece as numbers.
        for last in range(len(starts) - 1, first - 1, -1):
            named = _named(choices, part[starts[first] : ends[last]])
            if named is not None:
                numbers.append(choices.index(named) + 1)
                first = last + 1
                break
        else:
            typed = [choice_number(word) for word in part[starts[first] : ends[first]].split()]
            if not typed or None in typed:
                raise AnswerError(
                    "type the numbers of the choices from the list, separated by commas,"
                    " for example 1,3"
                )
            numbers += [number for number in typed if number is not None]
            first += 1
    return numbers


def widget_for(question: Question) -> PlainWidget:
    """The piece that takes ``question``'s answer, by its kind's widget (the table of kinds)."""
    widget = qtypes.spec(question.type).widget
    match widget:
        case Widget.YESNO:
            return PlainYesNo()
        case Widget.TEXT:
            return PlainText()
        case Widget.PICK_ONE:
            return PlainPickOne()
        case Widget.PICK_MANY:
            return PlainPickMany()
        case _:  # a widget without a case is a mypy error here (--strict checks exhaustiveness)
            assert_never(widget)

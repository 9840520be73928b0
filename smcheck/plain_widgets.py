"""The line-by-line asker's widgets: how plain mode takes each of the four kinds of answer.

:class:`~smcheck.plain.PlainAsker` prints a question and reads lines; the piece here for the question's
widget (:class:`~smcheck.qtypes.Widget`, from the table of kinds) says how to answer, and turns what was
typed (a number, a word, a line) into the value the engine's ``check``/``parse`` then judge. Nothing here
writes to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, assert_never

from smcheck import picking, qtypes
from smcheck.checklist import Question, Value
from smcheck.qtypes import Widget
from smcheck.values import AnswerError

Parse = Callable[[str], Value | None]
Check = Callable[[object], Value]


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
        return check(question.choices[picking.one(names_of(question), typed)].value)


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
        values = [c.value for c in question.choices]
        return check(tuple(values[i] for i in picking.many(names_of(question), typed)))


def names_of(question: Question) -> list[tuple[str, str]]:
    """Each choice's names a person may type: its label, and the value a record holds."""
    return [(c.label, c.value) for c in question.choices]


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

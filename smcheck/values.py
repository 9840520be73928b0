"""Answer validation: the one place that decides whether an answer is acceptable.

Typed answers (from an answers file, a draft, a record, a checklist default) go through
:func:`check_typed`; what a person types at a prompt goes through :func:`parse_text` first, which turns
text into the typed value and then calls :func:`check_typed`. So the interactive and the ``--answers``
runs, and ``verify``, share every validator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import assert_never

from smcheck import qtypes
from smcheck.checklist import QType, Question, Value, format_value, holds
from smcheck.qtypes import (
    DEFAULT_MAX_TEXT,
    NONE_OF_THESE,
    PATTERN_CHARACTERS,
    AnswerError,
    Widget,
    parse_date,
)

__all__ = [
    "DEFAULT_MAX_TEXT",
    "NONE_OF_THESE",
    "PATTERN_CHARACTERS",
    "AnswerError",
    "as_text",
    "check_comparable",
    "check_typed",
    "parse_date",
    "parse_text",
]
"""What each kind of question accepts lives in :mod:`smcheck.qtypes`; these names are kept here too, where
the rest of smcheck has always imported them."""


def check_typed(
    question: Question,
    value: object,
    *,
    today: dt.date,
    answers: Mapping[str, Value] | None = None,
) -> Value:
    """Validate a typed answer and return it in normal form, or raise :class:`AnswerError`.

    ``today`` is the date the answer is judged on (for ``min``/``max = "today"``): the current date (UTC)
    when answering, the record's creation date when verifying. ``answers`` are the other answers, for the
    checks that look at them (``differs_from``, a ``normalize`` prefix under a condition).
    """
    normal = qtypes.spec(question.type).check(question, value, today)
    rules = question.validate
    if not (rules.differs_from or rules.prefix):
        return normal
    return _with_answers(question, normal, answers or {})


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _with_answers(question: Question, value: Value, answers: Mapping[str, Value]) -> Value:
    assert isinstance(value, str)
    rules = question.validate
    if (
        rules.prefix
        and not value.startswith(rules.prefix)
        and (rules.prefix_when is None or holds(rules.prefix_when, answers))
    ):
        value = rules.prefix + value
        if question.type is QType.TEXT:
            value = str(qtypes.spec(QType.TEXT).check(question, value, dt.date.min))
    for other in rules.differs_from:
        given = answers.get(other)
        if isinstance(given, str) and _squash(given) == _squash(value):
            raise AnswerError(
                f"is the same as the answer to {other}"
                + (f": {rules.differs_hint}" if rules.differs_hint else "")
            )
    return value


def parse_text(
    question: Question,
    text: str,
    *,
    today: dt.date,
    answers: Mapping[str, Value] | None = None,
) -> Value | None:
    """Turn what a person typed into a typed answer and validate it.

    Returns None for a blank answer to an optional question; raises :class:`AnswerError` otherwise.
    """
    stripped = text.strip()
    if not stripped:
        if question.required:
            raise AnswerError("an answer is needed")
        return None
    kind = qtypes.spec(question.type)
    if kind.widget is Widget.TEXT:
        # "Who did you consult? Leave it blank if you have not yet": "no" would be recorded as a name,
        # and "yes" (typed for the yes-or-no question a person thought came next) as one too.
        blank = "" if question.required else f"; {LEAVE_BLANK}"
        if qtypes.yes_no_word(stripped) is not None:
            assert kind.typed is not None, "every text kind says how to type it (checked at import)"
            what = (
                "the answer in words" if question.type is QType.TEXT else kind.typed.plain(question)
            )
            raise AnswerError(f"this question is not answered yes or no: type {what}{blank}")
        if blank and stripped.casefold().rstrip(".!") in NO_ANSWER:
            raise AnswerError(LEAVE_BLANK)
    relative = _RELATIVE_DAYS.get(stripped.casefold()) if question.type is QType.DATE else None
    typed = (
        today + dt.timedelta(days=relative)
        if relative is not None
        else qtypes.spec(question.type).parse(stripped)
    )
    return check_typed(question, typed, today=today, answers=answers)


_RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}
"""Words a person types for a date near the day they answer on (read back as YYYY-MM-DD)."""


LEAVE_BLANK = "to leave it blank, press Enter with nothing typed"
"""How a refusal at an optional question says to leave it blank (plain mode, where Enter alone keeps an
answer given before, says its own way instead)."""

NO_ANSWER = frozenset(
    {"no", "none", "nobody", "no one", "noone", "nothing", "not yet", "n/a", "-", "--"}
)
"""What a person types to an optional question meaning "nothing to say" (compared in lower case): taken
as an answer, "no" would be recorded as the name of the person consulted, or the deputy. (Nothing that
is also a name: "Na" and "Nil" are surnames.)"""


def check_comparable(question: Question, value: object) -> None:
    """Check that a condition's value could be an answer to ``question`` (type and choices only)."""
    qtypes.spec(question.type).compare(question, value)


def as_text(question: Question, value: Value) -> str:
    """An answer as it is shown in prompts and review tables (choice labels, dates ISO, yes/no)."""
    widget = qtypes.spec(question.type).widget
    match widget:
        case Widget.PICK_ONE if isinstance(value, str):
            return question.label_of(value)
        case Widget.PICK_MANY if isinstance(value, tuple):
            return ", ".join(question.label_of(v) for v in value) if value else "(none)"
        case Widget.YESNO | Widget.TEXT | Widget.PICK_ONE | Widget.PICK_MANY:
            return format_value(value)
        case _:
            assert_never(widget)

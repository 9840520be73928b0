"""Answer validation: the one place that decides whether an answer is acceptable.

Typed answers (from an answers file, a draft, a record, a checklist default) go through
:func:`check_typed`; what a person types at a prompt goes through :func:`parse_text` first, which turns
text into the typed value and then calls :func:`check_typed`. So the interactive and the ``--answers``
runs, and ``verify``, share every validator.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping

from smcheck.checklist import (
    DateBound,
    QType,
    Question,
    Value,
    compile_pattern,
    format_value,
    holds,
)
from smcheck.text import codepoint, first_hidden, quoted
from smcheck.tomlread import type_name

DEFAULT_MAX_TEXT = 2000

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
)
_HOST = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)

_YES = {"y", "yes", "true"}
_NO = {"n", "no", "false"}


class AnswerError(ValueError):
    """An answer is not acceptable; the message says why in plain words."""


_DAY = dt.timedelta(days=1)


def _resolve(bound: DateBound, today: dt.date, slack: dt.timedelta) -> dt.date:
    """A bound's date. ``"today"`` is today somewhere on Earth: a day either way of the UTC date the
    answer is judged on, so a person's own today is never refused in any time zone."""
    return today + slack if isinstance(bound, str) else bound


def _bound_text(bound: DateBound) -> str:
    return bound if isinstance(bound, str) else bound.isoformat()


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
    normal = _CHECKERS[question.type](question, value, today)
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
            value = str(_text(question, value, dt.date.min))
    for other in rules.differs_from:
        given = answers.get(other)
        if isinstance(given, str) and _squash(given) == _squash(value):
            raise AnswerError(
                f"is the same as the answer to {other}"
                + (f": {rules.differs_hint}" if rules.differs_hint else "")
            )
    return value


def _yesno(question: Question, value: object, today: dt.date) -> Value:
    if type(value) is not bool:
        raise AnswerError(f"must be yes or no (true or false), not {type_name(value)}")
    return value


def _date(question: Question, value: object, today: dt.date) -> Value:
    if type(value) is not dt.date:
        raise AnswerError(f"must be a date like 2027-01-31, not {type_name(value)}")
    rules = question.validate
    if rules.min_date is not None and value < _resolve(rules.min_date, today, -_DAY):
        raise AnswerError(f"must be {_bound_text(rules.min_date)} or later")
    if rules.max_date is not None and value > _resolve(rules.max_date, today, _DAY):
        raise AnswerError(f"must be {_bound_text(rules.max_date)} or earlier")
    return value


NONE_OF_THESE = "none"
"""The value of a tick-box question's "none of these" choice: an answer on its own, never ticked with
another (a checklist offers it where the policy allows the answer none, and its rules say what follows)."""


def _multi(question: Question, value: object, today: dt.date) -> Value:
    if type(value) is not list and type(value) is not tuple:
        raise AnswerError(f"must be a list of choices, not {type_name(value)}")
    assert isinstance(value, list | tuple)
    known = [c.value for c in question.choices]
    picked: set[str] = set()
    for item in value:
        if type(item) is not str:
            raise AnswerError(f"each choice must be a string, not {type_name(item)}")
        if item not in known:
            raise AnswerError(f"{item!r} is not one of the choices ({', '.join(known)})")
        if item in picked:
            raise AnswerError(f"{item!r} is chosen twice")
        picked.add(item)
    if NONE_OF_THESE in picked and len(picked) > 1:
        label = next(c.label for c in question.choices if c.value == NONE_OF_THESE)
        raise AnswerError(
            f"{quoted(label)} is an answer on its own: untick it, or untick the other choices"
        )
    rules = question.validate
    low = rules.min_items if rules.min_items is not None else (1 if question.required else 0)
    if len(picked) < low:
        raise AnswerError("choose at least one" if low == 1 else f"choose at least {low}")
    if rules.max_items is not None and len(picked) > rules.max_items:
        raise AnswerError(f"choose at most {rules.max_items}")
    return tuple(c for c in known if c in picked)


def _one_line(value: object) -> str:
    """What every string kind asks first: a string, not blank, on one line, with nothing invisible."""
    if type(value) is not str:
        raise AnswerError(f"must be a string, not {type_name(value)}")
    text = value.strip()
    if not text:
        raise AnswerError("must not be empty")
    bad = first_hidden(text)
    if bad is not None:
        raise AnswerError(
            f"contains a control or invisible character ({codepoint(bad)}); type the answer on one line"
        )
    return text


def _choice(question: Question, value: object, today: dt.date) -> Value:
    text = _one_line(value)
    known = [c.value for c in question.choices]
    if text not in known:
        raise AnswerError(f"{text!r} is not one of the choices ({', '.join(known)})")
    return text


def _sized(question: Question, value: object) -> str:
    """A string kind's text, within its length bounds."""
    text = _one_line(value)
    rules = question.validate
    longest = rules.max_length if rules.max_length is not None else DEFAULT_MAX_TEXT
    if len(text) > longest:
        raise AnswerError(f"is {len(text)} characters long; at most {longest} are allowed")
    if rules.min_length is not None and len(text) < rules.min_length:
        raise AnswerError(f"is too short; at least {rules.min_length} characters are needed")
    return text


PATTERN_CHARACTERS = "*?,!"
"""Characters an OpenSSH ``allowed_signers`` file reads as a pattern in a principal (``*@essex.ac.uk``,
``a@x,b@x``, ``!x@y``): an address that holds one, pasted into a trust line, would let the key sign as
other people. No email answer may hold one, so no sign-off email and no ``keygen --email`` can."""

_QUOTES = "'\"`"


def _email(question: Question, value: object, today: dt.date) -> Value:
    text = _sized(question, value)
    if "@" not in text:
        raise AnswerError("is not an email address like name@example.ac.uk")
    # Each character a trust line would misread, or a reader would misread, is named on its own, before
    # the general form: the person learns what to change.
    for char in text:
        if char in PATTERN_CHARACTERS:
            raise AnswerError(
                f"contains {char!r}: a reviewer's trust file reads * ? , and ! as a pattern for many"
                " addresses; give your own address alone, like name@example.ac.uk"
            )
        if char in _QUOTES:
            raise AnswerError(f"contains a quote ({char}); give the address without quotes")
        if char.isspace():
            raise AnswerError("contains a space; give one address, like name@example.ac.uk")
        if not char.isascii():
            raise AnswerError(
                f"contains {codepoint(char)} ({unicodedata.name(char, 'unnamed')}), which is not a plain"
                " English letter; type the address in plain letters (a look-alike letter from"
                " another alphabet makes it another address)"
            )
    match = _EMAIL.fullmatch(text)
    if match is None:
        raise AnswerError("is not an email address like name@example.ac.uk")
    domains = question.validate.domains
    domain = match.group(1).lower()
    if domains and not any(domain == d or domain.endswith("." + d) for d in domains):
        raise AnswerError(f"must be an address at {' or '.join(domains)}")
    return text


def _url(question: Question, value: object, today: dt.date) -> Value:
    text = _sized(question, value)
    if len(text.split()) > 1:  # str.split() splits at exactly what str.isspace() calls a space
        raise AnswerError("must not contain spaces")
    from urllib.parse import urlsplit

    schemes = question.validate.schemes
    parts = urlsplit(text)
    if parts.scheme.lower() not in schemes:
        raise AnswerError(f"must start with {' or '.join(s + '://' for s in schemes)}")
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if not _HOST.fullmatch(host):
        raise AnswerError(
            "needs a web address with a site name, like https://www.instagram.com/name"
        )
    return text


def _text(question: Question, value: object, today: dt.date) -> Value:
    text = _sized(question, value)
    rules = question.validate
    if rules.pattern is not None:
        # RE2, never Python's backtracking re: the checklist may come from anyone (see checklist.Pattern).
        # A loaded checklist brings its patterns compiled; a question built in code is compiled here.
        pattern = rules.compiled or compile_pattern(rules.pattern)
        if not pattern.fullmatch(text):
            raise AnswerError(
                f"should be {rules.pattern_hint}" if rules.pattern_hint else "has the wrong form"
            )
    return text


_CHECKERS: dict[QType, Callable[[Question, object, dt.date], Value]] = {
    QType.YESNO: _yesno,
    QType.DATE: _date,
    QType.MULTI: _multi,
    QType.CHOICE: _choice,
    QType.EMAIL: _email,
    QType.URL: _url,
    QType.TEXT: _text,
}
"""One checker per kind of question (a dictionary lookup, not a chain of comparisons: verify runs this
for every answer of every record in a batch)."""


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ISO_LIKE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_OTHER_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})")


def parse_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD (one-digit months and days allowed), or the reason it is not one, in
    words: "there is no 30 February", "there is no month 13". Day-first or month-first forms
    (02/03/2027) are refused, since they are read differently in the UK and the US."""
    match = _ISO_LIKE.fullmatch(text)
    if match is None:
        other = _OTHER_DATE.fullmatch(text)
        if other:
            raise AnswerError(_other_order(text, *other.groups()))
        raise AnswerError("type a date as YYYY-MM-DD, like 2027-01-31")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise AnswerError(f"there is no month {month}: the month comes second (YYYY-MM-DD)")
    if year < 1:
        raise AnswerError("there is no year 0")
    try:
        return dt.date(year, month, day)
    except ValueError:
        name = _MONTHS[month - 1]
        if month == 2 and day == 29:
            raise AnswerError(f"there is no 29 February in {year}") from None
        raise AnswerError(f"there is no {day} {name}") from None


def _other_order(typed: str, first: str, second: str, year_text: str) -> str:
    """Why a date typed day-first or month-first (``01/03/2027``) is refused, about what was typed:
    the two dates it could be, the one date it can only be, or why it is no date at all."""
    if len(year_text) != 4:
        return f"type the year in full, year first, as YYYY-MM-DD (like 2027-01-31), not {typed}"
    year, a, b = int(year_text), int(first), int(second)
    readings: list[tuple[int, int]] = []  # (day, month): the UK's reading first, then the US's
    for day, month in ((a, b), (b, a)):
        if (day, month) not in readings:
            readings.append((day, month))
    dates = []
    for day, month in readings:
        try:
            dates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if len(dates) == 2:
        one, other = dates
        return (
            f"{typed} could be {one.day} {_MONTHS[one.month - 1]} or {other.day}"
            f" {_MONTHS[other.month - 1]}: type the date year first, as {one.isoformat()} or"
            f" {other.isoformat()}"
        )
    if len(dates) == 1:
        return f"type the date year first (YYYY-MM-DD): {dates[0].isoformat()}"
    for day, month in readings:
        if 1 <= month <= 12 and year >= 1:
            said = (
                f"there is no 29 February in {year}"
                if month == 2 and day == 29
                else f"there is no {day} {_MONTHS[month - 1]}"
            )
            return f"{said}; type the date year first, as YYYY-MM-DD"
    return f"there is no month {max(a, b)}: type the date year first, as YYYY-MM-DD"


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
    if question.type is QType.YESNO:
        lowered = stripped.lower()
        if lowered in _YES:
            return True
        if lowered in _NO:
            return False
        raise AnswerError("answer yes or no")
    if question.type is QType.DATE:
        return check_typed(question, parse_date(stripped), today=today, answers=answers)
    if question.type is QType.MULTI:
        items = [part.strip() for part in stripped.split(",") if part.strip()]
        return check_typed(question, items, today=today, answers=answers)
    return check_typed(question, stripped, today=today, answers=answers)


def check_comparable(question: Question, value: object) -> None:
    """Check that a condition's value could be an answer to ``question`` (type and choices only)."""
    kind = question.type
    if kind is QType.MULTI and type(value) is str:
        known = [c.value for c in question.choices]
        if value not in known:
            raise AnswerError(f"{value!r} is not one of its choices ({', '.join(known)})")
        return
    if kind is QType.YESNO and type(value) is not bool:
        raise AnswerError(f"{question.id} is yes/no, so compare with true or false")
    if kind is QType.DATE and type(value) is not dt.date:
        raise AnswerError(f"{question.id} is a date, so compare with a date")
    if kind in (QType.TEXT, QType.EMAIL, QType.URL, QType.CHOICE) and type(value) is not str:
        raise AnswerError(f"{question.id} is {kind}, so compare with a string")
    if kind is QType.CHOICE:
        known = [c.value for c in question.choices]
        if value not in known:
            raise AnswerError(f"{value!r} is not one of its choices ({', '.join(known)})")


def as_text(question: Question, value: Value) -> str:
    """An answer as it is shown in prompts and review tables (choice labels, dates ISO, yes/no)."""
    if question.type is QType.CHOICE and isinstance(value, str):
        return question.label_of(value)
    if question.type is QType.MULTI and isinstance(value, tuple):
        return ", ".join(question.label_of(v) for v in value) if value else "(none)"
    return format_value(value)

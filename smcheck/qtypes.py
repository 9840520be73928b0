"""Question kinds, one table: everything smcheck knows about a kind of question, in one place.

For each :class:`~smcheck.checklist.QType` the table :data:`KINDS` holds a :class:`KindSpec`: how typed text
becomes an answer (``parse``) and how an answer is checked (``check``), the validators and options a
checklist may give it, the conditions that may look at it, its JSON-Schema fragment, its example in an
answers template, and the widget the askers show (yes/no, a line of text, pick one, pick many). Every other
module asks this table (through :func:`spec`), so adding a kind is one entry here, and nothing else can be
forgotten quietly:

- the table is checked at import: a kind of the enum without an entry (or an entry for no kind) stops
  smcheck from starting (:func:`check_table`);
- a kind without an entry is never treated as text: :func:`spec` raises :class:`IncompleteTable`;
- each ``match`` on a kind or a widget ends in :func:`typing.assert_never`: mypy (``--strict``) reports a
  ``match`` that misses a member, and at run time an unknown one raises instead of falling back to text.
  The askers (:mod:`smcheck.plain_widgets`, :mod:`smcheck.prompts.widgets`) hold one piece per widget,
  chosen by such a ``match``.

Answer validation itself (``check_typed``, ``parse_text``: the checks that look at other answers too) stays
in :mod:`smcheck.values`, which dispatches here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, NamedTuple, TypeAlias

from smcheck.checklist import DateBound, QType, Question, Value, compile_pattern
from smcheck.text import codepoint, first_hidden, quoted, visible
from smcheck.tomlread import type_name

Schema: TypeAlias = dict[str, Any]
"""A JSON Schema (or a fragment of one), as :mod:`json` writes it."""

DEFAULT_MAX_TEXT = 2000
"""The longest answer a string kind takes when its question sets no ``max_length``."""

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
)
_HOST = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)

_YES = frozenset({"y", "yes", "true"})
_NO = frozenset({"n", "no", "false"})


def yes_no_word(text: str) -> bool | None:
    """What a person typed as yes (True) or no (False): ``yes``, ``y`` or ``true``, ``no``, ``n`` or
    ``false``, in any case, with spaces around and a full stop or ``!`` after (``Yes.``); anything
    else None. Every yes/no a person answers (a question, "end the interview now?") reads it so."""
    word = text.strip().rstrip(".!").rstrip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


class AnswerError(ValueError):
    """An answer is not acceptable; the message says why in plain words."""


class Widget(StrEnum):
    """How an asker takes an answer: the kinds of question share four."""

    YESNO = "yes/no"
    """A whole word: yes or no."""
    TEXT = "text"
    """A line of text (a date, an address and a web address are typed too)."""
    PICK_ONE = "pick one"
    """One of the question's choices."""
    PICK_MANY = "pick many"
    """Any of the question's choices (tick boxes)."""


# -- checks, one per kind --------------------------------------------------------------------------

_DAY = dt.timedelta(days=1)


def _resolve(bound: DateBound, today: dt.date, slack: dt.timedelta) -> dt.date:
    """A bound's date. ``"today"`` is today somewhere on Earth: a day either way of the UTC date the
    answer is judged on, so a person's own today is never refused in any time zone."""
    return today + slack if isinstance(bound, str) else bound


def _bound_text(bound: DateBound) -> str:
    return bound if isinstance(bound, str) else bound.isoformat()


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
    return tuple([c for c in known if c in picked])  # a list first: no generator per answer


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
    return _within_length(question, _one_line(value))


def _within_length(question: Question, text: str) -> str:
    """``text`` when it is within the question's length bounds, else AnswerError."""
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
_PLAIN_ADDRESS = re.compile(
    "["
    + re.escape(
        "".join(c for c in map(chr, range(0x21, 0x7F)) if c not in PATTERN_CHARACTERS + _QUOTES)
    )
    + "]+"
)
"""Printable ASCII with none of the characters the loop below names (pattern characters, quotes,
spaces): an address of it needs no character-by-character look. (Written as the characters it
allows: a class that excludes up to U+10FFFF takes ``re`` some 2.5 ms to compile, at every start.)"""


def _email(question: Question, value: object, today: dt.date) -> Value:
    text = _sized(question, value)
    if "@" not in text:
        raise AnswerError("is not an email address like name@example.ac.uk")
    # Each character a trust line would misread, or a reader would misread, is named on its own, before
    # the general form: the person learns what to change. (Most addresses hold none: one match says so.)
    for char in "" if _PLAIN_ADDRESS.fullmatch(text) else text:
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
    schemes = question.validate.schemes
    # The scheme a browser adds counts in the length, as the record holds it.
    text = _within_length(question, _with_scheme(_one_line(value), schemes))
    if len(text.split()) > 1:  # str.split() splits at exactly what str.isspace() calls a space
        raise AnswerError("must not contain spaces")
    from urllib.parse import urlsplit

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


_SITE_FIRST = re.compile(_HOST.pattern + r"(?::[0-9]{1,5})?(?:[/?#]|$)")
"""An address that begins with a site name (``www.instagram.com/name``, ``instagram.com``): what a
person copies from a browser's address bar, which shows no ``https://``."""


def _with_scheme(text: str, schemes: tuple[str, ...]) -> str:
    """``text`` with the web scheme a browser would add (``https://``, or ``http://`` where only that is
    allowed) when it begins with a site name and has no scheme; else ``text`` as it is."""
    if "://" in text or not _SITE_FIRST.match(text):
        return text
    for scheme in ("https", "http"):
        if scheme in schemes:
            return f"{scheme}://{text}"
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


# -- typed text ------------------------------------------------------------------------------------

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
_NAMED_DATE = (
    r"(?i:(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?"
    r"|(?P<month2>[a-z]+)\.?\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?),?\s+(?P<year>\d{1,4}))"
)
"""A date with its month in words, day first or month first (``18 January 2027``, ``Jan 18, 2027``): it
has one reading only, so it is taken (and read back as YYYY-MM-DD). Compiled by ``re`` when a date
is first typed so (and kept in its cache), not at every start: it takes a millisecond."""


def _month_named(word: str) -> int | None:
    """The month a word names: in full or by its first three letters or more (``Jan``, ``Sept``), any
    case; None for any other word."""
    word = word.lower()
    if len(word) < 3:
        return None
    found = [n for n, name in enumerate(_MONTHS, 1) if name.lower().startswith(word)]
    return found[0] if len(found) == 1 else None


def parse_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD (one-digit months and days allowed), or the reason it is not one, in
    words: "there is no 30 February", "there is no month 13". Day-first or month-first forms
    (02/03/2027) are refused, since they are read differently in the UK and the US."""
    match = _ISO_LIKE.fullmatch(text)
    if match is None:
        other = _OTHER_DATE.fullmatch(text)
        if other:
            raise AnswerError(_other_order(text, *other.groups()))
        named = re.fullmatch(_NAMED_DATE, text.strip())
        month_word = named and (named["month"] or named["month2"])
        month_of = _month_named(month_word) if month_word else None
        if named is None or month_of is None:
            raise AnswerError("type a date as YYYY-MM-DD, like 2027-01-31")
        if len(named["year"]) != 4:
            raise AnswerError(
                f"type the year in full, as in 18 January 2027 or 2027-01-18, not {text}"
            )
        year, month, day = int(named["year"]), month_of, int(named["day"] or named["day2"])
        return _a_date(year, month, day)
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise AnswerError(f"there is no month {month}: the month comes second (YYYY-MM-DD)")
    return _a_date(year, month, day)


def _a_date(year: int, month: int, day: int) -> dt.date:
    """The date, or why there is none, in words ("there is no 31 April"); ``month`` is 1 to 12."""
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


def _yes_or_no(text: str) -> object:
    word = yes_no_word(text)
    if word is None:
        raise AnswerError("answer yes or no")
    return word


def _comma_list(text: str) -> object:
    return [part.strip() for part in text.split(",") if part.strip()]


def _as_typed(text: str) -> object:
    return text


# -- what a condition may compare an answer with -----------------------------------------------------


def _known_choice(question: Question, value: object) -> None:
    known = [c.value for c in question.choices]
    if value not in known:
        raise AnswerError(f"{value!r} is not one of its choices ({', '.join(known)})")


def _compare_yesno(question: Question, value: object) -> None:
    if type(value) is not bool:
        raise AnswerError(f"{question.id} is yes/no, so compare with true or false")


def _compare_date(question: Question, value: object) -> None:
    if type(value) is not dt.date:
        raise AnswerError(f"{question.id} is a date, so compare with a date")


def _compare_string(question: Question, value: object) -> None:
    if type(value) is not str:
        raise AnswerError(f"{question.id} is {question.type}, so compare with a string")


def _compare_choice(question: Question, value: object) -> None:
    _compare_string(question, value)
    _known_choice(question, value)


def _compare_multi(question: Question, value: object) -> None:
    if type(value) is str:  # ``contains`` (or ``equals`` one box) names one of its choices
        _known_choice(question, value)


# -- JSON-Schema fragments ------------------------------------------------------------------------------


def email_schema(domains: tuple[str, ...]) -> Schema:
    """An email address, at one of ``domains`` or a subdomain of one when there are any. JSON Schema
    patterns take no flags, so the domain's letters match either case, as smcheck compares them."""
    schema: Schema = {"format": "email"}
    if domains:
        either = "|".join(
            "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in domain)
            for domain in domains
        )
        schema["pattern"] = f"@([^@]*\\.)?({either})$"
    return schema


def _string_schema(question: Question) -> Schema:
    rules = question.validate
    return {
        "type": "string",
        "minLength": max(1, rules.min_length or 1),
        "maxLength": rules.max_length or DEFAULT_MAX_TEXT,
    }


def _text_schema(question: Question) -> Schema:
    schema = _string_schema(question)
    if question.validate.pattern:
        schema["pattern"] = f"^(?:{question.validate.pattern})$"
    return schema


def _email_schema(question: Question) -> Schema:
    return _string_schema(question) | email_schema(question.validate.domains)


def _url_schema(question: Question) -> Schema:
    return _string_schema(question) | {"format": "uri"}


def _multi_schema(question: Question) -> Schema:
    rules = question.validate
    schema: Schema = {
        "type": "array",
        "uniqueItems": True,
        "items": {"enum": [c.value for c in question.choices]},
        "minItems": rules.min_items if rules.min_items is not None else int(question.required),
    }
    if rules.max_items is not None:
        schema["maxItems"] = rules.max_items
    return schema


# -- examples in an answers template (TOML values) -----------------------------------------------------


def _json(value: object) -> str:
    import json  # only `checklist template` writes examples

    return json.dumps(value)


def _in_a_month(question: Question) -> str:
    return (dt.date.today() + dt.timedelta(days=30)).isoformat()


# -- the table ------------------------------------------------------------------------------------------

Checker: TypeAlias = Callable[[Question, object, dt.date], Value]
"""Checks a typed answer against its question on the day given, returns it in normal form or raises
:class:`AnswerError`."""

_LENGTHS = frozenset({"min_length", "max_length", "differs_from", "differs_hint"})
"""The validators every string kind typed freely takes."""


class Typed(NamedTuple):
    """How to type an answer of a kind the askers take as a line of text (:attr:`Widget.TEXT`)."""

    plain: Callable[[Question], str]
    """What to type, as the line-by-line asker says it after "Type " ("the date as YYYY-MM-DD, ...")."""
    screen: str
    """The same, as the full-screen prompt's instruction says it ("type your answer, then Enter")."""


_ON_ONE_LINE = Typed(lambda question: "your answer on one line", "type your answer, then Enter")


def _web_address(question: Question) -> str:
    schemes = " or ".join(s + "://" for s in question.validate.schemes)
    return f"a web address starting with {visible(schemes)}"


class KindSpec(NamedTuple):
    """Everything smcheck knows about one kind of question (a NamedTuple: cheap to define at start-up)."""

    widget: Widget
    """How the askers take the answer."""
    check: Checker
    """Checks a typed answer (from a file, a draft, a record, a picked choice); the answer's normal form."""
    parse: Callable[[str], object]
    """What a person typed (stripped, not blank) as the typed value ``check`` then judges; may raise
    :class:`AnswerError` ("answer yes or no")."""
    compare: Callable[[Question, object], None]
    """Checks that a condition's value could be an answer (type and choices); raises AnswerError."""
    schema: Callable[[Question], Schema]
    """The JSON-Schema fragment of one answer (without its description)."""
    example: Callable[[Question], str]
    """The example answer an answers template shows when the question has no default (TOML text)."""
    described: str
    """The answer's type in a template's ``# Type:`` line."""
    validators: frozenset[str] = frozenset()
    """The ``validate`` keys a checklist may give a question of this kind (and ``normalize``)."""
    ops: frozenset[str] = frozenset()
    """The condition operators that only some kinds take (``mentions``, ``before``, ``after``,
    ``contains``) which may look at an answer of this kind."""
    typed: Typed | None = None
    """How to type the answer: every kind whose widget is :attr:`Widget.TEXT` has it, no other."""
    likely: Value | None = None
    """A text kind's stand-in answer for "question N of M" (a text is counted as answered; a date is
    not, since rules compare dates with the day)."""
    quoted_in_files: bool = False
    """Whether an answers file may give the answer in quotes, read as if typed at a prompt: a date
    (``"2027-01-18"``), which the answers schema, as Taplo reads TOML, cannot tell from one unquoted."""

    @property
    def has_choices(self) -> bool:
        """Whether a question of this kind lists choices (and an answer shows their labels)."""
        return self.widget in (Widget.PICK_ONE, Widget.PICK_MANY)


KINDS: Mapping[QType, KindSpec] = {
    QType.YESNO: KindSpec(
        widget=Widget.YESNO,
        check=_yesno,
        parse=_yes_or_no,
        compare=_compare_yesno,
        schema=lambda question: {"type": "boolean"},
        example=lambda question: "true",
        described="true or false",
    ),
    QType.TEXT: KindSpec(
        widget=Widget.TEXT,
        typed=_ON_ONE_LINE,
        check=_text,
        parse=_as_typed,
        compare=_compare_string,
        schema=_text_schema,
        example=lambda question: '""',
        described="text",
        validators=_LENGTHS | {"pattern", "pattern_hint", "normalize"},
        ops=frozenset({"mentions"}),
        likely="...",
    ),
    QType.EMAIL: KindSpec(
        widget=Widget.TEXT,
        typed=Typed(lambda question: "an email address", "type your answer, then Enter"),
        check=_email,
        parse=_as_typed,
        compare=_compare_string,
        schema=_email_schema,
        example=lambda question: '"name@example.ac.uk"',
        described="email",
        validators=_LENGTHS | {"domains"},
        likely="...",
    ),
    QType.URL: KindSpec(
        widget=Widget.TEXT,
        typed=Typed(_web_address, "type your answer, then Enter"),
        check=_url,
        parse=_as_typed,
        compare=_compare_string,
        schema=_url_schema,
        example=lambda question: '"https://"',
        described="url",
        validators=_LENGTHS | {"schemes"},
        likely="...",
    ),
    QType.DATE: KindSpec(
        widget=Widget.TEXT,
        typed=Typed(
            lambda question: "the date as YYYY-MM-DD, for example 2027-01-31",
            "a date as YYYY-MM-DD, then Enter",
        ),
        check=_date,
        parse=parse_date,
        compare=_compare_date,
        schema=lambda question: {"type": "string", "format": "date"},
        example=_in_a_month,
        described="a date, YYYY-MM-DD",
        validators=frozenset({"min", "max"}),
        ops=frozenset({"before", "after"}),
        quoted_in_files=True,
    ),
    QType.CHOICE: KindSpec(
        widget=Widget.PICK_ONE,
        check=_choice,
        parse=_as_typed,
        compare=_compare_choice,
        schema=lambda question: {"enum": [c.value for c in question.choices]},
        example=lambda question: _json(question.choices[0].value),
        described="choice",
    ),
    QType.MULTI: KindSpec(
        widget=Widget.PICK_MANY,
        check=_multi,
        parse=_comma_list,
        compare=_compare_multi,
        schema=_multi_schema,
        example=lambda question: _json([question.choices[0].value]),
        described="a list of choices",
        validators=frozenset({"min_items", "max_items"}),
        ops=frozenset({"contains"}),
    ),
}
"""The one table of question kinds (in the enum's order, which messages listing kinds follow)."""


class IncompleteTable(TypeError):
    """A table keyed by an enum misses a member (or holds a key that is none): a bug in smcheck."""


def check_complete(table: Mapping[Any, object], members: Any, name: str) -> None:
    """Raise :class:`IncompleteTable` unless ``table`` has exactly one entry per member of the enum
    ``members``: run at import on every such table, so a new kind or widget stops smcheck from
    starting until each table knows it."""
    missing = [str(member) for member in members if member not in table]
    extra = [str(key) for key in table if key not in set(members)]
    if missing or extra:
        raise IncompleteTable(
            f"{name} is incomplete:"
            + (f" no entry for {', '.join(missing)}" if missing else "")
            + (f" an entry for unknown {', '.join(extra)}" if extra else "")
        )


def check_table(table: Mapping[QType, KindSpec], kinds: Any = QType) -> None:
    """Raise :class:`IncompleteTable` unless ``table`` is a whole table of ``kinds``: an entry for each,
    and ``typed`` given for exactly the kinds taken as a line of text. Run on :data:`KINDS` at import."""
    check_complete(table, kinds, "smcheck.qtypes.KINDS (question kinds)")
    for kind, entry in table.items():
        if (entry.widget is Widget.TEXT) != (entry.typed is not None):
            raise IncompleteTable(
                f"smcheck.qtypes.KINDS[{str(kind)!r}]: a kind taken as text says how to type it"
                " (typed), and only such a kind"
            )


check_table(KINDS)


def spec(kind: QType) -> KindSpec:
    """The table's entry for ``kind``; a kind without one raises :class:`IncompleteTable` (never a
    fall-back to text)."""
    try:
        return KINDS[kind]
    except KeyError:
        raise IncompleteTable(
            f"question kind {str(kind)!r} has no entry in smcheck.qtypes.KINDS"
        ) from None


def kinds_with(allowed: Callable[[KindSpec], bool]) -> tuple[QType, ...]:
    """The kinds whose entry passes ``allowed``, in the enum's order (for messages that list them)."""
    return tuple(kind for kind, entry in KINDS.items() if allowed(entry))


def kinds_taking(key: str) -> tuple[QType, ...]:
    """The kinds whose questions may have the validator (or option) ``key``."""
    return kinds_with(lambda entry: key in entry.validators)


def kinds_comparing(op: str) -> tuple[QType, ...]:
    """The kinds a condition with the operator ``op`` may look at (``contains``: multi)."""
    return kinds_with(lambda entry: op in entry.ops)


def names(kinds: tuple[QType, ...]) -> str:
    """Kinds as a message lists them: ``text, email, url``."""
    return ", ".join(kind.value for kind in kinds)

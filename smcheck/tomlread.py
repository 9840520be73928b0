"""Strict reading of parsed TOML into models: every unknown key and wrong type is reported with its place.

A :class:`Table` wraps one TOML table. Reading a key marks it as known; :meth:`Table.finish` reports the
keys nobody asked for. Problems are collected rather than raised so that a linter can list them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from types import ModuleType
from typing import TypeVar

from smcheck.timeutil import OutOfRange, bounded_day, utc_moment

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

MAX_DEPTH = 32
"""smcheck's files nest three or four tables deep; TOML nested deeper than this is refused."""

_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_LONG_KEY = re.compile(
    rf"(?:^|[\[{{,])[ \t]*+{_KEY_PART}(?:[ \t]*+\.[ \t]*+{_KEY_PART}){{{MAX_DEPTH},}}",
    re.MULTILINE,
)
"""A dotted key of more than MAX_DEPTH parts where a key may start (a line, or after ``[``, ``{`` or
``,``): tomllib spends time quadratic in the number of parts on such a key (and memory too, for a
key/value pair), so a 1 MiB file could take minutes and exhaust memory. Rarely, text inside a string
that looks like such a key is refused too."""


_DOTTY_LINE = re.compile(rf"\.(?:[^.\n]*+\.){{{MAX_DEPTH - 1}}}")
"""MAX_DEPTH dots on one line (the search skips from dot to dot, so it is linear in practice)."""


class TomlProblem(ValueError):
    """A text is not TOML smcheck will read; ``code`` is ``toml-syntax`` or ``too-deep``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parser() -> ModuleType:
    """The TOML parser: ``tomli`` where it is installed (its wheels are compiled with mypyc, some three
    times faster than ``tomllib``, and the versions smcheck allows read TOML 1.0 exactly as ``tomllib``
    does: tests/test_tomlread.py compares them), else the standard library's ``tomllib``, which is the
    same parser as pure Python. tomli 2.4 and later read TOML 1.1 (``\\e``, times without seconds,
    newlines in inline tables), which tomllib refuses: pyproject.toml keeps it below 2.4."""
    global _parser
    if _parser is None:
        import importlib

        try:
            _parser = importlib.import_module("tomli")
        except ImportError:
            _parser = importlib.import_module("tomllib")
    return _parser


_parser: ModuleType | None = None


def loads_guarded(
    text: str, *, depth: bool = True, toml: ModuleType | None = None
) -> dict[str, object]:
    """``tomllib.loads`` that refuses, quickly and in bounded memory, what would make tomllib crawl or
    recurse: over-long dotted keys and nesting deeper than :data:`MAX_DEPTH`. Every file smcheck reads
    (records, checklists, answers files, drafts) goes through it. ``toml`` is the parser module
    (``tomllib`` or ``tomli``), :func:`parser` unless given (the tests give each)."""
    module = toml or parser()
    # A dotted key cannot span lines, so a text with no line of MAX_DEPTH dots cannot hold a long
    # one: the costlier regular expression runs only where it could match.
    if _DOTTY_LINE.search(text) and _LONG_KEY.search(text):
        raise _too_deep()
    try:
        doc: dict[str, object] = module.loads(text)
    except module.TOMLDecodeError as exc:
        raise TomlProblem("toml-syntax", f"is not valid TOML: {exc}") from None
    except RecursionError:
        raise _too_deep() from None
    if depth and _nests_below(doc, 0):
        raise _too_deep()
    return doc


def _too_deep() -> TomlProblem:
    return TomlProblem("too-deep", f"is nested too deeply (over {MAX_DEPTH} levels)")


_CONTAINERS = (dict, list)


def _nests_below(node: dict[str, object] | list[object], level: int) -> bool:
    """Whether ``node``, ``level`` levels deep, holds anything deeper than :data:`MAX_DEPTH` (leaves
    counted: a value in the top table is one level deep). It recurses at most MAX_DEPTH times, whatever
    the document: what lies below that is never visited."""
    if level >= MAX_DEPTH:
        return len(node) > 0
    below = level + 1
    for child in node.values() if type(node) is dict else node:
        if isinstance(child, _CONTAINERS) and _nests_below(child, below):
            return True
    return False


_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    bool: "a boolean (true or false)",
    int: "an integer",
    float: "a number",
    list: "an array",
    dict: "a table",
    dt.date: "a date (like 2027-01-31)",
    dt.datetime: "a date and time",
}


def type_name(value: object) -> str:
    """Say in words what TOML type ``value`` has."""
    if isinstance(value, dt.datetime):
        return _TYPE_NAMES[dt.datetime]
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


class Problems:
    """Collects ``place: message`` lines for one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        """Record one problem at ``where`` (a dotted/indexed place in the file)."""
        parts = [part for part in (self.source, where) if part]
        self.lines.append(": ".join([*parts, message]))

    def __bool__(self) -> bool:
        return bool(self.lines)


class Table:
    """One TOML table being read strictly."""

    def __init__(self, data: Mapping[str, object], where: str, problems: Problems) -> None:
        self.data = data
        self.where = where
        self.problems = problems
        self._seen: set[str] = set()

    def at(self, key: str) -> str:
        """The place of ``key`` in the file, for messages."""
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        """Whether ``key`` is present (marks it as known)."""
        self._seen.add(key)
        return key in self.data

    def raw(self, key: str) -> object | None:
        """The value of ``key`` as parsed, or None when absent."""
        self._seen.add(key)
        return self.data.get(key)

    def _typed(self, key: str, kind: type[T], required: bool) -> T | None:
        self._seen.add(key)
        if key not in self.data:
            if required:
                self.problems.add(self.at(key), f"missing; it must be {_TYPE_NAMES[kind]}")
            return None
        value = self.data[key]
        # bool is an int in Python and datetime is a date: compare exact types.
        if type(value) is not kind:
            self.problems.add(self.at(key), f"must be {_TYPE_NAMES[kind]}, not {type_name(value)}")
            return None
        return value

    def string(self, key: str, *, required: bool = True) -> str | None:
        """A string value."""
        return self._typed(key, str, required)

    def nonempty(self, key: str, *, required: bool = True) -> str | None:
        """A string value that is not blank."""
        value = self._typed(key, str, required)
        if value is not None and not value.strip():
            self.problems.add(self.at(key), "must not be empty")
            return None
        return value

    def boolean(self, key: str, *, required: bool = True) -> bool | None:
        """A boolean value."""
        return self._typed(key, bool, required)

    def integer(self, key: str, *, required: bool = True) -> int | None:
        """An integer value."""
        return self._typed(key, int, required)

    def local_date(self, key: str, *, required: bool = True) -> dt.date | None:
        """A local date value (not a date-time), inside the bounded range of
        :mod:`smcheck.timeutil`."""
        value = self._typed(key, dt.date, required)
        if value is None:
            return None
        try:
            return bounded_day(value)
        except OutOfRange as exc:
            self.problems.add(self.at(key), exc.message)
            return None

    def moment(self, key: str, *, required: bool = True) -> dt.datetime | None:
        """An offset date-time value, moved to UTC and inside the bounded range of
        :mod:`smcheck.timeutil` (a time at the calendar's edge would overflow later)."""
        value = self._typed(key, dt.datetime, required)
        if value is None:
            return None
        if value.tzinfo is None:
            self.problems.add(self.at(key), "must carry a time zone offset (like Z)")
            return None
        try:
            return utc_moment(value)
        except OutOfRange as exc:
            self.problems.add(self.at(key), exc.message)
            return None

    def strings(self, key: str, *, required: bool = True) -> list[str] | None:
        """An array of strings."""
        value = self._typed(key, list, required)
        if value is None:
            return None
        out: list[str] = []
        for index, item in enumerate(value):
            if type(item) is not str:
                self.problems.add(
                    f"{self.at(key)}[{index}]", f"must be a string, not {type_name(item)}"
                )
            else:
                out.append(item)
        return out

    def member(self, key: str, enum: type[E], *, required: bool = True) -> E | None:
        """A string that must be one of a string enum's values; the enum member, or None."""
        text = self.string(key, required=required)
        if text is None:
            return None
        for member in enum:
            if member.value == text:
                return member
        options = ", ".join(repr(m.value) for m in enum)
        self.problems.add(self.at(key), f"must be one of {options}, not {text!r}")
        return None

    def table(self, key: str, *, required: bool = True) -> Table | None:
        """A sub-table, to be read strictly in turn."""
        value = self._typed(key, dict, required)
        if value is None:
            return None
        return Table(value, self.at(key), self.problems)

    def tables(self, key: str, *, required: bool = True) -> Iterator[Table]:
        """Each table of an array of tables."""
        value = self._typed(key, list, required)
        for index, item in enumerate(value or []):
            where = f"{self.at(key)}[{index}]"
            if type(item) is not dict:
                self.problems.add(where, f"must be a table, not {type_name(item)}")
                continue
            yield Table(item, where, self.problems)

    def finish(self) -> None:
        """Report every key that no reader asked for."""
        for key in self.data:
            if key not in self._seen:
                self.problems.add(self.at(key), "unknown key")


def flatten(table: Mapping[str, object]) -> dict[str, object]:
    """Turn nested answer tables into dotted ids: ``{"channel": {"platform": "x"}}`` -> ``channel.platform``.

    Arrays become tuples (a multi-choice answer). Every answer is a leaf; a table is a level of the id.
    """
    out: dict[str, object] = {}

    def walk(node: Mapping[str, object], prefix: str) -> None:
        for key, value in node.items():
            qid = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(value, qid)
            elif isinstance(value, list):
                out[qid] = tuple(value)
            else:
                out[qid] = value

    walk(table, "")
    return out


def nest(answers: Mapping[str, object]) -> dict[str, object]:
    """The inverse of :func:`flatten`: dotted ids become nested tables, tuples become arrays."""
    out: dict[str, object] = {}
    for qid, value in answers.items():
        node = out
        *parents, leaf = qid.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            assert isinstance(child, dict)
            node = child
        node[leaf] = list(value) if isinstance(value, tuple) else value
    return out

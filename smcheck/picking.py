"""What a person types at a numbered list to name its choices, read alike by plain mode and the
full-screen lists: a number as the list shows it (``2``, ``2.``, ``2)``), or a choice by its name, in
full or by the start of it (``facebook``, ``faceb``, ``prospective students``), several joined by
commas or "and" at tick boxes (``1 and 3``, ``current students and alumni``).

A name is never guessed at: it picks a choice only when exactly one choice is called so, or starts so;
two that could be meant are named back and neither is taken. Indexes here count from 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from smcheck.qtypes import AnswerError
from smcheck.text import quoted, visible

Names = Sequence[tuple[str, ...]]
"""Each choice's names, its label first (then, for a question's choices, the value a record holds)."""

SHORTEST_START = 2
"""The fewest characters that name a choice by the start of its name (one letter picks nothing: "i" +
Enter is more often a slip than Instagram)."""

_AND = re.compile(r"\s+and\s+|\s*&\s*", re.IGNORECASE)
"""What people type between the last two of a list: "1 and 3", "1, 2 & 3", "students and alumni"."""
_LEADING_AND = re.compile(r"^(?:and\s+|&\s*)", re.IGNORECASE)


def number_of(word: str) -> int | None:
    """A number typed in ASCII digits, or as the list shows it (``2.``, ``2)``); else None
    (str.isdigit() accepts "²", on which int() raises)."""
    digits = word.removesuffix(".").removesuffix(")")
    return int(digits) if digits.isascii() and digits.isdigit() else None


SHORTEST_WORDS = 4
"""The fewest characters that name a choice by whole words inside its label (``staff`` for "University
staff"): "and" or "of" typed alone names nothing."""

LITTLE_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "no",
        "not",
        "of",
        "on",
        "or",
        "other",
        "our",
        "the",
        "their",
        "to",
        "with",
        "your",
    ]
)
"""Words that name no choice by being in its label (every label may hold them)."""


def candidates(names: Names, text: str) -> list[int]:
    """The choices ``text`` could name: those called exactly so (label or value, in any case); else
    those whose label starts so (``faceb``); else those whose label holds it as whole words
    (``twitter`` for "X (formerly Twitter)", ``staff`` for "University staff"). A start shorter than
    :data:`SHORTEST_START`, or words shorter than :data:`SHORTEST_WORDS` or little words alone, name
    none."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return []
    exact = [i for i, called in enumerate(names) if any(wanted == n.casefold() for n in called)]
    if exact or len(wanted) < SHORTEST_START:
        return exact
    labels = [called[0].casefold() for called in names]
    starts = [i for i, label in enumerate(labels) if label.startswith(wanted)]
    if starts or len(wanted) < SHORTEST_WORDS or set(wanted.split()) <= LITTLE_WORDS:
        return starts
    return [i for i, label in enumerate(labels) if _holds_words(label, wanted)]


def _holds_words(label: str, wanted: str) -> bool:
    """Whether ``wanted`` is in ``label`` as whole words (not inside a longer word)."""
    at = label.find(wanted)
    while at >= 0:
        end = at + len(wanted)
        if (at == 0 or not label[at - 1].isalnum()) and (
            end == len(label) or not label[end].isalnum()
        ):
            return True
        at = label.find(wanted, at + 1)
    return False


def last_named(text: str) -> str:
    """The name being typed last in ``text`` (after its last "and"), for a list to point at."""
    return _AND.split(_LEADING_AND.sub("", text.lstrip()))[-1]


def one(names: Names, text: str) -> int:
    """The one choice ``text`` names (a number, or a name), or AnswerError saying what to type."""
    count = len(names)
    number = number_of(text.strip())
    if number is not None:
        if 1 <= number <= count:
            return number - 1
        raise AnswerError(f"there is no choice {number}; type a number from 1 to {count}")
    found = candidates(names, text)
    if len(found) == 1:
        return found[0]
    if found:
        raise _ambiguous(names, text, found)
    raise AnswerError(f"type the number of your choice, from 1 to {count}, or the choice in full")


def many(names: Names, text: str) -> list[int]:
    """The choices ``text`` names at tick boxes, in the order typed: numbers and names separated by
    commas, spaces (numbers) or "and"; a choice whose own name holds a comma or "and" is taken whole.
    AnswerError for a number out of range, a choice named twice, or a name that is none or several."""
    count = len(names)
    whole = [i for i in candidates(names, text) if _exactly(names[i], text)]
    parts = [text] if whole else text.split(",")
    picked: list[int] = []
    for part in parts:
        for index in _part(names, part.strip()):
            if not 0 <= index < count:
                raise AnswerError(f"there is no choice {index + 1}; type numbers from 1 to {count}")
            if index in picked:
                raise AnswerError(f"choice {index + 1} is typed twice")
            picked.append(index)
    return picked


def _exactly(called: tuple[str, ...], text: str) -> bool:
    wanted = " ".join(text.split()).casefold()
    return any(wanted == n.casefold() for n in called)


def _part(names: Names, part: str) -> list[int]:
    """The choices one comma-separated part names: numbers (``1 3``, ``1 and 3``), names, or both
    joined by "and"; the longest run of pieces that names one choice is taken first, so that
    "partner organisations and employers" is one choice and "alumni and staff" two."""
    part = _LEADING_AND.sub("", part)  # "1, 2, and 3"
    if not part:
        return []
    starts, ends = [0], []
    for joint in _AND.finditer(part):
        ends.append(joint.start())
        starts.append(joint.end())
    ends.append(len(part))
    indexes: list[int] = []
    first = 0
    while first < len(starts):
        for last in range(len(starts) - 1, first - 1, -1):
            found = candidates(names, part[starts[first] : ends[last]])
            if len(found) == 1:
                indexes.append(found[0])
                first = last + 1
                break
        else:
            piece = part[starts[first] : ends[first]]
            numbers = [number_of(word) for word in piece.split()]
            if not numbers or None in numbers:
                found = candidates(names, piece)
                if found:
                    raise _ambiguous(names, piece, found)
                raise AnswerError(
                    "type the numbers of the choices from the list, separated by commas,"
                    " for example 1,3"
                )
            indexes += [number - 1 for number in numbers if number is not None]
            first += 1
    return indexes


def _ambiguous(names: Names, text: str, found: list[int]) -> AnswerError:
    shown = [f"{i + 1}. {visible(names[i][0])}" for i in found[:4]]
    listed = ", ".join(shown[:-1]) + f" or {shown[-1]}" + (" (or more)" if len(found) > 4 else "")
    return AnswerError(f"{quoted(text.strip())} could be {listed}: type more of it, or its number")

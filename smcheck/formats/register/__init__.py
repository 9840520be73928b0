"""``smcheck status``'s formats: the register (:class:`~smcheck.register.Register`) as text that fits
the terminal, one HTML page, JSON or CSV, one module each, under one small interface: a format turns a
:class:`Listing` into text, in pieces (:func:`pieces`), which ``status`` writes to standard output or to
``--output FILE`` in the format's :func:`encoding`.

Adding a format: a member of :class:`smcheck.choices.StatusFormat`, a module here with its ``pieces``,
and its case in :func:`pieces` and :func:`encoding` (each ``match`` ends in ``assert_never``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple, assert_never

from smcheck.choices import StatusFormat

if TYPE_CHECKING:
    from smcheck.register import Register


class Listing(NamedTuple):
    """What every format of the register is made from."""

    register: Register
    """The rows to show (narrowed by ``--todo`` and ``--role``), with the columns and counts."""
    today: dt.date
    """The day the register was judged on."""
    scope: str = ""
    """What the rows are narrowed to, in words ("" for the whole register)."""
    width: int = 100
    """The width to lay text out in (text only)."""


def pieces(choice: StatusFormat, listing: Listing) -> Iterator[str]:
    """The register in the format ``choice``, in pieces to write one after another (text line by
    line, so that a large register is written as it is laid out). Each format's module is imported
    only when it is chosen."""
    match choice:
        case StatusFormat.TEXT:
            from smcheck.formats.register import text

            return text.pieces(listing)
        case StatusFormat.HTML:
            from smcheck.formats.register import html

            return html.pieces(listing)
        case StatusFormat.JSON:
            from smcheck.formats.register import json

            return json.pieces(listing)
        case StatusFormat.CSV:
            from smcheck.formats.register import csv

            return csv.pieces(listing)
        case _:
            assert_never(choice)


def encoding(choice: StatusFormat) -> str:
    """How a format's text becomes bytes: UTF-8, and for CSV with a byte-order mark, which is what
    Excel needs to read UTF-8 (LibreOffice and Python's ``utf-8-sig`` take it too)."""
    match choice:
        case StatusFormat.CSV:
            return "utf-8-sig"
        case StatusFormat.TEXT | StatusFormat.HTML | StatusFormat.JSON:
            return "utf-8"
        case _:
            assert_never(choice)


__all__ = ["Listing", "encoding", "pieces"]

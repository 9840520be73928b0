"""``status --format text``: the register as text that fits the terminal: a head line with the
counts, then a table whose cells wrap inside their columns, or one block per row where the terminal is
too narrow for a table. Every untrusted string is made visible (:func:`smcheck.text.visible`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from smcheck.formats.register import Listing
from smcheck.register import RowState
from smcheck.text import visible

if TYPE_CHECKING:
    from smcheck.register import Entry, Register


def pieces(listing: Listing) -> Iterator[str]:
    """The register's lines, each with its line break, as they are laid out."""
    for line in text_lines(listing.register, listing.width, scope=listing.scope):
        yield line + "\n"


MIN_WIDTH = 80
"""The register is never laid out narrower than this, however narrow the terminal says it is."""
NOT_A_TERMINAL = 100
"""The width when standard output is not a terminal and ``COLUMNS`` is not set (a file, a pipe)."""
NOTES_AT_LEAST = 32
"""The Notes column is at least this wide beside the others; where it cannot be, each row is written
as a block (its cells on one line, its notes below), which reads better than a table of slivers."""
GAP = "  "


def register_width() -> int:
    """The width to lay the register out in: ``COLUMNS``, else the terminal's, else
    :data:`NOT_A_TERMINAL`; never below :data:`MIN_WIDTH`."""
    import shutil

    return max(MIN_WIDTH, shutil.get_terminal_size((NOT_A_TERMINAL, 24)).columns)


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes: a wide character (CJK, most emoji) two, a combining
    mark none. (Text from a file has been through :func:`smcheck.text.visible`: no controls.)"""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _fit(text: str, width: int) -> int:
    """How many characters of ``text`` fill at most ``width`` cells (at least one)."""
    if text.isascii():
        return max(1, min(len(text), width))
    used = 0
    for index, char in enumerate(text):
        used += cells(char)
        if used > width:
            return max(1, index)
    return len(text)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken at spaces (joined again with one space, they are the
    text); a word longer than a line (a long handle, an escape shown as ``\\u202e``) is folded."""
    if cells(text) <= width:
        return [text]
    lines: list[str] = []
    line: str | None = None
    for word in text.split(" "):
        while cells(word) > width:
            if line is not None:
                lines.append(line)
                line = None
            cut = _fit(word, width)
            lines.append(word[:cut])
            word = word[cut:]
        joined = word if line is None else f"{line} {word}"
        if cells(joined) <= width:
            line = joined
        else:
            lines.append(line or "")
            line = word
    if line is not None:
        lines.append(line)
    return lines


def _fold(text: str, width: int) -> list[str]:
    """A path in lines of at most ``width`` cells, broken after a ``/`` where it can be, else
    folded."""
    lines: list[str] = []
    while cells(text) > width:
        fits = _fit(text, width)
        cut = text.rfind("/", 0, fits) + 1 or fits
        lines.append(text[:cut])
        text = text[cut:]
    return [*lines, text]


def _row_cells(register: Register, e: Entry) -> list[str]:
    values = e.columns or ("",) * len(register.columns)
    return [
        visible(e.state.words),
        *(visible(c) for c in values),
        e.review_by.isoformat() if e.review_by else "",
    ]


def _notes(e: Entry, width: int) -> list[str]:
    """The Notes cell: who must act and why, the row's file on its own line, then each note."""
    lines = _wrap(visible(e.detail), width) + _fold(visible(e.path), width)
    for note in e.notes:
        lines += _wrap(visible(note), width)
    return lines


def _widths(register: Register, width: int) -> list[int] | None:
    """Each column's width (Notes last) so that a line fits ``width``; None when Notes cannot have
    :data:`NOTES_AT_LEAST` beside columns at least as wide as their longest word."""
    headers = ["State", *register.columns, "Review by"]
    natural = [cells(h) for h in headers]
    floor = [max((cells(w) for w in h.split()), default=1) for h in headers]
    for e in register.rows:
        for i, cell in enumerate(_row_cells(register, e)):
            natural[i] = max(natural[i], cells(cell))
            floor[i] = max(floor[i], min(14, max((cells(w) for w in cell.split()), default=0)))
    room = width - len(GAP) * len(headers)
    widths = natural[:]
    while sum(widths) + NOTES_AT_LEAST > room:
        slack = [w - f for w, f in zip(widths, floor, strict=True)]
        if max(slack) <= 0:
            return None
        widest = max(range(len(widths)), key=lambda i: (slack[i] > 0, widths[i]))
        widths[widest] -= 1
    return [*widths, room - sum(widths)]


def text_lines(register: Register, width: int, *, scope: str = "") -> Iterator[str]:
    """The register as text no line of which is longer than ``width``: a head line with the counts,
    then a table (State, the checklist's columns, Review by, Notes) whose cells wrap inside their
    column, a blank line between rows; or, when the terminal is too narrow for a Notes column, each
    row as a block: its state and cells on the first line(s), its notes indented below. Either way
    each row says its state, its channel, who must act next and why, and its file on a line of its
    own."""
    yield from _wrap(_head(register, scope), width)
    yield ""
    if not register.rows:
        yield "Nothing to show."
        return
    widths = _widths(register, width)
    if widths is None:
        yield from _blocks(register, width)
        return
    header = ["State", *register.columns, "Review by", "Notes"]
    yield from _table_row([_wrap(h, w) for h, w in zip(header, widths, strict=True)], widths)
    for e in register.rows:
        yield ""
        wrapped = [_wrap(c, w) for c, w in zip(_row_cells(register, e), widths, strict=False)]
        yield from _table_row([*wrapped, _notes(e, widths[-1])], widths)


def _table_row(lines: list[list[str]], widths: list[int]) -> Iterator[str]:
    """One row of the table: each cell's lines side by side, padded to their column's width."""
    for n in range(max(len(c) for c in lines)):
        parts = [c[n] if n < len(c) else "" for c in lines]
        yield GAP.join(
            p + " " * (w - cells(p)) for p, w in zip(parts, widths, strict=True)
        ).rstrip()


def _blocks(register: Register, width: int) -> Iterator[str]:
    indent = "    "
    labels = [*register.columns, "Review by"]
    yield from _wrap("State: " + " | ".join(labels), width)
    for e in register.rows:
        yield ""
        state, *values = _row_cells(register, e)
        shown = " | ".join(v for v in values if v)
        first = f"{state.upper()}: {shown}" if shown else state.upper()
        lines = _wrap(first, width)
        yield lines[0]
        if len(lines) > 1:
            yield from (indent + line for line in _wrap(" ".join(lines[1:]), width - len(indent)))
        yield from (indent + line for line in _notes(e, width - len(indent)) if line)


def _head(register: Register, scope: str) -> str:
    rows, tally = register.rows, register.counts
    channels = sum(1 for e in rows if e.state is not RowState.INVALID)
    summary = ", ".join(
        f"{n} {state.replace('-', ' ')}" for state, n in tally.items() if n and state != "invalid"
    )
    head = f"{channels} channel{'s' if channels != 1 else ''}: {summary or 'none'}"
    if scope:
        head = f"{head} ({scope})"
    if register.rereview:
        head += f"; {register.rereview} to re-review under a newer checklist version"
    unsearched = sum(1 for e in rows if e.unsearched)
    bad = register.invalid - unsearched
    if bad:
        head += (
            f"; {bad} file{'s' if bad != 1 else ''} that do{'es' if bad == 1 else ''} not verify"
        )
    if unsearched:
        head += f"; {unsearched} folder{'s' if unsearched != 1 else ''} not searched"
    return head

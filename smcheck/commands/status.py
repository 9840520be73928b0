"""``smcheck status PATH...``: the register of channels, most urgent first (see :mod:`smcheck.register`).

Four views of one :class:`~smcheck.register.Register` (``--format``), each from the same rows: text
that fits the terminal (:func:`text_lines`), JSON (:func:`smcheck.register.row_json`), CSV for a
spreadsheet (:func:`csv_text`) and the HTML page (:func:`smcheck.htmlpage.register_page`); each to
standard output, or to ``--output FILE``. ``--todo`` and
``--role`` narrow every one of them alike (:func:`smcheck.register.narrowed`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from smcheck import console, registry
from smcheck.choices import StatusFormat, choose
from smcheck.errors import UsageError
from smcheck.fsutil import find_files
from smcheck.record import SUFFIX
from smcheck.text import visible
from smcheck.trust.source import reviewer_loader

if TYPE_CHECKING:
    from smcheck.register import Entry, Register
    from smcheck.verify import Demands


def run(
    paths: list[Path],
    *,
    fmt: StatusFormat | None = None,
    aliases: Mapping[str, StatusFormat] | None = None,
    html: Path | None = None,
    output: Path | None = None,
    force: bool = False,
    allowed_signers: Path | None,
    revoked: Path | None = None,
    todo: bool = False,
    role: str | None = None,
) -> int:
    """Write the register in the format ``fmt`` (or the one its hidden alias names: ``--json``,
    ``--html FILE``), to standard output or ``output``; exit 1 when any file is invalid.

    The deprecated ``--html FILE`` is ``--format html --output FILE``; given without ``--format`` it
    also prints the text, as it did before ``--format html`` existed.

    One checklist lookup serves the whole run (records, drafts, the columns and their labels): each
    checklist is parsed once, and each file read and verified once (:func:`smcheck.register.build`).
    ``todo`` keeps the rows where someone must act, most urgent first; ``role`` those where that role
    must act; both narrow every view (text, JSON, CSV, HTML) and its counts alike. The exit code
    counts every file, narrowed or not: a register with an invalid file exits 1.
    """
    from smcheck.register import DRAFT_SUFFIX, build, narrowed

    if not paths:
        raise UsageError("give the folders or files of the register")
    choice = choose(fmt, StatusFormat.TEXT, aliases or {})
    also_text = False
    if html is not None:
        if output is not None:
            raise UsageError(
                "--html and --output cannot be used together",
                hint="--html FILE says --format html --output FILE",
            )
        output, also_text = html, fmt is None
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(
            f"{missing[0]}: no such file or folder",
            hint="give the folders (or files) that hold the register's records",
        )
    if role is not None:
        _known_role(role)
    today = dt.datetime.now(dt.UTC).date()
    demands = _demands(allowed_signers, revoked)
    files = find_files(paths, (SUFFIX, DRAFT_SUFFIX), notify=console.note)
    whole = build(files, lookup=registry.lookup(), today=today, demands=demands)
    register = narrowed(whole, todo=todo, role=role) if todo or role is not None else whole
    scope = _scope(todo, role)
    text: str
    match choice:
        case StatusFormat.JSON:
            text = _json(register, today)
        case StatusFormat.CSV:
            text = csv_text(register)
        case StatusFormat.HTML:
            from smcheck.htmlpage import register_page

            text = register_page(
                list(register.rows), register.columns, register.counts, today, scope=scope
            )
        case StatusFormat.TEXT:
            if output is None:
                _write(text_lines(register, register_width(), scope=scope))
                return 1 if whole.invalid else 0
            text = "".join(
                line + "\n" for line in text_lines(register, register_width(), scope=scope)
            )
        case _:
            assert_never(choice)
    # A spreadsheet needs the byte-order mark to read UTF-8 (see csv_text).
    encoding = "utf-8-sig" if choice is StatusFormat.CSV else "utf-8"
    if output is not None:
        from smcheck.fsutil import atomic_write

        option = "--html" if html is not None else "--output"
        atomic_write(
            output,
            text.encode(encoding),
            overwrite=force,
            links=force,
            hint=f"choose another {option} file, or add --force (which replaces a link itself, never"
            " what it points to)",
        )
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode(encoding))
        sys.stdout.flush()
    if also_text:
        _write(text_lines(register, register_width(), scope=scope))
    return 1 if whole.invalid else 0


def _demands(allowed_signers: Path | None, revoked: Path | None) -> Demands:
    from smcheck.verify import Demands

    return Demands(load_trust=reviewer_loader(allowed_signers, revoked, notify=console.note))


def _known_role(role: str) -> None:
    """A role that no shipped checklist knows is a mistake in the command (exit 2), not an empty list."""
    from smcheck.choices import BUILT_IN_ROLES, cosigner_roles

    known = [*BUILT_IN_ROLES, *(r for r, _ in cosigner_roles())]
    if role not in known:
        raise UsageError(
            f"--role {visible(role)}: no checklist has this role",
            hint=f"give one of: {', '.join(known)}",
        )


def _scope(todo: bool, role: str | None) -> str:
    """What the listing is narrowed to, in words for its first line ("" for the whole register)."""
    said = ["where someone must act, most urgent first"] if todo else []
    if role is not None:
        said.append(f"where {role} must act")
    return " and ".join(said)


def _json(register: Register, today: dt.date) -> str:
    """The register as ``--format json`` writes it (ASCII only: no byte of untrusted text raw)."""
    import json

    from smcheck.register import row_json

    return (
        json.dumps(
            {
                "date": today.isoformat(),
                "counts": register.counts,
                "rereview": register.rereview,
                # Counted among "invalid" (nobody should act on them) and said apart: folders, not files.
                "folders_not_searched": sum(1 for e in register.rows if e.unsearched),
                "channels": [row_json(e, register.columns) for e in register.rows],
            },
            indent=2,
            ensure_ascii=True,
            default=str,
        )
        + "\n"
    )


# --- CSV for a spreadsheet --------------------------------------------------------------------------

CSV_HEADER_END = ("Review by", "Who must act", "Roles to act", "File", "Notes")
"""The CSV's last columns, after State and the checklist's register columns."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")."""


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a single quote in
    front (OWASP's advice), so ``=HYPERLINK(...)`` is shown, never run."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_rows(register: Register) -> Iterator[list[str]]:
    """The header, then one row per register row, every cell as text (untrusted text made visible:
    no control or bidi character reaches the spreadsheet), not yet neutralised."""
    yield ["State", *register.columns, *CSV_HEADER_END]
    for e in register.rows:
        values = e.columns or ("",) * len(register.columns)
        yield [
            e.state.replace("-", " "),
            *(visible(v) for v in values),
            e.review_by.isoformat() if e.review_by else "",
            visible(e.detail),
            " ".join(e.acting),
            visible(e.path),
            "\n".join(visible(n) for n in e.notes),
        ]


def csv_text(register: Register) -> str:
    """The register as CSV (RFC 4180: comma-separated, quoted where needed, lines ending in CRLF),
    every cell neutralised (:func:`neutralised`). Written as UTF-8 with a byte-order mark, which is
    what Excel needs to read UTF-8 (LibreOffice and Python's ``utf-8-sig`` take it too)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv_rows(register):
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()


# --- text that fits the terminal --------------------------------------------------------------------

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
        visible(e.state.replace("-", " ")),
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
    channels = sum(1 for e in rows if e.state != "invalid")
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


def _write(lines: Iterator[str]) -> None:
    """Lines to stdout in chunks: a terminal is slow per write, not per byte."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= 500:
            sys.stdout.write("\n".join(chunk) + "\n")
            chunk = []
    if chunk:
        sys.stdout.write("\n".join(chunk) + "\n")
    sys.stdout.flush()

"""``status --format csv``: the register for a spreadsheet, RFC 4180, every cell that would start a
formula neutralised (OWASP, "CSV Injection"); written as UTF-8 with a byte-order mark
(:func:`smcheck.formats.register.encoding`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from smcheck.formats.register import Listing
from smcheck.text import visible

if TYPE_CHECKING:
    from smcheck.register import Register


def pieces(listing: Listing) -> Iterator[str]:
    """The register as CSV, in one piece."""
    yield csv_text(listing.register)


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
            e.state.words,
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
    import csv  # the standard library's: this module is smcheck.formats.register.csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv_rows(register):
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()

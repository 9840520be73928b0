"""``smcheck status PATH...``: the register of channels, most urgent first (see :mod:`smcheck.register`)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.errors import UsageError
from smcheck.fsutil import find_files
from smcheck.record import SUFFIX
from smcheck.text import visible
from smcheck.trust.source import reviewer_loader

if TYPE_CHECKING:
    from smcheck.register import Entry, Register


def run(
    paths: list[Path],
    *,
    as_json: bool,
    html: Path | None,
    force: bool,
    allowed_signers: Path | None,
    revoked: Path | None = None,
) -> int:
    """Print the register (and write the HTML page when asked); exit 1 when any file is invalid.

    One checklist lookup serves the whole run (records, drafts, the columns and their labels): each
    checklist is parsed once, and each file read and verified once (:func:`smcheck.register.build`).
    """
    from smcheck.register import DRAFT_SUFFIX, build
    from smcheck.verify import Demands

    if not paths:
        raise UsageError("give the folders or files of the register")
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(
            f"{missing[0]}: no such file or folder",
            hint="give the folders (or files) that hold the register's records",
        )
    today = dt.datetime.now(dt.UTC).date()
    demands = Demands(load_trust=reviewer_loader(allowed_signers, revoked, notify=console.note))
    files = find_files(paths, (SUFFIX, DRAFT_SUFFIX), notify=console.note)
    register = build(files, lookup=registry.lookup(), today=today, demands=demands)
    if html is not None:
        from smcheck.fsutil import atomic_write
        from smcheck.htmlpage import register_page

        page = register_page(list(register.rows), register.columns, register.counts, today)
        atomic_write(
            html,
            page.encode("utf-8"),
            overwrite=force,
            links=force,
            hint="choose another --html file, or add --force (which replaces a link itself, never"
            " what it points to)",
        )
    if as_json:
        console.print_json(
            {
                "date": today.isoformat(),
                "counts": register.counts,
                "rereview": register.rereview,
                "channels": [
                    {
                        "channel": e.channel if e.state != "invalid" else None,
                        "path": e.path,
                        "state": e.state,
                        "review_by": e.review_by.isoformat() if e.review_by else None,
                        "columns": dict(zip(register.columns, e.columns, strict=False)),
                        "detail": e.detail,
                        "notes": list(e.notes),
                        "rereview_under": e.rereview if e.state != "invalid" else None,
                    }
                    for e in register.rows
                ],
            }
        )
    else:
        _print(register)
    return 1 if register.invalid else 0


def _print(register: Register) -> None:
    """The register as a table; the Notes column says who must act, the row's file and its notes."""
    rows, columns, tally = register.rows, register.columns, register.counts
    channels = sum(1 for e in rows if e.state != "invalid")
    summary = ", ".join(
        f"{n} {state.replace('-', ' ')}" for state, n in tally.items() if n and state != "invalid"
    )
    head = f"{channels} channel{'s' if channels != 1 else ''}: {summary or 'none'}"
    if register.rereview:
        head += f"; {register.rereview} to re-review under a newer checklist version"
    if register.invalid:
        head += (
            f"; {register.invalid} file{'s' if register.invalid != 1 else ''} that do"
            f"{'es' if register.invalid == 1 else ''} not verify"
        )
    headers = ("State", *columns, "Review by", "Notes")

    def cells(e: Entry) -> tuple[str, ...]:
        return (
            visible(e.state.replace("-", " ")),
            *(visible(c) for c in (e.columns or ("",) * len(columns))),
            e.review_by.isoformat() if e.review_by else "",
            visible("; ".join((e.detail, e.path, *e.notes))),
        )

    # Two passes over the rows, the cells made afresh in each, so that no second copy of a large
    # register is held: one for the column widths, one to write the lines (in chunks).
    widths = [len(h) for h in headers[:-1]]
    for e in rows:
        for i, cell in enumerate(cells(e)[:-1]):
            widths[i] = max(widths[i], len(cell))

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            [*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()

    chunk = [head, "", line(headers)]
    for e in rows:
        chunk.append(line(cells(e)))
        if len(chunk) >= 500:
            sys.stdout.write("\n".join(chunk) + "\n")
            chunk = []
    sys.stdout.write("\n".join(chunk) + "\n" if chunk else "")
    sys.stdout.flush()

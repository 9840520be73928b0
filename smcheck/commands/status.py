"""``smcheck status PATH...``: the register of channels, most urgent first (see :mod:`smcheck.register`).

Four views of one :class:`~smcheck.register.Register` (``--format``), each from the same rows, one
module each in :mod:`smcheck.formats.register`: text that fits the terminal, one HTML page, JSON and
CSV for a spreadsheet; each to standard output, or to ``--output FILE``. ``--todo`` and ``--role``
narrow every one of them alike (:func:`smcheck.register.narrowed`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.choices import StatusFormat, choose
from smcheck.errors import UsageError
from smcheck.formats.register import Listing, encoding, pieces
from smcheck.formats.register.text import register_width
from smcheck.fsutil import find_files
from smcheck.record import DRAFT_SUFFIX, SUFFIX
from smcheck.text import visible
from smcheck.trust.source import reviewer_loader

if TYPE_CHECKING:
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
    from smcheck.register import build, narrowed

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
    listing = Listing(register, today, scope, register_width())
    if output is not None:
        from smcheck.fsutil import atomic_write

        option = "--html" if html is not None else "--output"
        atomic_write(
            output,
            "".join(pieces(choice, listing)).encode(encoding(choice)),
            overwrite=force,
            links=force,
            hint=f"choose another {option} file, or add --force (which replaces a link itself, never"
            " what it points to)",
        )
    else:
        _write(pieces(choice, listing), choice)
    if also_text:
        _write(pieces(StatusFormat.TEXT, listing), StatusFormat.TEXT)
    return 1 if whole.invalid else 0


def _demands(allowed_signers: Path | None, revoked: Path | None) -> Demands:
    from smcheck.verify import Demands

    return Demands(load_trust=reviewer_loader(allowed_signers, revoked, notify=console.note))


def _known_role(role: str) -> None:
    """A role that no shipped checklist knows is a mistake in the command (exit 2), not an empty list."""
    from smcheck.choices import BUILT_IN_ROLES

    known = [*BUILT_IN_ROLES, *sorted(registry.cosigner_roles())]
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


def _write(parts: Iterator[str], choice: StatusFormat) -> None:
    """The pieces to stdout in chunks (a terminal is slow per write, not per byte): text as text, in
    the terminal's encoding as verify's is; the other formats as bytes in their own encoding."""
    out = sys.stdout
    if choice is StatusFormat.TEXT:
        write = out.write
    else:
        import codecs

        out.flush()
        encoder = codecs.getincrementalencoder(encoding(choice))()

        def write(text: str) -> int:
            return out.buffer.write(encoder.encode(text))

    chunk: list[str] = []
    for part in parts:
        chunk.append(part)
        if len(chunk) >= 500:
            write("".join(chunk))
            chunk = []
    write("".join(chunk))
    out.flush()

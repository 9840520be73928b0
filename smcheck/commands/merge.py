"""``smcheck merge RECORD RECORD... --output FILE``: copies of one record, signed by different people,
written as one record holding every signature (see :mod:`smcheck.merge`).

Everything is refused, with the reason, before a byte is written: a copy that does not verify on its
own (a broken signature is never carried over, nor silently dropped), copies whose signed content
differs (the first line that differs is named), copies with different proposer signatures, and two
decisions by one role (a conflict: smcheck never picks one by file name or order). The merged record is
verified before it is written, and written atomically; an existing file or a link is replaced only
with ``--force``.
"""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from smcheck import console, registry
from smcheck.config import ALLOWED_SIGNERS_ENV
from smcheck.errors import SmcheckError, UsageError
from smcheck.fsutil import atomic_write, refuse_existing
from smcheck.recordfile import note_unfound_name, read_layout_of, read_limited
from smcheck.text import shell_word


def run(
    records: list[Path],
    *,
    output: Path,
    force: bool,
    allowed_signers: Path | None,
    revoked: Path | None = None,
) -> int:
    """Write the union of copies of one record to ``output``; exit 0, or refuse (exit 1 or 2)."""
    from smcheck.merge import Copy, copy_key, first_difference, judge_copies
    from smcheck.trust.source import resolve_trust
    from smcheck.verify import Demands, Verdict, verify_bytes

    paths = sorted({str(p): p for p in records}.items())  # the order given never matters
    if len(paths) < 2:
        raise UsageError(
            "give at least two copies of the record to merge",
            hint="smcheck merge RECORD RECORD... --output FILE",
        )
    hint = (
        "choose another --output file, or add --force (which replaces a link itself, never what it"
        " points to)"
    )
    refuse_existing(output, overwrite=force, links=force, hint=hint)
    note_unfound_name(output)
    trust, revoked_keys = resolve_trust(allowed_signers, revoked)
    if trust is None:
        raise UsageError(
            "merging needs your trust file, to check every signature as verify does",
            hint=f"pass --allowed-signers FILE, set {ALLOWED_SIGNERS_ENV}, or name it in the config file",
        )
    for note in trust.notes:
        console.note(note)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    lookup = registry.lookup()
    demands = Demands(trust=trust, revoked=revoked_keys, now=now)
    see = f"--allowed-signers {shell_word(trust.path)}"

    copies: list[Copy] = []
    modes: list[int] = []
    for name, path in paths:
        data = read_limited(path)
        content, seals = read_layout_of(path, data)
        if copies and content != copies[0].content:
            line = first_difference(copies[0].content, content)
            raise SmcheckError(
                f"{copies[0].path} and {name} are not copies of one record: their signed content"
                f" differs from line {line}; nothing was merged",
                hint="merge only copies of one record as the proposer sent it; see: smcheck diff"
                f" {see} {shell_word(copies[0].path)} {shell_word(name)}",
            )
        report = verify_bytes(data, name, lookup=lookup, today=now.date(), demands=demands)
        if not report.valid:
            failed = next(c for c in report.checks if c.verdict is Verdict.FAIL)
            raise SmcheckError(
                f"{name} does not verify ({failed.title}: {failed.summary}); nothing was merged",
                hint=f"see: smcheck verify {see} {shell_word(name)}",
            )
        if copies and copy_key(content, seals) != copy_key(copies[0].content, copies[0].seals):
            raise SmcheckError(
                f"{copies[0].path} and {name} carry different proposer signatures over the same"
                " content (or only one is signed): a decision on one does not bind the other;"
                " nothing was merged",
                hint="merge only copies the proposer signed once, as they sent them",
            )
        copies.append(Copy(name, data, content, seals, report))
        modes.append(_mode(path))
    union = judge_copies(copies, lookup=lookup, today=now.date(), demands=demands)
    named = " and ".join(union.paths)
    if union.conflicts:
        raise SmcheckError(
            f"the copies carry {union.conflicts[0]}; a conflict: nothing was merged",
            hint="ask who decided which decision stands; a changed decision needs a new record",
            details=union.conflicts[1:],
        )
    if not union.report.valid:
        failed = next(c for c in union.report.checks if c.verdict is Verdict.FAIL)
        raise SmcheckError(
            f"the copies together would not verify ({failed.title}: {failed.summary});"
            " nothing was merged",
            hint=f"see: smcheck verify {see} " + " ".join(shell_word(p) for p in union.paths),
        )
    mode = 0o666
    for one in modes:
        mode &= one  # a copy kept private (0600) is not made readable by merging it
    atomic_write(output, union.data, overwrite=force, links=force, mode=mode, hint=hint)
    standing = union.report.standing
    console.say(f"Merged {named} into {output}.", style="bold green")
    if standing is not None:
        console.show_lines([f"The record now stands: {standing.summary}."])
    return 0


def _mode(path: Path) -> int:
    """A copy's permission bits (0o666 when they cannot be read: the umask still narrows them)."""
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o666
    except OSError:
        return 0o666

"""``smcheck verify``: find the records, verify each, hand each report to a reporter, finish.

What is printed is the chosen format's (:mod:`smcheck.formats`, one module each); this module only
runs the loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import batch, console, registry
from smcheck.choices import Require, VerifyFormat, choose
from smcheck.errors import UsageError
from smcheck.fsutil import find_files
from smcheck.record import DRAFT_SUFFIX, SUFFIX
from smcheck.trust.source import reviewer_loader

if TYPE_CHECKING:
    from smcheck.errors import CannotOpen
    from smcheck.merge import Union
    from smcheck.verify import Report


def run(
    paths: list[Path],
    *,
    checklist_ref: str | None,
    fmt: VerifyFormat | None = None,
    aliases: Mapping[str, VerifyFormat] | None = None,
    verbose: bool = False,
    allowed_signers: Path | None = None,
    require: Require | None = None,
    revoked: Path | None = None,
) -> int:
    """Verify every record in the format ``fmt`` (or the one its hidden alias in ``aliases`` names:
    ``--json``, ``--jsonl``, ``--quiet``); exit 0 when all are valid, 1 when any is not, 2 when any
    cannot be opened."""
    from smcheck import formats
    from smcheck.verify import Demands

    fmt = choose(fmt, VerifyFormat.TEXT, aliases or {})
    if fmt is VerifyFormat.QUIET and verbose:
        said = "--quiet" if aliases and "--quiet" in aliases else "--format quiet"
        raise UsageError(f"{said} and --verbose cannot be used together")
    given = registry.resolve(checklist_ref) if checklist_ref else None
    # The trust file's notes (a co-signer role no checklist defines, ...) know the given checklist's.
    roles = [c.role for c in given.cosigners] if given is not None else []
    load_trust = reviewer_loader(
        allowed_signers, revoked, notify=console.note, cosigner_roles=roles
    )
    demands = Demands(require=require, load_trust=load_trust)
    lookup = registry.lookup(given)
    today = dt.datetime.now(dt.UTC).date()

    # The file list (not the records) is held, to size the progress bar: as text, since a Path object
    # weighs several times its string (10,000 of them were most of a large batch's memory growth).
    items: list[str | CannotOpen] = []
    named = set(paths)
    drafts = 0  # found in a folder: not records, and not verified (a file given by name is)
    for found in find_files(paths, (SUFFIX, DRAFT_SUFFIX), notify=console.note):
        if isinstance(found, Path) and found.name.endswith(DRAFT_SUFFIX) and found not in named:
            drafts += 1
            continue
        items.append(str(found) if isinstance(found, Path) else found)
    if drafts:  # said with the folder's other notes, before the report (its summary stays last)
        where = "the folder" if len(paths) == 1 else "the folders"
        console.note(
            f"1 draft in {where} was not verified: an unfinished interview, never signed off"
            " (smcheck status lists it)"
            if drafts == 1
            else f"{drafts:,} drafts in {where} were not verified: unfinished interviews, never"
            " signed off (smcheck status lists them)"
        )
    if len(items) > 1:
        import gc

        # Everything loaded so far (typer, the checklist, the trust file) lives as long as the run:
        # out of the collector's sight, each collection during a long batch has far less to traverse.
        gc.freeze()
    one_record = len(paths) == 1 and len(items) == 1 and not paths[0].is_dir()

    def union(paths: Sequence[str]) -> Union | None:
        """Copies of one record the folder report found, judged together as verify judges one."""
        from smcheck.merge import union_of_paths

        return union_of_paths(paths, lookup=lookup, today=today, demands=demands)

    def describe(outcome: Report | CannotOpen, data: bytes) -> dict[str, object]:
        """The register's row for one record, as ``status --format json`` gives it (one function)."""
        from smcheck.errors import CannotOpen
        from smcheck.register import problem_entry, record_entry, row_json

        if isinstance(outcome, CannotOpen):
            entry = problem_entry(outcome)
        else:
            entry = record_entry(outcome, lookup=lookup, today=today, data=_claims(outcome, data))
        return row_json(entry, entry.labels)

    reporter = formats.reporter(
        fmt,
        total=len(items),
        one_record=one_record,
        verbose=verbose,
        union=union,
        describe=describe,
    )
    try:
        # On every core when the batch is large enough to pay for it, in the order found; what the
        # format shows of each record is made there too (the reporter's see), so only that comes back.
        outcomes = batch.results(items, reporter.see, lookup=lookup, today=today, demands=demands)
        for item, outcome in outcomes:
            if isinstance(outcome, formats.Seen) and outcome.path == item:
                # The file list's own string for its path (what the run keeps of a record names it:
                # one made in a worker arrives with a copy).
                outcome = outcome._replace(path=item)
            reporter.add(outcome)
    finally:
        reporter.close()  # the progress bar goes, even on Ctrl-C
    reporter.finish()
    return reporter.tally.exit_code


def _claims(report: Report, data: bytes) -> bytes:
    """The bytes of a file that does not verify and whose content verify did not read (refused at
    its signature), so that its JSON names the channel it claims, as ``status`` does: ``data``, the
    bytes verify read, or read again when not given; b"" otherwise or when it cannot be read again
    (then it names none)."""
    from smcheck.errors import CannotOpen
    from smcheck.layout import MAX_RECORD_BYTES
    from smcheck.recordfile import read_limited

    if report.valid or report.record is not None:
        return b""
    if data:
        return data
    try:
        return read_limited(Path(report.path), MAX_RECORD_BYTES)
    except (CannotOpen, OSError):
        return b""

"""``smcheck verify``: judge records, print a report per record and a summary."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.errors import CannotOpen, UsageError
from smcheck.fsutil import find_files
from smcheck.record import SUFFIX
from smcheck.trust.source import reviewer_loader

if TYPE_CHECKING:
    from smcheck.verify import Report

REQUIRE = ("signed", "approved")


def run(
    paths: list[Path],
    *,
    checklist_ref: str | None,
    as_json: bool,
    as_jsonl: bool = False,
    quiet: bool = False,
    allowed_signers: Path | None = None,
    require: str | None = None,
    revoked: Path | None = None,
) -> int:
    """Verify every record; exit 0 when all are valid, 1 when any is not, 2 when any cannot be opened."""
    from smcheck.verify import Demands, report_json, verify_path

    if as_json and as_jsonl:
        raise UsageError("--json and --jsonl cannot be used together")
    mode = "jsonl" if as_jsonl else "json" if as_json else "quiet" if quiet else "text"
    if require is not None and require not in REQUIRE:
        raise UsageError(f"--require takes signed or approved, not {require!r}")
    load_trust = reviewer_loader(allowed_signers, revoked, notify=console.note)
    demands = Demands(require=require, load_trust=load_trust)
    lookup = registry.lookup(registry.resolve(checklist_ref) if checklist_ref else None)

    today = dt.datetime.now(dt.UTC).date()
    valid = invalid = 0  # records are streamed: only counts and the problems' rows are kept
    unreadable: list[CannotOpen] = []
    objects: list[dict[str, object]] = []  # for --json, in command-line order
    rows: list[tuple[str, str, str]] = []  # the summary table: (state, path, detail)
    seen_ids: dict[str, str] = {}
    seen_channels: dict[str, str] = {}
    # The file list (not the records) is held, to size the progress bar: as text, since a Path object
    # weighs several times its string (10,000 of them were most of a large batch's memory growth).
    items = [str(item) if isinstance(item, Path) else item for item in find_files(paths, (SUFFIX,))]
    if len(items) > 1:
        import gc

        # Everything loaded so far (typer, the checklist, the trust file) lives as long as the run:
        # out of the collector's sight, each collection during a long batch has far less to traverse.
        gc.freeze()
    progress = _progress(len(items)) if mode == "text" else None
    for item in items:
        if progress is not None:
            progress.advance()
        try:
            if isinstance(item, CannotOpen):
                raise item
            report = verify_path(Path(item), lookup=lookup, today=today, demands=demands)
        except CannotOpen as exc:
            unreadable.append(exc)
            rows.append(("UNREAD", exc.path, exc.reason))
            emit({"path": exc.path, "valid": False, "error": exc.reason}, objects, mode)
            if mode in ("text", "quiet"):
                console.plain_error(exc.message)
            continue
        ok = report.valid
        valid, invalid = valid + ok, invalid + (not ok)
        warnings = _repeats(report, seen_ids, seen_channels)
        failed = "" if ok else ", ".join(c.check for c in report.checks if c.verdict == "FAIL")
        if not ok or len(items) <= TABLE_ALL_UP_TO:
            rows.append(
                ("VALID" if ok else "INVALID", report.path, f"fails: {failed}" if failed else "")
            )
        if mode == "quiet":
            if not ok:
                console.show_lines([f"INVALID {report.path}: fails {failed}"], out=True)
        elif mode == "text":
            console.show_report(report)
            for warning in warnings:
                console.show_lines([f"  ! {warning['message']}"], out=True)
        else:
            emit({**report_json(report), "warnings": warnings}, objects, mode)
    if progress is not None:
        progress.close()
    if mode == "json":
        console.print_json(objects)
    elif mode == "text" and (len(items) > 1 or unreadable):
        if rows:
            console.show_table(rows)
        console.show_summary(valid, invalid, len(unreadable))
    if unreadable:
        return 2
    return 1 if invalid else 0


TABLE_ALL_UP_TO = 50
"""Up to this many records the summary table lists them all; beyond, only those that failed."""

PROGRESS_FROM = 20
"""A batch this large shows a progress bar (on a terminal, for the text report only)."""


def _progress(total: int) -> console.Progress | None:
    if total < PROGRESS_FROM or not sys.stdout.isatty():
        return None
    return console.Progress(total, "Verifying")


def emit(obj: dict[str, object], objects: list[dict[str, object]], mode: str) -> None:
    """--jsonl: one line now, as each record is checked; --json: collected for one array."""
    if mode == "jsonl":
        import json

        sys.stdout.write(json.dumps(obj, ensure_ascii=True, default=str) + "\n")
        sys.stdout.flush()
    elif mode == "json":
        objects.append(obj)


def _repeats(
    report: Report, seen_ids: dict[str, str], seen_channels: dict[str, str]
) -> list[dict[str, str]]:
    """The same record id, or the same channel, seen earlier in this run: a resubmission or a replay."""
    warnings: list[dict[str, str]] = []
    if report.record_id is not None:
        other = seen_ids.setdefault(report.record_id, report.path)
        if other != report.path:
            warnings.append(
                {
                    "code": "repeated-record-id",
                    "other": other,
                    "message": f"same record id as {other}: a copy, a resubmission or a replay",
                }
            )
    if report.channel is not None:
        other = seen_channels.setdefault(report.channel, report.path)
        if other != report.path:
            warnings.append(
                {
                    "code": "repeated-channel",
                    "other": other,
                    "message": f"same channel ({report.channel}) as {other}: a resubmission?",
                }
            )
    return warnings

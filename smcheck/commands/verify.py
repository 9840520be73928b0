"""``smcheck verify``: judge records, print a report per record and a summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.checklist import Checklist
from smcheck.errors import CannotOpen, SmcheckError, UsageError

if TYPE_CHECKING:
    from smcheck.signing import TrustFile

REQUIRE = ("signed", "approved")


def run(
    paths: list[Path],
    *,
    checklist_ref: str | None,
    as_json: bool,
    allowed_signers: Path | None = None,
    require: str | None = None,
    revoked: Path | None = None,
) -> int:
    """Verify every record; exit 0 when all are valid, 1 when any is not, 2 when any cannot be opened."""
    from smcheck.verify import Demands, Report, report_json, verify_path

    if require is not None and require not in REQUIRE:
        raise UsageError(f"--require takes signed or approved, not {require!r}")
    loaded: list[tuple[TrustFile | None, frozenset[bytes]]] = []

    def load_trust() -> tuple[TrustFile | None, frozenset[bytes]]:
        # For signed records only (unless a file was named): the config and cryptography stay
        # unloaded for unsigned ones. A bad trust file is one usage error, not a bad record.
        if not loaded:
            from smcheck.commands.signatures import resolve_trust

            try:
                loaded.append(resolve_trust(allowed_signers, revoked))
            except SmcheckError as exc:
                raise UsageError(
                    f"the trust file cannot be used: {exc.message}", hint=exc.hint
                ) from None
        return loaded[0]

    if allowed_signers is not None or revoked is not None:
        load_trust()  # named on the command line: check it even if no record is signed

    demands = Demands(require=require, load_trust=load_trust)

    explicit = registry.resolve(checklist_ref) if checklist_ref else None
    cache: dict[str, Checklist | None] = {}

    def lookup(checklist_id: str) -> Checklist | None:
        if explicit is not None:
            return explicit
        if checklist_id not in cache:
            try:
                cache[checklist_id] = registry.by_id(checklist_id)
            except SmcheckError:
                cache[checklist_id] = None
        return cache[checklist_id]

    today = dt.datetime.now(dt.UTC).date()
    reports: list[Report] = []
    unreadable: list[CannotOpen] = []
    objects: list[dict[str, object]] = []  # for --json, in command-line order
    for path in paths:
        try:
            report = verify_path(path, lookup=lookup, today=today, demands=demands)
        except CannotOpen as exc:
            unreadable.append(exc)
            objects.append({"path": exc.path, "valid": False, "error": exc.reason})
            if not as_json:
                console.plain_error(exc.message)
            continue
        reports.append(report)
        if as_json:
            objects.append(report_json(report))
        if not as_json:
            console.show_report(report)
    valid = sum(r.valid for r in reports)
    if as_json:
        console.print_json(objects)
    elif len(paths) > 1 or unreadable:
        console.show_summary(valid, len(reports) - valid, len(unreadable))
    if unreadable:
        return 2
    return 0 if valid == len(reports) else 1

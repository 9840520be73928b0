"""``smcheck verify``: a record is judged by a list of small checks, each giving PASS, WARN, FAIL or SKIP.

Every check says in plain words what it established and, when it fails, what it found and what was
expected. Each finding carries a stable code for ``--json``. A record is valid when no check fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from smcheck.checklist import Checklist, Level
from smcheck.outcome import Status, evaluate, judge_answers
from smcheck.record import (
    MAX_RECORD_BYTES,
    Record,
    RecordError,
    RecordFile,
    add_months,
    parse_record,
    read_limited,
    sha256,
)
from smcheck.signoff import SIGNOFF_QUESTIONS
from smcheck.values import AnswerError, check_typed


class Verdict(StrEnum):
    """The result of one check."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


CHECKS: tuple[tuple[str, str], ...] = (
    ("well-formed", "well-formed"),
    ("schema-version", "schema version"),
    ("checklist", "checklist"),
    ("answers", "answers"),
    ("outcome", "outcome"),
    ("signoff", "sign-off"),
    ("integrity", "integrity"),
    ("review-date", "review date"),
)
"""Every check, in the order it is reported: (stable id, title)."""

_TITLES = dict(CHECKS)


class Detail(NamedTuple):
    """One thing a check found, with a stable code; ``where`` is a question id or a key when there is one."""

    code: str
    message: str
    where: str | None = None


class CheckResult(NamedTuple):
    """One row of the report."""

    check: str
    verdict: Verdict
    code: str
    """A stable code for the row as a whole (``ok`` when it passed)."""
    summary: str
    details: tuple[Detail, ...] = ()

    @property
    def title(self) -> str:
        """The check's name as shown to a person."""
        return _TITLES[self.check]


class Report(NamedTuple):
    """Everything ``verify`` established about one file."""

    path: str
    checks: tuple[CheckResult, ...]
    record_id: str | None = None

    @property
    def valid(self) -> bool:
        """True when no check failed."""
        return all(c.verdict is not Verdict.FAIL for c in self.checks)

    @property
    def warnings(self) -> int:
        """How many checks gave a warning."""
        return sum(c.verdict is Verdict.WARN for c in self.checks)


ChecklistLookup = Callable[[str], Checklist | None]


def verify_path(path: Path, *, lookup: ChecklistLookup, today: dt.date) -> Report:
    """Verify one record file. Raises :class:`~smcheck.errors.CannotOpen` when it cannot be opened."""
    return verify_bytes(read_limited(path, MAX_RECORD_BYTES), str(path), lookup=lookup, today=today)


def verify_bytes(data: bytes, source: str, *, lookup: ChecklistLookup, today: dt.date) -> Report:
    """Verify record bytes; never raises for bad content (every problem becomes a FAIL row)."""
    try:
        parsed = parse_record(data)
    except RecordError as exc:
        return _broken(source, exc)
    record = parsed.record
    rows = [
        CheckResult(
            "well-formed",
            Verdict.PASS,
            "ok",
            f"UTF-8 TOML in the record format ({len(data):,} bytes)",
        ),
        CheckResult("schema-version", Verdict.PASS, "ok", f"record schema {record.schema}"),
    ]
    checklist_row, checklist = _checklist(record, lookup)
    rows.append(checklist_row)
    if checklist is None:
        why = "needs the checklist the record was made against"
        rows.append(CheckResult("answers", Verdict.SKIP, "skipped", why))
        rows.append(CheckResult("outcome", Verdict.SKIP, "skipped", why))
    else:
        answers_row, accepted = _answers(record, checklist)
        rows.append(answers_row)
        rows.append(_outcome(record, checklist, accepted))
    rows.append(_signoff(record, checklist, today))
    rows.append(_integrity(parsed))
    rows.append(_review(record, checklist, today))
    return Report(source, tuple(rows), record.id)


def _broken(source: str, exc: RecordError) -> Report:
    """The report of a file that could not be read as a record: the failing check, then SKIP rows."""
    rows: list[CheckResult] = []
    failed = False
    details = tuple(Detail(exc.code, d) for d in exc.details)
    for check, _ in CHECKS:
        if check == exc.check:
            rows.append(CheckResult(check, Verdict.FAIL, exc.code, exc.message, details))
            failed = True
        elif not failed:
            rows.append(CheckResult(check, Verdict.PASS, "ok", "UTF-8 TOML with a [record] table"))
        else:
            rows.append(
                CheckResult(
                    check, Verdict.SKIP, "skipped", "not checked: the record could not be read"
                )
            )
    return Report(source, tuple(rows))


def _checklist(record: Record, lookup: ChecklistLookup) -> tuple[CheckResult, Checklist | None]:
    checklist = lookup(record.checklist_id)
    named = f"{record.checklist_id} {record.checklist_version}"
    if checklist is None:
        return (
            CheckResult(
                "checklist",
                Verdict.FAIL,
                "checklist-unknown",
                f"made against checklist {named!r}, which this smcheck does not know;"
                " give its file with --checklist PATH",
            ),
            None,
        )
    if checklist.id != record.checklist_id:
        return (
            CheckResult(
                "checklist",
                Verdict.FAIL,
                "checklist-mismatch",
                f"made against checklist {record.checklist_id!r}, but --checklist gave {checklist.id!r}",
            ),
            None,
        )
    if checklist.version != record.checklist_version:
        return (
            CheckResult(
                "checklist",
                Verdict.FAIL,
                "checklist-version",
                f"made against version {record.checklist_version!r} of {checklist.id}, but the checklist"
                f" here is version {checklist.version!r}; give the old file with --checklist PATH",
            ),
            None,
        )
    if checklist.sha256 != record.checklist_sha256:
        return (
            CheckResult(
                "checklist",
                Verdict.FAIL,
                "checklist-digest",
                f"{named}: the record's checklist digest {record.checklist_sha256[:12]}… differs from"
                f" {checklist.path.name} ({checklist.sha256[:12]}…): the checklist was changed without a new version",
            ),
            None,
        )
    return (
        CheckResult(
            "checklist",
            Verdict.PASS,
            "ok",
            f"{named}, digest equal to {checklist.path.name}",
        ),
        checklist,
    )


def _answers(record: Record, checklist: Checklist) -> tuple[CheckResult, dict[str, object]]:
    accepted, problems = judge_answers(
        checklist, record.answers, today=record.created.date(), exact=True
    )
    if problems:
        details = tuple(Detail(p.code, p.message, p.question) for p in problems)
        summary = (
            str(problems[0]) if len(problems) == 1 else f"{len(problems)} answers cannot stand:"
        )
        return CheckResult("answers", Verdict.FAIL, problems[0].code, summary, details), dict(
            accepted
        )
    return (
        CheckResult(
            "answers",
            Verdict.PASS,
            "ok",
            f"{len(accepted)} answers, all valid; every question asked under the conditions is answered",
        ),
        dict(accepted),
    )


def _outcome(record: Record, checklist: Checklist, accepted: dict[str, object]) -> CheckResult:
    outcome = evaluate(checklist, accepted)  # type: ignore[arg-type]
    if outcome.status is not record.status or outcome.findings != record.actions:
        stated_rules = {a.rule for a in record.actions}
        found_rules = {f.rule for f in outcome.findings}
        details: list[Detail] = []
        details += [
            Detail(
                "outcome-missing-action",
                "the answers give this finding, but the record does not state it",
                r,
            )
            for r in sorted(found_rules - stated_rules)
        ]
        details += [
            Detail(
                "outcome-extra-action",
                "the record states this finding, but the answers do not give it",
                r,
            )
            for r in sorted(stated_rules - found_rules)
        ]
        if found_rules == stated_rules and outcome.status is record.status:
            details.append(
                Detail(
                    "outcome-mismatch", "an action's wording or clauses differ from the checklist's"
                )
            )
        return CheckResult(
            "outcome",
            Verdict.FAIL,
            "outcome-mismatch",
            f"the recorded outcome ({record.status}) is not what the answers give ({outcome.status})",
            tuple(details),
        )
    if not outcome.status.can_sign_off:
        blocking = [f for f in outcome.findings if f.level is not Level.WARNING]
        return CheckResult(
            "outcome",
            Verdict.FAIL,
            "outcome-blocked",
            f"{outcome.status}: " + "; ".join(f"{f.rule}: {f.action}" for f in blocking),
            tuple(Detail("outcome-blocked", f.message, f.rule) for f in blocking),
        )
    warnings = outcome.of_level(Level.WARNING)
    if warnings:
        return CheckResult(
            "outcome",
            Verdict.WARN,
            "outcome-warnings",
            f"ready, with {len(warnings)} warning{'s' if len(warnings) != 1 else ''} for the reviewer: "
            + "; ".join(f"{f.rule} ({f.message})" for f in warnings),
            tuple(Detail("outcome-warning", f.message, f.rule) for f in warnings),
        )
    return CheckResult(
        "outcome", Verdict.PASS, "ok", "ready, no warnings (recomputed from the answers)"
    )


def _signoff(record: Record, checklist: Checklist | None, today: dt.date) -> CheckResult:
    problems: list[Detail] = []
    signoff = record.signoff
    for question in SIGNOFF_QUESTIONS:
        key = question.id.rsplit(".", 1)[1]
        value = getattr(signoff, key)
        try:
            if check_typed(question, value, today=record.created.date()) != value:
                raise AnswerError("has surrounding spaces")
        except AnswerError as exc:
            problems.append(Detail("signoff-incomplete", f"{key} {exc}", f"signoff.{key}"))
    if record.created.date() > today:
        problems.append(
            Detail(
                "signoff-future",
                f"signed off on {record.created.date()}, which is after today ({today})",
                "record.created",
            )
        )
    if checklist is not None and record.declaration != checklist.declaration:
        problems.append(
            Detail(
                "signoff-declaration",
                "the declaration is not the checklist's text, word for word",
                "signoff.declaration",
            )
        )
    if problems:
        return CheckResult(
            "signoff",
            Verdict.FAIL,
            problems[0].code,
            "; ".join(d.message for d in problems),
            tuple(problems),
        )
    stamp = record.created.strftime("%Y-%m-%d %H:%M UTC")
    note = "" if checklist is not None else " (declaration not compared: checklist unknown)"
    return CheckResult(
        "signoff",
        Verdict.PASS,
        "ok",
        f"{signoff.name} <{signoff.email}>, {signoff.role}, {signoff.department}, {stamp}{note}",
    )


def _integrity(parsed: RecordFile) -> CheckResult:
    digests = [s.digest for s in parsed.seals if s.method == "sha256" and s.digest is not None]
    if not digests:
        return CheckResult(
            "integrity", Verdict.FAIL, "digest-missing", "the record carries no SHA-256 digest"
        )
    if len(digests) > 1:
        return CheckResult(
            "integrity", Verdict.FAIL, "digest-repeated", "the record carries more than one digest"
        )
    actual = sha256(parsed.content)
    if actual != digests[0]:
        hint = ""
        if (
            b"\r\n" in parsed.content
            and sha256(parsed.content.replace(b"\r\n", b"\n")) == digests[0]
        ):
            hint = " (only its line endings were changed, to CRLF)"
        return CheckResult(
            "integrity",
            Verdict.FAIL,
            "digest-mismatch",
            f"the content was changed after it was written{hint}: its SHA-256 is {actual[:12]}…,"
            f" the record says {digests[0][:12]}…",
        )
    return CheckResult(
        "integrity",
        Verdict.PASS,
        "unsigned",
        "content matches its SHA-256 digest. UNSIGNED: integrity only; a digest catches accidental"
        " change, not a deliberate edit (anyone can recompute it) and says nothing of who wrote it",
    )


def _review(record: Record, checklist: Checklist | None, today: dt.date) -> CheckResult:
    if checklist is not None:
        try:
            expected: dt.date | None = add_months(record.created.date(), checklist.review_months)
        except ValueError:  # a sign-off so late in the year 9999 that no date follows it
            expected = None
        if record.review_by != expected:
            return CheckResult(
                "review-date",
                Verdict.FAIL,
                "review-date-wrong",
                f"review-by {record.review_by} is not {checklist.review_months} months after"
                f" the sign-off ({expected or 'a date after 9999-12-31'})",
            )
    if record.review_by < today:
        return CheckResult(
            "review-date",
            Verdict.WARN,
            "review-overdue",
            f"the channel was due for re-review on {record.review_by} (GG-7); ask for a new record",
        )
    return CheckResult(
        "review-date", Verdict.PASS, "ok", f"due for re-review by {record.review_by}"
    )


def report_json(report: Report) -> dict[str, object]:
    """The report as a JSON-ready object with stable codes."""
    return {
        "path": report.path,
        "valid": report.valid,
        "record_id": report.record_id,
        "checks": [
            {"check": c.check, "status": c.verdict.value, "code": c.code, "message": c.summary}
            for c in report.checks
        ],
        "findings": [
            {
                "check": c.check,
                "status": c.verdict.value,
                "code": d.code,
                "message": d.message,
                "where": d.where,
            }
            for c in report.checks
            if c.verdict in (Verdict.FAIL, Verdict.WARN)
            for d in (c.details or (Detail(c.code, c.summary),))
        ],
    }


__all__ = [
    "CHECKS",
    "CheckResult",
    "Detail",
    "Report",
    "Status",
    "Verdict",
    "report_json",
    "verify_bytes",
    "verify_path",
]

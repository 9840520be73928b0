"""``smcheck verify``: a record is judged by a list of small checks, each giving PASS, WARN, FAIL or SKIP.

Every check says in plain words what it established and, when it fails, what it found and what was
expected. Each finding carries a stable code for ``--json``. A record is valid when no check fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smcheck.checklist import Checklist, Level
from smcheck.outcome import (
    Judgement,
    Status,
    cosigners_for_shown,
    judge_answers,
    outcome_of_shown,
)
from smcheck.record import (
    MAX_RECORD_BYTES,
    PROPOSER,
    REVIEWER,
    Record,
    RecordError,
    RecordFile,
    Seal,
    add_months,
    parse_content,
    read_layout,
    read_limited,
    sha256,
)
from smcheck.signoff import SIGNOFF_QUESTIONS
from smcheck.values import AnswerError, check_typed

if TYPE_CHECKING:
    from smcheck.sigcheck import SignatureReport
    from smcheck.signing import Sshsig, TrustFile


class Verdict(StrEnum):
    """The result of one check."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"
    INFO = "INFO"
    """A state, neither good nor bad (not signed, not approved yet); ``--require`` makes it a FAIL."""


CHECKS: tuple[tuple[str, str], ...] = (
    ("well-formed", "well-formed"),
    ("schema-version", "schema version"),
    ("checklist", "checklist"),
    ("answers", "answers"),
    ("outcome", "outcome"),
    ("signoff", "sign-off"),
    ("integrity", "integrity"),
    ("signature", "signature"),
    ("approval", "approval"),
    ("cosign", "co-signatures"),
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
    signatures: tuple[SignatureReport, ...] = ()
    """Each signature found: role, principal (from the trust file), fingerprint, trust status."""
    channel: str | None = None
    """The channel the record is about, from the checklist's ``name_from`` answers (e.g. platform and
    handle), to notice two records for one channel in a batch."""

    @property
    def valid(self) -> bool:
        """True when no check failed."""
        return all(c.verdict is not Verdict.FAIL for c in self.checks)

    @property
    def warnings(self) -> int:
        """How many checks gave a warning."""
        return sum(c.verdict is Verdict.WARN for c in self.checks)


ChecklistLookup = Callable[[str], Checklist | None]


class Demands(NamedTuple):
    """What the reviewer brings to verify, and what they require of a record."""

    trust: TrustFile | None = None
    """The reviewer's allowed_signers file: the only source of trust."""
    revoked: frozenset[bytes] = frozenset()
    load_trust: Callable[[], tuple[TrustFile | None, frozenset[bytes]]] | None = None
    """Where ``trust`` and ``revoked`` come from when they are not given: called (once, by the caller's
    caching) only for a signed record, so that unsigned records never read the config or load crypto."""
    require: str | None = None
    """None (report the state), ``signed`` or ``approved``."""
    now: dt.datetime | None = None
    """When keys' validity windows are judged (default: now)."""


NO_DEMANDS = Demands()
"""No trust file, nothing required: verify reports the state."""


def verify_path(
    path: Path, *, lookup: ChecklistLookup, today: dt.date, demands: Demands = NO_DEMANDS
) -> Report:
    """Verify one record file. Raises :class:`~smcheck.errors.CannotOpen` when it cannot be opened."""
    data = read_limited(path, MAX_RECORD_BYTES)
    return verify_bytes(data, str(path), lookup=lookup, today=today, demands=demands)


def verify_bytes(
    data: bytes,
    source: str,
    *,
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands = NO_DEMANDS,
) -> Report:
    """Verify record bytes; never raises for bad content (every problem becomes a FAIL row).

    The proposer's signature is checked over the exact content bytes before the content is parsed.
    """
    try:
        content, seals = read_layout(data)
    except RecordError as exc:
        return _broken(source, exc)
    signed = [s for s in seals if s.method == "sshsig"]
    proposer = [s for s in signed if s.role == PROPOSER]
    if len(proposer) > 1:
        return _refused(
            source,
            "signature",
            "signature-repeated",
            "the record carries more than one proposer signature",
        )
    sig = None
    if proposer:
        from smcheck import sigcheck
        from smcheck.signing import SignatureError

        try:
            sig = sigcheck.check_proposer(proposer[0], content)
        except SignatureError as exc:
            return _refused(
                source,
                "signature",
                "signature-broken",
                f"the proposer's signature does not verify ({exc.message}), so the content was not read",
            )
    try:
        parsed = RecordFile(content, parse_content(content), seals)
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
    accepted: dict[str, object] = {}
    rows.append(checklist_row)
    if checklist is None:
        why = "needs the checklist the record was made against"
        rows.append(CheckResult("answers", Verdict.SKIP, "skipped", why))
        rows.append(CheckResult("outcome", Verdict.SKIP, "skipped", why))
    else:
        answers_row, judged = _answers(record, checklist)
        accepted = dict(judged.accepted)
        rows.append(answers_row)
        rows.append(_outcome(record, judged))
    rows.append(_signoff(record, checklist, today))
    rows.append(_integrity(parsed, signed=sig is not None))
    now = demands.now or dt.datetime.now(dt.UTC)
    signature_rows, reports = _signatures(
        parsed, sig, proposer[0] if proposer else None, checklist, accepted, demands, now
    )
    rows.extend(signature_rows)
    rows.append(_review(record, checklist, today))
    channel = None
    if checklist is not None and checklist.name_from:
        parts = [str(accepted[q]) for q in checklist.name_from if q in accepted]
        channel = " ".join(parts) if parts else None
    return Report(source, tuple(rows), record.id, tuple(reports), channel)


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


def _answers(record: Record, checklist: Checklist) -> tuple[CheckResult, Judgement]:
    judged = judge_answers(checklist, record.answers, today=record.created.date(), exact=True)
    problems = judged.problems
    if problems:
        details = tuple(Detail(p.code, p.message, p.question) for p in problems)
        summary = (
            str(problems[0]) if len(problems) == 1 else f"{len(problems)} answers cannot stand:"
        )
        return CheckResult("answers", Verdict.FAIL, problems[0].code, summary, details), judged
    return (
        CheckResult(
            "answers",
            Verdict.PASS,
            "ok",
            f"{len(judged.accepted)} answers, all valid; every question asked under the conditions"
            " is answered",
        ),
        judged,
    )


def _outcome(record: Record, judged: Judgement) -> CheckResult:
    outcome = outcome_of_shown(judged.shown, judged.accepted)
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
    stamp = record.created.isoformat(" ", "minutes")[:16] + " UTC"  # created is UTC (see record.py)
    note = "" if checklist is not None else " (declaration not compared: checklist unknown)"
    return CheckResult(
        "signoff",
        Verdict.PASS,
        "ok",
        f"{signoff.name} <{signoff.email}>, {signoff.role}, {signoff.department}, {stamp}{note}",
    )


def _integrity(parsed: RecordFile, *, signed: bool) -> CheckResult:
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
    if signed:
        return CheckResult(
            "integrity",
            Verdict.PASS,
            "ok",
            "content matches its SHA-256 digest (and see signature)",
        )
    return CheckResult(
        "integrity",
        Verdict.PASS,
        "unsigned",
        "content matches its SHA-256 digest. UNSIGNED: integrity only; a digest catches accidental"
        " change, not a deliberate edit (anyone can recompute it) and says nothing of who wrote it",
    )


def _refused(source: str, check: str, code: str, message: str) -> Report:
    """A record refused at its signature: its layout was read, nothing it signs was."""
    rows: list[CheckResult] = []
    for name, _ in CHECKS:
        if name == "well-formed":
            rows.append(
                CheckResult(
                    name, Verdict.PASS, "ok", "a record's layout: content and signatures part"
                )
            )
        elif name == check:
            rows.append(CheckResult(name, Verdict.FAIL, code, message))
        else:
            rows.append(
                CheckResult(name, Verdict.SKIP, "skipped", "not checked: the content was not read")
            )
    return Report(source, tuple(rows))


def _state(
    check: str, code: str, message: str, demands: Demands, needed_for: tuple[str, ...]
) -> CheckResult:
    """A state row: INFO, or FAIL when the reviewer's --require asks for what is missing."""
    if demands.require in needed_for:
        return CheckResult(
            check, Verdict.FAIL, code, f"{message}, and --require {demands.require} asks for it"
        )
    return CheckResult(check, Verdict.INFO, code, message)


def _signatures(
    parsed: RecordFile,
    sig: Sshsig | None,
    proposer: Seal | None,
    checklist: Checklist | None,
    accepted: dict[str, object],
    demands: Demands,
    now: dt.datetime,
) -> tuple[list[CheckResult], list[SignatureReport]]:
    """The signature, approval and co-signature rows, and a report of each signature."""
    signed = [s for s in parsed.seals if s.method == "sshsig" and s.role != PROPOSER]
    if sig is None:
        rows = [
            _state(
                "signature",
                "unsigned",
                "not signed: UNSIGNED, integrity only",
                demands,
                ("signed", "approved"),
            )
        ]
        if signed:
            rows.append(
                CheckResult(
                    "approval",
                    Verdict.FAIL,
                    "approval-unsigned-record",
                    "an approval on an unsigned record binds nothing",
                )
            )
        else:
            rows.append(
                _state(
                    "approval",
                    "not-approved",
                    "not approved yet (no signature)",
                    demands,
                    ("approved",),
                )
            )
        rows.append(_cosign_state(checklist, accepted, [], demands))
        return rows, []

    from smcheck import sigcheck

    if demands.trust is None and demands.load_trust is not None:
        trust, revoked = demands.load_trust()
        demands = demands._replace(trust=trust, revoked=revoked | demands.revoked)
    record = parsed.record
    reports: list[SignatureReport] = []
    mine = sigcheck.trust_of(
        sig,
        role=PROPOSER,
        principal=record.signoff.email,
        namespace=sigcheck.NAMESPACE_RECORD,
        trust=demands.trust,
        revoked=demands.revoked,
        at=now,
    )
    reports.append(mine)
    rows = [_trust_row("signature", mine, demands, what="signed")]

    def approval_of(seal: Seal) -> SignatureReport:
        return sigcheck.check_approval(
            seal,
            record_id=record.id,
            content=parsed.content,
            proposer=proposer,
            trust=demands.trust,
            revoked=demands.revoked,
            at=now,
        )

    reviewer = [s for s in signed if s.role == REVIEWER]
    if len(reviewer) > 1:
        rows.append(
            CheckResult(
                "approval",
                Verdict.FAIL,
                "approval-repeated",
                "the record carries more than one review",
            )
        )
    elif not reviewer:
        rows.append(_state("approval", "not-approved", "not approved yet", demands, ("approved",)))
    else:
        review = approval_of(reviewer[0])
        reports.append(review)
        rows.append(_approval_row("approval", review, demands))

    cosigned = [s for s in signed if s.role != REVIEWER]
    cosign_reports = [approval_of(s) for s in cosigned]
    reports.extend(cosign_reports)
    rows.append(_cosign_state(checklist, accepted, cosign_reports, demands))
    return rows, reports


def _trust_row(check: str, report: SignatureReport, demands: Demands, *, what: str) -> CheckResult:
    who = (
        f"{report.principal} (key {report.fingerprint})"
        if report.principal
        else f"key {report.fingerprint}"
    )
    if report.status == "trusted":
        return CheckResult(check, Verdict.PASS, "ok", f"{what} by {who}: trusted")
    if report.status == "no-trust-file":
        if demands.require is not None:
            return CheckResult(check, Verdict.FAIL, "no-trust-file", report.message)
        return CheckResult(check, Verdict.WARN, "no-trust-file", report.message)
    return CheckResult(check, Verdict.FAIL, f"{check}-{report.status}", report.message)


def _approval_row(check: str, report: SignatureReport, demands: Demands) -> CheckResult:
    approval = report.approval
    if approval is None or report.status == "broken":
        return CheckResult(check, Verdict.FAIL, f"{check}-broken", report.message)
    row = _trust_row(check, report, demands, what=approval.decision)
    if row.verdict is not Verdict.PASS:
        return row
    said = f"{approval.decision} by {report.principal} on {approval.time:%Y-%m-%d}"
    said += f": {approval.comment}" if approval.comment else ""
    if approval.decision != "approved":
        if demands.require == "approved":
            return CheckResult(check, Verdict.FAIL, "rejected", said)
        return CheckResult(check, Verdict.WARN, "rejected", said)
    return CheckResult(check, Verdict.PASS, "ok", said)


def _cosign_state(
    checklist: Checklist | None,
    accepted: dict[str, object],
    reports: list[SignatureReport],
    demands: Demands,
) -> CheckResult:
    if checklist is None:
        return CheckResult(
            "cosign", Verdict.SKIP, "skipped", "needs the checklist the record was made against"
        )
    # `accepted` holds only the shown questions' valid answers (judge_answers): no second walk needed.
    needed = {c.role: c for c in cosigners_for_shown(checklist, accepted)}  # type: ignore[arg-type]
    known = {c.role for c in checklist.cosigners}
    roles = [r.role for r in reports]
    repeated = sorted({role for role in roles if roles.count(role) > 1})
    if repeated:
        return CheckResult(
            "cosign",
            Verdict.FAIL,
            "cosign-repeated",
            f"the record carries more than one co-signature for role {repeated[0]!r}",
        )
    by_role = {r.role: r for r in reports}
    for report in reports:
        if report.role not in known:
            return CheckResult(
                "cosign",
                Verdict.FAIL,
                "cosign-unknown-role",
                f"a co-signature for role {report.role!r}, which the checklist does not know",
            )
    if not needed:
        return CheckResult("cosign", Verdict.PASS, "ok", "no co-signature required by the answers")
    parts: list[str] = []
    for role, cosigner in needed.items():
        found = by_role.get(role)
        if found is None:
            row = _state(
                "cosign",
                "awaiting-cosign",
                f"awaiting {cosigner.title}'s co-signature ({', '.join(cosigner.clauses)})",
                demands,
                ("approved",),
            )
            if row.verdict is Verdict.FAIL:
                return row
            parts.append(row.summary)
            continue
        row = _approval_row("cosign", found, demands)
        if row.verdict is not Verdict.PASS:
            return row
        parts.append(f"{cosigner.title}: {row.summary}")
    verdict = Verdict.PASS if all(r in by_role for r in needed) else Verdict.INFO
    return CheckResult(
        "cosign", verdict, "ok" if verdict is Verdict.PASS else "awaiting-cosign", "; ".join(parts)
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
        "signatures": [
            {
                "role": r.role,
                "principal": r.principal,
                "fingerprint": r.fingerprint,
                "trust": r.status,
                "message": r.message,
                **(
                    {"decision": r.approval.decision, "time": r.approval.time.isoformat()}
                    if r.approval is not None
                    else {}
                ),
            }
            for r in report.signatures
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

"""``smcheck verify``: a record is judged by a list of small checks, each giving PASS, WARN, FAIL or SKIP.

Every check says in plain words what it established and, when it fails, what it found and what was
expected. Each finding carries a stable code for ``--format json``. A record is valid when no check fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smcheck import registry
from smcheck.channel import channel_of
from smcheck.checklist import Checklist, Level
from smcheck.choices import Require
from smcheck.layout import MAX_RECORD_BYTES
from smcheck.outcome import (
    Finding,
    Judgement,
    Status,
    cosigners_for_shown,
    judge_answers,
    outcome_of_shown,
)
from smcheck.record import (
    PROPOSER,
    REVIEWER,
    Record,
    RecordError,
    RecordFile,
    Seal,
    add_months,
    parse_content,
    sha256,
)
from smcheck.recordfile import read_limited
from smcheck.restore import Restoration, read_layout_advised, restoration
from smcheck.signoff import signoff_questions
from smcheck.timeutil import future_words, in_future
from smcheck.trust.policy import (
    NAMESPACE_RECORD,
    Judged,
    Roles,
    SignatureReport,
    SigStatus,
    Standing,
    State,
    judge,
)
from smcheck.values import AnswerError, check_typed

if TYPE_CHECKING:
    from smcheck.trust.allowed import TrustFile
    from smcheck.trust.sshsig import Sshsig


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
    judged: Judged | None = None
    """Every signature judged by the trust policy, and the standing that follows (None when the record
    could not be read that far)."""
    roles: Roles = Roles()
    """The approving roles of the record's checklist, and those its answers require."""
    record: Record | None = None
    """The record's content as parsed (None when it could not be read), so that views need not parse
    it again. Trust it only as far as :attr:`valid` says."""
    channel_keys: tuple[str, ...] = ()
    """The keys :attr:`channel` is known by (:func:`smcheck.channel.channel_of`): two records that
    share one are about the same channel, however each spells it."""
    copy_key: str | None = None
    """What copies of this record share (:func:`smcheck.merge.copy_key`: its signed content and its
    proposer's signature): files with the same key are one record, signed by different people."""
    rereview: str | None = None
    """The version of the record's checklist in force on the day judged, when the record was made under
    an older one that it superseded since (the register asks for a re-review under it)."""
    renewal: bool = False
    """True when the record renews a channel: it gives the answer a renewal gives to a question that
    only a renewal answers ("Is the channel already live?" yes), so its next steps speak of a
    re-review, not a launch."""

    @property
    def standing(self) -> Standing | None:
        """Where the record stands by its signatures."""
        return self.judged.standing if self.judged is not None else None

    @property
    def valid(self) -> bool:
        """True when no check failed."""
        # A plain loop: every view asks this of every report, several times (a generator per call
        # was most of what a folder's report cost the process that prints it).
        for check in self.checks:  # noqa: SIM110
            if check.verdict is Verdict.FAIL:
                return False
        return True

    @property
    def state(self) -> State:
        """Where the record stands: ``invalid`` whenever a check fails, else its signatures' standing."""
        if not self.valid or self.standing is None:
            return State.INVALID
        return self.standing.state

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
    require: Require | None = None
    """None (report the state), or what the reviewer requires (``--require``)."""
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


def verify_now(data: bytes, source: str, *, lookup: ChecklistLookup, demands: Demands) -> Report:
    """:func:`verify_bytes` as of today (UTC): what the views (show, export, diff) ask."""
    return verify_bytes(
        data, source, lookup=lookup, today=dt.datetime.now(dt.UTC).date(), demands=demands
    )


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
        content, seals = read_layout_advised(data, source)
    except RecordError as exc:
        return _broken(source, exc, data)
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
        from smcheck.trust.sshsig import SignatureError, signature_from_base64
        from smcheck.trust.sshsig import verify as verify_signature

        try:
            assert proposer[0].sshsig is not None  # the record reader ensures it
            sig = signature_from_base64(proposer[0].sshsig)
            verify_signature(sig, content, NAMESPACE_RECORD)
        except SignatureError as exc:
            fix = restoration(data, source)
            return _refused(
                source,
                "signature",
                "signature-broken",
                f"the proposer's signature does not verify ({exc.message}), so the content was not"
                " read" + _restore_hint(fix),
                _restore_detail(fix) if fix is not None and fix.intact else (),
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
    checklist_row, checklist = _checklist(record, lookup, source)
    later = registry.superseded_on(record.checklist_id, record.checklist_version, today)
    if later is not None and checklist_row.verdict is Verdict.PASS:
        # Signed off while its version was in force: valid, but the policy has changed since (GG-7).
        checklist_row = checklist_row._replace(
            summary=f"{checklist_row.summary}; {later.version} in force since {later.effective}:"
            f" re-review under {later.version}"
        )
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
    now = demands.now or dt.datetime.now(dt.UTC)
    rows.append(_signoff(record, checklist, today, now))
    rows.append(_integrity(parsed, signed=sig is not None, data=data, source=source))
    roles = roles_of(checklist, accepted)
    signatures = _judge(parsed, sig, roles, demands, now)
    newcomer = _trust_add(source, record, signatures.trust_path)
    rows.extend(_signature_rows(signatures, roles, checklist, demands, newcomer))
    rows.append(_review(record, checklist, today))
    named = channel_of(checklist, accepted, current=lookup(record.checklist_id))
    reports = (*((signatures.proposer,) if signatures.proposer else ()), *signatures.decisions)
    return Report(
        source,
        tuple(rows),
        record.id,
        reports,
        named.shown if named is not None else None,
        signatures,
        roles,
        record,
        named.keys if named is not None else (),
        _copy_key(content, seals),
        rereview=later.version if later is not None else None,
        renewal=_renews(checklist, accepted),
    )


def _renews(checklist: Checklist | None, accepted: Mapping[str, object]) -> bool:
    """Whether the answers give the answer a renewal gives to a question only a renewal answers."""
    if checklist is None:
        return False
    # A plain loop, no generator: every record asks it of every question.
    for question in checklist.questions:
        if question.renewal_only and accepted.get(question.id) == question.renewal:
            return True
    return False


def _copy_key(content: bytes, seals: tuple[Seal, ...]) -> str:
    from smcheck.merge import copy_key

    return copy_key(content, seals)


def _broken(source: str, exc: RecordError, data: bytes = b"") -> Report:
    """The report of a file that could not be read as a record: the failing check, then SKIP rows."""
    rows: list[CheckResult] = []
    failed = False
    details = tuple(Detail(exc.code, d) for d in exc.details)
    message = exc.message
    if exc.code in ("bom", "line-endings"):
        fix = restoration(data, source)
        details += _restore_detail(fix)
    for check, _ in CHECKS:
        if check == exc.check:
            rows.append(CheckResult(check, Verdict.FAIL, exc.code, message, details))
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


def _restore_hint(fix: Restoration | None) -> str:
    """For a file whose content only an editor's line endings changed: what happened, and what to do."""
    if fix is None or not fix.intact:
        return ""
    return f"; only {fix.cause}, nothing else; {fix.advice}"


def _restore_detail(fix: Restoration | None) -> tuple[Detail, ...]:
    """The command that restores a file's original bytes, as a detail of its own (shown unwrapped, so
    that it can be copied whole)."""
    if fix is None or fix.command is None:
        return ()
    return (Detail(RESTORE_COMMAND, fix.command),)


RESTORE_COMMAND = "restore-command"
"""The code of a detail that holds a shell command to paste: shown on one line, never wrapped."""


def _checklist(
    record: Record, lookup: ChecklistLookup, source: str
) -> tuple[CheckResult, Checklist | None]:
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
    if checklist.version != record.checklist_version and registry.is_shipped(checklist):
        # A record made against an earlier shipped version is checked against that version, kept in
        # the archive byte for byte (its digest is checked below like any other).
        checklist = registry.archived(checklist.id, record.checklist_version) or checklist
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
    late = registry.refused_at(record.checklist_id, record.checklist_version, record.created)
    if late is not None:
        # Old rules are still on the disk: an archived version checks old records, and a record signed
        # off under it after a later version took effect (its grace over) dodges every rule added since.
        # Its answers are still judged against its own version (the checklist is given back).
        from smcheck.text import as_run, shell_word

        return (
            CheckResult(
                "checklist",
                Verdict.FAIL,
                SUPERSEDED,
                as_run(
                    f"made under {named} on {record.created.astimezone(dt.UTC).date()}, after"
                    f" {late.version} took effect ({late.effective}, accepted until"
                    f" {late.accepted_until}): run smcheck renew {shell_word(source)} to answer the"
                    " checklist in force"
                ),
            ),
            checklist,
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


SUPERSEDED = "checklist-superseded"
"""The code of a record signed off under a checklist version no longer accepted for new sign-offs."""


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
    outcome = outcome_of_shown(judged.shown, judged.accepted, today=record.created.date())
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
        notes: list[Detail] = []
        for f in warnings:
            notes.append(Detail("outcome-warning", f.message, f.rule))
            said = explanation(f, judged.accepted)
            if said is not None:
                notes.append(
                    Detail("outcome-explanation", f"the proposer explains: {said}", f.rule)
                )
            elif f.explained_by is not None:
                notes.append(
                    Detail("outcome-unexplained", "the proposer gave no explanation", f.rule)
                )
        return CheckResult(
            "outcome",
            Verdict.WARN,
            "outcome-warnings",
            f"ready, with {len(warnings)} warning{'s' if len(warnings) != 1 else ''} for the reviewer: "
            + "; ".join(f"{f.rule} ({f.message})" for f in warnings),
            tuple(notes),
        )
    return CheckResult(
        "outcome", Verdict.PASS, "ok", "ready, no warnings (recomputed from the answers)"
    )


def explanation(finding: Finding, answers: Mapping[str, object]) -> str | None:
    """What the proposer wrote to explain a finding to the reviewer, when the checklist asks for it."""
    if finding.explained_by is None:
        return None
    said = answers.get(finding.explained_by)
    return said if isinstance(said, str) and said else None


def _signoff(
    record: Record, checklist: Checklist | None, today: dt.date, now: dt.datetime
) -> CheckResult:
    problems: list[Detail] = []
    signoff = record.signoff
    for question in signoff_questions(checklist):
        key = question.id.rsplit(".", 1)[1]
        value = getattr(signoff, key)
        try:
            if check_typed(question, value, today=record.created.date()) != value:
                raise AnswerError("has surrounding spaces")
        except AnswerError as exc:
            problems.append(Detail("signoff-incomplete", f"{key} {exc}", f"signoff.{key}"))
    if in_future(record.created, now):
        # The sign-off time is signed, but it is the proposer's to write: a record dated ahead would
        # pass as made later than it was (and an approval made now would seem to come before it).
        problems.append(
            Detail(
                "signoff-future",
                future_words("signed off at", record.created, now)
                + ": a record cannot be signed off in the future",
                "record.created",
            )
        )
    elif record.created.date() > today:  # judged as of an earlier day than now (a caller's today)
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


def _integrity(parsed: RecordFile, *, signed: bool, data: bytes, source: str) -> CheckResult:
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
        fix = restoration(data, source)
        hint = _restore_hint(fix)
        return CheckResult(
            "integrity",
            Verdict.FAIL,
            "digest-mismatch",
            f"the content was changed after it was written: its SHA-256 is {actual[:12]}…,"
            f" the record says {digests[0][:12]}…{hint}",
            _restore_detail(fix) if fix is not None and fix.intact else (),
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


def _refused(
    source: str, check: str, code: str, message: str, details: tuple[Detail, ...] = ()
) -> Report:
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
            rows.append(CheckResult(name, Verdict.FAIL, code, message, details))
        else:
            rows.append(
                CheckResult(name, Verdict.SKIP, "skipped", "not checked: the content was not read")
            )
    return Report(source, tuple(rows))


def roles_of(checklist: Checklist | None, accepted: dict[str, object]) -> Roles:
    """The approving roles of a record's checklist, and the co-signers its answers require."""
    if checklist is None:
        return Roles()
    # `accepted` holds only the shown questions' valid answers (judge_answers): no second walk needed.
    needed = cosigners_for_shown(checklist, accepted)  # type: ignore[arg-type]
    return Roles(
        reviewer=checklist.policy.reviewer or "the reviewer",
        cosigners={c.role: c.title for c in checklist.cosigners},
        needed=tuple(c.role for c in needed),
    )


def _judge(
    parsed: RecordFile, sig: Sshsig | None, roles: Roles, demands: Demands, now: dt.datetime
) -> Judged:
    """Every signature judged by the trust policy (the trust file is loaded only for signed records)."""
    trust, revoked = demands.trust, demands.revoked
    signed = any(s.method == "sshsig" for s in parsed.seals)
    if trust is None and demands.load_trust is not None and signed:
        trust, loaded = demands.load_trust()
        revoked = revoked | loaded if revoked else loaded
    return judge(
        parsed.record,
        parsed.content,
        parsed.seals,
        sig,
        trust=trust,
        revoked=revoked,
        now=now,
        roles=roles,
    )


def _state(
    check: str, code: str, message: str, demands: Demands, needed_for: tuple[Require, ...]
) -> CheckResult:
    """A state row: INFO, or FAIL when the reviewer's --require asks for what is missing."""
    if demands.require in needed_for:
        return CheckResult(
            check, Verdict.FAIL, code, f"{message}, and --require {demands.require} asks for it"
        )
    return CheckResult(check, Verdict.INFO, code, message)


TRUST_ADD_COMMAND = "trust-add-command"
"""The code of a detail that holds ``smcheck trust add RECORD``, for a proposer whose key the trust file
does not hold (a command to paste, shown whole as :data:`RESTORE_COMMAND` is)."""

RUN_COMMANDS = (RESTORE_COMMAND, TRUST_ADD_COMMAND)
"""The details that hold a command to paste. The row's summary ends with the same command (``...: CMD``),
so that every view that shows the summary alone (status, show, JSON, JUnit) shows it too; the text report
prints it on a line of its own instead (:func:`smcheck.report.summary_of`)."""


def _trust_add(
    source: str, record: Record, trust_path: str | None
) -> Callable[[SignatureReport], CheckResult | None]:
    """The signature row of a proposer whose key the trust file does not hold: who signed, by the
    record, and the command that adds them (written to work as typed), instead of a bare refusal."""
    from smcheck.text import as_run, shell_word
    from smcheck.trust.policy import newcomer

    def row(proposer: SignatureReport) -> CheckResult | None:
        words = newcomer(proposer, record)
        if words is None:
            return None
        where = f"--allowed-signers {shell_word(trust_path)} " if trust_path else ""
        command = as_run(f"smcheck trust add {where}{shell_word(source)}")
        return CheckResult(
            "signature",
            Verdict.FAIL,
            f"signature-{proposer.status}",
            f"{words}: {command}",
            (Detail(TRUST_ADD_COMMAND, command),),
        )

    return row


def _signature_rows(
    judged: Judged,
    roles: Roles,
    checklist: Checklist | None,
    demands: Demands,
    newcomer: Callable[[SignatureReport], CheckResult | None] = lambda _: None,
) -> list[CheckResult]:
    """The signature, approval and co-signature rows."""
    proposer = judged.proposer
    if proposer is None:
        signature = _state(
            "signature",
            "unsigned",
            "not signed: UNSIGNED, integrity only",
            demands,
            (Require.SIGNED, Require.APPROVED),
        )
    elif proposer.status is SigStatus.TRUSTED:
        from smcheck.text import quoted

        cert = proposer.certificate
        certified = (  # which certificate, from which CA, vouched for the key (issue 20)
            f", certificate {quoted(cert.key_id)} from the CA {cert.ca_fingerprint}" if cert else ""
        )
        signature = CheckResult(
            "signature",
            Verdict.PASS,
            "ok",
            f"signed by {proposer.principal} (key {proposer.fingerprint}{certified}): trusted",
        )
    elif proposer.status is SigStatus.NOT_CHECKED:
        signature = _unchecked("signature", proposer.message, demands)
    else:
        signature = newcomer(proposer) or CheckResult(
            "signature", Verdict.FAIL, f"signature-{proposer.status}", proposer.message
        )
    reviews = [d for d in judged.decisions if d.role == REVIEWER]
    if reviews:
        approval = _decision_row("approval", reviews, demands, roles_title=None)
    elif proposer is None:
        approval = _state(
            "approval",
            "not-approved",
            "not approved yet (no signature)",
            demands,
            (Require.APPROVED,),
        )
    else:
        approval = _state(
            "approval", "not-approved", "not approved yet", demands, (Require.APPROVED,)
        )
    return [signature, approval, _cosign_row(judged, roles, checklist, demands)]


def _unchecked(check: str, message: str, demands: Demands) -> CheckResult:
    """Intact, but whose it is is not known: INFO, or a FAIL when --require asks for trust."""
    if demands.require is not None:
        return CheckResult(check, Verdict.FAIL, "no-trust-file", message)
    return CheckResult(check, Verdict.INFO, "not-checked", message)


def _code(check: str, report: SignatureReport) -> str:
    return f"{check}-{report.status}"


def _said(report: SignatureReport) -> str:
    """A decision in words: ``approved by X on 2026-11-30: comment``."""
    approval = report.approval
    assert approval is not None
    who = report.principal or f"{approval.approver} (as the statement says)"
    said = f"{approval.decision} by {who} on {approval.time:%Y-%m-%d}"
    if report.ended is not None:
        # Signed while their line was valid: it stands (git's rule), but the office may re-review.
        said += f", whose role ended on {report.ended.date().isoformat()}"
    return said + (f": {approval.comment}" if approval.comment else "")


def _decision_row(
    check: str,
    reports: list[SignatureReport],
    demands: Demands,
    *,
    roles_title: dict[str, str] | None,
    parts: list[str] | None = None,
    awaiting: bool = False,
) -> CheckResult:
    """One row for the decisions of one check: a FAIL for any that does not stand (all listed), then a
    rejection, then what is not checked or still awaited, else PASS."""
    bad = [r for r in reports if not r.good]
    if bad:
        details = tuple(Detail(_code(check, r), r.message, r.role) for r in bad)
        first = bad[0]
        return CheckResult(check, Verdict.FAIL, _code(check, first), first.message, details)
    words = list(parts or [])
    for report in reports:
        title = f"{roles_title.get(report.role, report.role)}: " if roles_title else ""
        extra = "" if report.required else " (not required by these answers)"
        if report.status is SigStatus.NOT_CHECKED:
            words.append(
                f"{title}{_said(report)}{extra}; not checked: no trust file, so who signed is not"
                " known"
            )
        else:
            words.append(f"{title}{_said(report)}{extra}")
    summary = "; ".join(words)
    rejected = any(r.approval and r.approval.decision != "approved" for r in reports)
    unchecked = any(r.status is SigStatus.NOT_CHECKED for r in reports)
    if rejected and not unchecked:
        if demands.require is Require.APPROVED:
            return CheckResult(check, Verdict.FAIL, "rejected", summary)
        return CheckResult(check, Verdict.WARN, "rejected", summary)
    if unchecked:
        return _unchecked(check, summary, demands)
    if awaiting:
        return _state(check, "awaiting-cosign", summary, demands, (Require.APPROVED,))
    return CheckResult(check, Verdict.PASS, "ok", summary)


def _cosign_row(
    judged: Judged, roles: Roles, checklist: Checklist | None, demands: Demands
) -> CheckResult:
    cosigns = [d for d in judged.decisions if d.role != REVIEWER]
    if checklist is None:
        if any(not r.good for r in cosigns):
            return _decision_row("cosign", cosigns, demands, roles_title=None)
        return CheckResult(
            "cosign", Verdict.SKIP, "skipped", "needs the checklist the record was made against"
        )
    present = {r.role for r in cosigns}
    missing = [
        f"awaiting {c.title}'s co-signature ({', '.join(c.clauses)})"
        for c in checklist.cosigners
        if c.role in roles.needed and c.role not in present
    ]
    if not cosigns and not missing:
        return CheckResult("cosign", Verdict.PASS, "ok", "no co-signature required by the answers")
    if not cosigns:
        return _state("cosign", "awaiting-cosign", "; ".join(missing), demands, (Require.APPROVED,))
    return _decision_row(
        "cosign",
        cosigns,
        demands,
        roles_title=roles.cosigners,
        parts=missing,
        awaiting=bool(missing),
    )


def _review(record: Record, checklist: Checklist | None, today: dt.date) -> CheckResult:
    if checklist is not None:
        # No overflow: the sign-off is at most timeutil.LATEST, and a checklist's review period at
        # most 60 months (the loader's rule).
        expected = add_months(record.created.date(), checklist.review_months)
        if record.review_by != expected:
            return CheckResult(
                "review-date",
                Verdict.FAIL,
                "review-date-wrong",
                f"review-by {record.review_by} is not {checklist.review_months} months after"
                f" the sign-off ({expected})",
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


__all__ = [
    "CHECKS",
    "CheckResult",
    "Detail",
    "Report",
    "Status",
    "Verdict",
    "verify_bytes",
    "verify_now",
    "verify_path",
]

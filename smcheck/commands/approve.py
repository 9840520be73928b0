"""``smcheck approve RECORD``: the reviewer's (or a co-signer's) decision, signed, appended to the record.

Everything verify would refuse is refused here first, with verify's reason (the trust policy decides
both): a record that does not verify, a role already decided, a key the trust file does not name for
the role, the proposer or one person in two roles. The decision is then checked by verify itself before
a byte is written.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.choices import Decision, Require
from smcheck.config import ALLOWED_SIGNERS_ENV
from smcheck.errors import Interrupted, SmcheckError, UsageError
from smcheck.fsutil import refuse_link
from smcheck.layout import append_seal
from smcheck.recordfile import changed_meanwhile, read_limited, rewrite_record
from smcheck.text import shell_word, visible
from smcheck.trust.policy import Refused, SigStatus, approver_for, certified_or_plain

if TYPE_CHECKING:
    from smcheck.record import Record
    from smcheck.registry import Lookup
    from smcheck.trust.allowed import TrustFile
    from smcheck.trust.certs import Certificate
    from smcheck.trust.keys import KeyRef, SigningKey
    from smcheck.trust.wire import PublicKey
    from smcheck.verify import Demands, Report


class _Stop(Exception):
    """No record can be decided (no trust file, no key, a key that does not unlock): the run stops
    with this error, instead of refusing each record for the same reason."""

    def __init__(self, error: SmcheckError) -> None:
        super().__init__(error.message)
        self.error = error


class _Desk:
    """What every record of one run shares: the trust file, the key (unlocked once, when the first
    decision is made, so the passphrase is asked once per run), the time and the decision. The trust
    file and the key are read when the first record needs them, so a record that cannot be opened is
    told before either (as it was when approve took one record)."""

    def __init__(
        self,
        *,
        allowed_signers: Path | None,
        revoked: Path | None,
        key_path: Path | None,
        decision: Decision,
        comment: str,
        role: str,
        ask: bool,
    ) -> None:
        from smcheck.session import utcnow

        self._allowed_signers = allowed_signers
        self._revoked = revoked
        self._key_path = key_path
        self.decision = decision
        self.comment = comment
        self.role = role
        self.ask = ask
        self.now = utcnow().replace(microsecond=0)
        self.lookup: Lookup = registry.lookup()
        self._trust: tuple[TrustFile, frozenset[bytes]] | None = None
        self._ref: KeyRef | None = None
        self._public: PublicKey | None = None
        self._key: SigningKey | None = None
        self._certificate: tuple[tuple[Certificate, Path] | None] | None = None

    def trust(self) -> tuple[TrustFile, frozenset[bytes]]:
        """The reviewer's trust file and revoked keys, read once (its notes told once)."""
        if self._trust is None:
            from smcheck.trust.source import resolve_trust

            trust, revoked_keys = resolve_trust(self._allowed_signers, self._revoked)
            if trust is None:
                raise _Stop(
                    UsageError(
                        "approving needs your trust file, to check the proposer's signature and find"
                        " your own name",
                        hint=f"pass --allowed-signers FILE, set {ALLOWED_SIGNERS_ENV}, or name it in"
                        " the config file",
                    )
                )
            for note in trust.notes:
                console.note(note)
            self._trust = trust, revoked_keys
        return self._trust

    def demands(self) -> Demands:
        """What verify is asked for: the trust file, at this run's time; nothing required."""
        from smcheck.verify import Demands

        trust, revoked_keys = self.trust()
        return Demands(trust=trust, revoked=revoked_keys, now=self.now)

    def public(self) -> PublicKey:
        """The signing key's public half (read, not unlocked)."""
        if self._public is None:
            from smcheck.trust.keys import key_ref

            try:
                self._ref = key_ref(self._key_path)
                self._public = self._ref.public()
            except SmcheckError as exc:
                raise _Stop(exc) from None
        return self._public

    def certificate(self) -> tuple[Certificate, Path] | None:
        """The key's certificate (``KEY-cert.pub`` beside it), if it has one: read once."""
        if self._certificate is None:
            self.public()
            assert self._ref is not None
            try:
                self._certificate = (self._ref.certificate(),)
            except SmcheckError as exc:
                raise _Stop(exc) from None
        return self._certificate[0]

    def key(self) -> SigningKey:
        """The signing key, unlocked the first time it is needed."""
        if self._key is None:
            self.public()
            assert self._ref is not None
            try:
                self._key = self._ref.unlock()
            except Interrupted:
                raise
            except SmcheckError as exc:
                raise _Stop(exc) from None
        return self._key


def run(
    records: Sequence[Path] | Path,
    *,
    key_path: Path | None,
    decision: Decision,
    comment: str,
    role: str,
    allowed_signers: Path | None,
    revoked: Path | None = None,
    yes: bool = False,
) -> int:
    """Append a decision to each record that verifies, in turn.

    In a terminal (stdin and stderr), each record's summary is shown and the decision asked for
    ("Approve RECORD as ...? [y/N]") unless ``yes``; without one, it decides without asking, as scripts
    expect. A record refused or declined does not stop the others. Exit 0 when every record was
    decided, else the highest of 1 (declined, or refused) and a refusal's own exit code.
    """
    paths = [records] if isinstance(records, Path) else list(records)
    desk = _Desk(
        allowed_signers=allowed_signers,
        revoked=revoked,
        key_path=key_path,
        decision=decision,
        comment=comment,
        role=role,
        ask=not yes and sys.stdin.isatty() and sys.stderr.isatty(),
    )
    if len(paths) == 1:
        # One record: its refusal is the run's own error, exactly as before several were taken.
        try:
            return _one(paths[0], desk)
        except _Stop as exc:
            raise exc.error from None
    decided = declined = refused = 0
    code = 0
    for path in paths:
        try:
            result = _one(path, desk)
        except _Stop as exc:
            raise exc.error from None
        except Interrupted:
            raise
        except SmcheckError as exc:
            console.error(exc.message, exc.hint, exc.details)
            refused += 1
            code = max(code, exc.exit_code)
            continue
        if result:
            declined += 1
            code = max(code, result)
        else:
            decided += 1
    console.say(_tally(desk.decision, decided, len(paths), declined, refused))
    return code


def _tally(decision: Decision, decided: int, total: int, declined: int, refused: int) -> str:
    """The run's last line: ``Approved 2 of 3 records; 1 declined``."""
    words = f"{decision.capitalize()} {decided} of {total} record{'s' if total != 1 else ''}"
    if declined:
        words += f"; {declined} declined"
    if refused:
        words += f"; {refused} refused"
    return words


def _one(record: Path, desk: _Desk) -> int:
    """Decide on one record: 0 when the decision was written, 1 when the reviewer said no."""
    from smcheck.layout import parse_record
    from smcheck.trust.signing import decision_on, seal_decision
    from smcheck.verify import Verdict, verify_bytes

    now, lookup, role, decision, comment = (
        desk.now,
        desk.lookup,
        desk.role,
        desk.decision,
        desk.comment,
    )
    refuse_link(record)  # now, not after the passphrase: it would be refused when written
    before = read_limited(record)
    trust, revoked_keys = desk.trust()
    demands = desk.demands()
    report = verify_bytes(before, str(record), lookup=lookup, today=now.date(), demands=demands)
    if not report.valid:
        failed = [c for c in report.checks if c.verdict is Verdict.FAIL]
        raise SmcheckError(
            f"{record} does not verify ({failed[0].title}: {failed[0].summary}); nothing was decided",
            hint=f"see: smcheck verify --allowed-signers {shell_word(trust.path)} {shell_word(record)}",
        )
    judged = report.judged
    assert judged is not None and report.record_id is not None  # a valid record
    if judged.proposer is None:
        # Said in approve's own words: the reviewer passed no --require, so none is named.
        raise SmcheckError(
            f"{record} is not signed by its proposer (UNSIGNED, integrity only): only a signed"
            " record can be approved or rejected; nothing was decided",
            hint=f"the proposer signs it with: smcheck sign --key KEY {shell_word(record)}",
        )
    parsed = parse_record(before)
    public = desk.public()
    found = desk.certificate()
    # Who this key may decide as, asked before any passphrase: a refusal costs the reviewer nothing.
    # With the key's certificate first, as ssh offers it, unless only the key alone is trusted.
    approver, certificate, left_out = certified_or_plain(
        lambda cert: approver_for(
            public,
            role=role,
            judged=judged,
            record=parsed.record,
            trust=trust,
            revoked=revoked_keys,
            now=now,
            roles=report.roles,
            certificate=cert,
        ),
        found[0] if found else None,
    )
    if left_out is not None:
        console.note(left_out)
    if desk.ask:
        console.show_lines(preview(report, parsed.record, lookup))
        title = report.roles.title(role)
        verb = "Approve" if decision is Decision.APPROVED else "Reject"
        question = visible(f"{verb} {record} as {title}? [y/N]")
        if not console.confirm(question, stopped=f"Stopped: nothing decided on {record}."):
            console.say(f"Nothing decided on {record}.")
            return 1
    key = desk.key()
    if certificate is not None and found is not None:
        from smcheck.trust.keys import CertifiedKey

        key = CertifiedKey(key, certificate, found[1])
    approval = decision_on(
        parsed, role=role, decision=decision, approver=approver, time=now, comment=comment
    )
    seal = seal_decision(key, approval)
    checks: list[Report] = []

    def accepted(data: bytes) -> bytes:
        """``data`` if verify accepts this decision in it (the last guard), else a refusal."""
        check = verify_bytes(data, str(record), lookup=lookup, today=now.date(), demands=demands)
        mine = check.judged.decisions[-1] if check.judged and check.judged.decisions else None
        if mine is None or mine.status is not SigStatus.TRUSTED:
            raise Refused(
                f"verify would not accept this decision: {mine.message if mine else 'not found'};"
                " nothing was written"
            )
        checks.append(check)
        return data

    def again(current: bytes) -> bytes:
        """The record as it is now, under the lock, holds another decision that landed meanwhile (a
        co-signer approving at the same moment): this decision is added to it, as long as verify still
        accepts the record, the statement signed above is still about it, and this role is still
        undecided; otherwise nothing is written."""
        now_report = verify_bytes(
            current,
            str(record),
            lookup=lookup,
            today=now.date(),
            demands=demands._replace(require=Require.SIGNED),
        )
        if not now_report.valid or now_report.judged is None:
            raise changed_meanwhile(record)
        now_parsed = parse_record(current)
        try:
            approver_for(
                public,
                role=role,
                judged=now_report.judged,
                record=now_parsed.record,
                trust=trust,
                revoked=revoked_keys,
                now=now,
                roles=now_report.roles,
                certificate=certificate,
            )
            same = decision_on(
                now_parsed,
                role=role,
                decision=decision,
                approver=approver,
                time=now,
                comment=comment,
            )
            if (
                same != approval
            ):  # another content or proposer signature: the statement is not about it
                raise changed_meanwhile(record)
            return accepted(append_seal(current, seal))
        except SmcheckError:
            raise changed_meanwhile(record) from None

    # Read, checked and written under a lock on the record: a decision landing meanwhile is kept.
    rewrite_record(record, before, accepted(append_seal(before, seal)), again=again)
    check = checks[-1]
    title = report.roles.title(role)
    console.say(f"{decision.capitalize()} {record} as {title} ({approver}).", style="bold green")
    if certificate is not None:
        console.say(f"The decision carries the {certificate.describe()}.")
    if check.standing is not None:
        console.show_lines([f"The record now stands: {check.standing.summary}."])
    return 0


def preview(report: Report, record: Record, lookup: Lookup) -> list[str]:
    """What the reviewer reads before deciding, all of it verify's one result for the record: the
    channel and department (the checklist's register columns and the answers that name the channel,
    choices by their labels), the findings with the proposer's explanations, every other warning,
    the decisions and co-signatures present and missing, and where the record stands."""
    import shutil
    import textwrap

    from smcheck.report import summary_of
    from smcheck.values import as_text
    from smcheck.verify import Verdict

    columns = max(60, shutil.get_terminal_size((100, 24)).columns) - 1
    lines = ["", report.path]

    def put(label: str, text: str, indent: str = "  ") -> None:
        lead = f"{indent}{label}: " if label else indent
        lines.extend(
            textwrap.wrap(
                visible(text),
                width=columns,
                initial_indent=lead,
                subsequent_indent=indent + "    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [lead.rstrip()]
        )

    checklist = lookup(record.checklist_id)
    if checklist is not None:
        ids = [q.id for q in checklist.questions]
        named = [ids.index(q) for q in checklist.name_from if q in ids]
        # The answers that name the channel: its name_from questions and those between them (the
        # channel's own name between its platform and handle), in the checklist's order.
        span = ids[min(named) : max(named) + 1] if named else []
        shown = []
        for qid in span:
            question = checklist.question(qid)
            value = record.answers.get(qid)
            if question is not None and isinstance(value, str) and value:
                shown.append(as_text(question, value))
        if shown:
            put("Channel", ", ".join(shown))
        for column in checklist.register:
            question = checklist.question(column.question)
            value = record.answers.get(column.question)
            if column.question in span or question is None or value is None:
                continue
            put(column.label, as_text(question, value) if isinstance(value, str) else str(value))
    rows = {row.check: row for row in report.checks}
    outcome = rows.get("outcome")
    if outcome is not None:
        put("Findings", summary_of(outcome) if outcome.verdict is Verdict.WARN else "none")
        for detail in outcome.details:
            if detail.code == "outcome-warning":
                put("", f"- {detail.where}: {detail.message}", "    ")
            else:
                put("", detail.message, "      ")
    others = [
        row
        for row in report.checks
        if row.verdict is Verdict.WARN and row.check not in ("outcome", "approval", "cosign")
    ]
    for row in others:
        put("Warning", f"{row.title}: {row.summary}")
    for check, label in (("signature", "Signed"), ("approval", "Approval")):
        if check in rows:
            put(label, rows[check].summary)
    cosign = rows.get("cosign")
    if cosign is not None:
        put("Co-signatures", cosign.summary)
        for detail in cosign.details:
            if detail.message != cosign.summary:
                put("", f"- {detail.message}", "    ")
    if report.standing is not None:
        put("Stands", report.standing.summary)
    lines.append("")
    return lines

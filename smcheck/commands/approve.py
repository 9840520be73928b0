"""``smcheck approve RECORD``: the reviewer's (or a co-signer's) decision, signed, appended to the record.

Everything verify would refuse is refused here first, with verify's reason (the trust policy decides
both): a record that does not verify, a role already decided, a key the trust file does not name for
the role, the proposer or one person in two roles. The decision is then checked by verify itself before
a byte is written.
"""

from __future__ import annotations

from pathlib import Path

from smcheck import console, registry
from smcheck.choices import Decision
from smcheck.config import ALLOWED_SIGNERS_ENV
from smcheck.errors import SmcheckError, UsageError
from smcheck.fsutil import refuse_link
from smcheck.record import append_seal, changed_meanwhile, read_limited, rewrite_record
from smcheck.text import shell_word
from smcheck.trust.policy import Refused, approver_for, decision_on, seal_decision


def run(
    record: Path,
    *,
    key_path: Path | None,
    decision: Decision,
    comment: str,
    role: str,
    allowed_signers: Path | None,
    revoked: Path | None = None,
) -> int:
    """Append a decision to a record that verifies."""
    from smcheck.trust.keys import key_ref
    from smcheck.trust.source import resolve_trust
    from smcheck.verify import Demands, Report, Verdict, verify_bytes

    refuse_link(record)  # now, not after the passphrase: it would be refused when written
    before = read_limited(record)
    trust, revoked_keys = resolve_trust(allowed_signers, revoked)
    if trust is None:
        raise UsageError(
            "approving needs your trust file, to check the proposer's signature and find your own name",
            hint=f"pass --allowed-signers FILE, set {ALLOWED_SIGNERS_ENV}, or name it in the config file",
        )
    for note in trust.notes:
        console.note(note)
    from smcheck.session import utcnow

    now = utcnow().replace(microsecond=0)
    lookup = registry.lookup()
    demands = Demands(trust=trust, revoked=revoked_keys, now=now)
    report = verify_bytes(
        before,
        str(record),
        lookup=lookup,
        today=now.date(),
        demands=demands._replace(require="signed"),
    )
    if not report.valid:
        failed = [c for c in report.checks if c.verdict is Verdict.FAIL]
        raise SmcheckError(
            f"{record} does not verify ({failed[0].title}: {failed[0].summary}); nothing was decided",
            hint=f"see: smcheck verify --allowed-signers {shell_word(trust.path)} {shell_word(record)}",
        )
    judged = report.judged
    assert judged is not None and report.record_id is not None  # a valid, signed record
    from smcheck.record import parse_record

    parsed = parse_record(before)
    ref = key_ref(key_path)
    public = ref.public()
    # Who this key may decide as, asked before any passphrase: a refusal costs the reviewer nothing.
    approver = approver_for(
        public,
        role=role,
        judged=judged,
        record=parsed.record,
        trust=trust,
        revoked=revoked_keys,
        now=now,
        roles=report.roles,
    )
    key = ref.unlock()
    approval = decision_on(
        parsed, role=role, decision=decision, approver=approver, time=now, comment=comment
    )
    seal = seal_decision(key, approval)
    checks: list[Report] = []

    def accepted(data: bytes) -> bytes:
        """``data`` if verify accepts this decision in it (the last guard), else a refusal."""
        check = verify_bytes(data, str(record), lookup=lookup, today=now.date(), demands=demands)
        mine = check.judged.decisions[-1] if check.judged and check.judged.decisions else None
        if mine is None or mine.status != "trusted":
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
            demands=demands._replace(require="signed"),
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
    if check.standing is not None:
        console.show_lines([f"The record now stands: {check.standing.summary}."])
    return 0

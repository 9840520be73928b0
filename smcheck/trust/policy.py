"""Who may sign what, in which role, and when: the one place that decides.

``verify``, ``sign``, ``approve``, ``status``, ``export``, ``diff``, ``keygen`` and ``trust`` all ask this
module; none re-derives any of it (tests/test_trust_structure.py keeps it so). The mechanism is elsewhere
in :mod:`smcheck.trust`: SSHSIG over exact bytes (:mod:`~smcheck.trust.sshsig`), reading the
``allowed_signers`` file (:mod:`~smcheck.trust.allowed`), and making signatures
(:mod:`~smcheck.trust.signing`, which signs only once this module has said who may); this module is
the policy on top of it.

The rules, as the README states them:

1. **Roles and namespaces.** The proposer signs the record's content in ``smcheck-record``; the reviewer
   signs an approval statement in ``smcheck-approval``; a co-signer of role R (a checklist's
   ``[[cosign]]``) signs in ``smcheck-cosign-R``. The trust file grants a role by naming both the person
   (no wildcard) and the role's namespace in ``namespaces=`` on the person's line. A line without
   ``namespaces=`` (OpenSSH: any namespace) grants no approving role.
2. **One person, one role.** The proposer (the sign-off email, compared without regard to case, and
   every key the trust file holds for it) fills no approving role; the reviewer and each co-signer are
   different people: different principals (without regard to case) and different keys, where a
   person's keys are the one they signed with and every key the trust file holds for them by name. A
   pattern line (``*@essex.ac.uk``, ``!`` negations) is a key many may sign with (a bot's, a CI's): it
   makes no two people the same, and grants no approving role.
3. **Times.** An approval is dated after the record's sign-off and not in the future (beyond
   :data:`CLOCK_SKEW`), as the sign-off itself is not (verify's sign-off check); each signer's key is
   within its ``valid-after``/``valid-before`` window when they signed (the sign-off or the approval
   time: git's rule for commit signatures), so what someone signed before they moved on stays valid
   after their line's ``valid-before``; a revoked key invalidates everything it signed, whenever. Every time read from a file is UTC within
   :mod:`smcheck.timeutil`'s range, so none of this can overflow.
4. **Every signature present is judged**, needed or not: one that is broken, untrusted, misdated or in
   a second role makes the record invalid.
5. **Decisions.** Each role decides at most once on a record: the signatures part is not itself
   signed, so a later decision could be stripped to uncover an earlier one; a new decision is a new
   record. A rejection by any role present (needed or not) makes the record *rejected*. A record is
   *approved* when it is signed by its proposer, the reviewer approved it, and every co-signer the
   answers require approved it. Otherwise it awaits the reviewer, or the co-signers still missing.
6. **Without a trust file nothing is trusted**: signatures are checked as bytes, but whose they are is
   *not checked*, and no state that depends on it (approved, rejected, awaiting) is claimed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from smcheck.choices import Worded
from smcheck.errors import SmcheckError
from smcheck.record import PROPOSER, REVIEWER, Record, Seal
from smcheck.text import quoted
from smcheck.timeutil import CLOCK_SKEW, in_future, words

# CLOCK_SKEW (how far in the future an approval or a sign-off may be dated: a signer's clock may run a
# little ahead) is timeutil's, the one rule for every signed time; it is named here too, as before.

if TYPE_CHECKING:
    from smcheck.approval import Approval
    from smcheck.trust.allowed import AllowedSigner, Authority, TrustFile
    from smcheck.trust.certs import Certificate
    from smcheck.trust.sshsig import Sshsig
    from smcheck.trust.wire import PublicKey

NAMESPACE_RECORD = "smcheck-record"
"""The SSHSIG namespace of a proposer's signature over a record's content."""

NAMESPACE_APPROVAL = "smcheck-approval"
"""The SSHSIG namespace of the reviewer's approval statement."""

COSIGN_PREFIX = "smcheck-cosign-"
"""A co-signer of role R signs in the namespace ``smcheck-cosign-R``."""


class SigStatus(Worded):
    """What was established about one signature: ``--format json``'s ``trust`` (a published schema:
    the strings do not change). The trust file's verdicts are :class:`~smcheck.trust.allowed.Trust`'s
    values (``SigStatus.of(trust)``); the others are rules this module applies."""

    TRUSTED = "trusted"
    NOT_CHECKED = "not-checked"
    """Intact, but no trust file says whose it is."""
    BROKEN = "broken"
    """It does not verify, or its statement is not for this record."""
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    WRONG_NAMESPACE = "wrong-namespace"
    WRONG_PRINCIPAL = "wrong-principal"
    UNKNOWN_ROLE = "unknown-role"
    """A co-signature for a role the checklist does not know."""
    REPEATED = "repeated"
    """A second decision by one role."""
    OWN_RECORD = "own-record"
    """The proposer deciding on their own record."""
    TWO_ROLES = "two-roles"
    """One person deciding in two roles."""
    BEFORE_SIGNOFF = "before-signoff"
    IN_FUTURE = "in-future"
    UNSIGNED_RECORD = "unsigned-record"
    """A decision on a record the proposer has not signed."""


TRUSTED = SigStatus.TRUSTED
NOT_CHECKED = SigStatus.NOT_CHECKED
GOOD = frozenset({SigStatus.TRUSTED, SigStatus.NOT_CHECKED})
"""Signature statuses that do not make a record invalid (every other status does)."""


def namespace_for(role: str) -> str:
    """The SSHSIG namespace a role signs in."""
    if role == PROPOSER:
        return NAMESPACE_RECORD
    if role == REVIEWER:
        return NAMESPACE_APPROVAL
    return COSIGN_PREFIX + role


def grant_line(principal: str, role: str, key: PublicKey) -> str:
    """The trust-file line that grants ``principal`` the ``role`` with ``key``: the person by name and
    the role's namespace (rule 1), as ``keygen`` prints it and ``trust add`` writes it."""
    return f'{principal} namespaces="{namespace_for(role)}" {key.openssh()}'


class State(StrEnum):
    """Where a record stands, and so who must act next."""

    INVALID = "invalid"
    """It fails verify: nobody should act on it."""
    REJECTED = "rejected"
    """A role rejected it: the proposer must submit a new record."""
    AWAITING_REVIEWER = "awaiting-reviewer"
    """Signed and trusted: the reviewer must decide."""
    AWAITING_COSIGN = "awaiting-cosign"
    """The reviewer approved; a co-signer the answers require must decide."""
    APPROVED = "approved"
    UNSIGNED = "unsigned"
    """Integrity only: the proposer must sign it before anyone can approve it."""
    NOT_CHECKED = "not-checked"
    """Signed, but with no trust file whose signatures they are is not known."""


class Roles(NamedTuple):
    """The approving roles a record's checklist knows, and the ones its answers require."""

    reviewer: str = "the reviewer"
    """The reviewer's title, for messages (the checklist's ``policy.reviewer``)."""
    cosigners: dict[str, str] | None = None
    """Each co-signer role the checklist knows, with its title; None when the checklist is unknown."""
    needed: tuple[str, ...] = ()
    """The co-signer roles the answers require."""

    def title(self, role: str) -> str:
        """A role's title in words."""
        if role == REVIEWER:
            return self.reviewer
        return (self.cosigners or {}).get(role, quoted(role))


class SignatureReport(NamedTuple):
    """What was established about one signature (for the report, ``--json``, status and export)."""

    role: str
    status: SigStatus
    principal: str | None
    """Who the trust file says signed (never taken from the record)."""
    fingerprint: str | None
    message: str
    approval: Approval | None = None
    """An approver's statement, once its signature verified."""
    required: bool = True
    """False for a co-signature the answers do not require (judged all the same)."""
    ended: dt.datetime | None = None
    """When the signer's trust line ended (its ``valid-before``), if it has since they signed: what
    they signed stands, but the office may want a re-review (:attr:`KeyTrust.ended`)."""
    certificate: Certificate | None = None
    """The certificate the signature carries (judged by the trust file's ``cert-authority`` lines)."""

    @property
    def good(self) -> bool:
        """Whether this signature leaves the record valid."""
        return self.status in GOOD


class Standing(NamedTuple):
    """Where the record stands once every signature has been judged."""

    state: State
    summary: str
    """The state in plain words: who decided, or who must act next."""
    awaiting: tuple[str, ...] = ()
    """The roles that must still decide."""
    rejected_by: tuple[str, ...] = ()


class Judged(NamedTuple):
    """Every signature of a record judged, and the standing that follows."""

    proposer: SignatureReport | None
    decisions: tuple[SignatureReport, ...]
    """Every approval or co-signature, in the order the file holds them."""
    standing: Standing
    people: tuple[_Person | None, ...] = ()
    """Who made each decision (None where it did not verify), for :func:`approver_for`."""
    proposer_person: _Person | None = None
    """Who the proposer is (worked out only when someone decided on the record)."""
    proposer_key: PublicKey | None = None
    trust_path: str | None = None
    """The trust file the signatures were judged by (None without one), for commands that change it."""
    proposer_certificate: Certificate | None = None
    """The certificate the proposer's signature carries, if any."""


class Refused(SmcheckError):
    """``approve`` will not write a decision that verify would refuse."""


class NotTrusted(SmcheckError):
    """The key is not trusted, by the trust file at hand, to sign a record as its proposer."""


class _Person(NamedTuple):
    principal: str
    """Case-folded."""
    keys: frozenset[bytes]


def _same(a: _Person, b: _Person) -> bool:
    return a.principal == b.principal or not a.keys.isdisjoint(b.keys)


def _when(moment: dt.datetime) -> str:
    return words(moment)


# --- one signature: trust at the times that matter ---------------------------------------------------


class KeyTrust(NamedTuple):
    """What :func:`trust_at` found."""

    status: SigStatus
    principal: str | None
    """The trust file's principal (pattern) that trusts the key; None when none does."""
    message: str
    ended: dt.datetime | None = None
    """The ``valid-before`` of the line that trusts the key, when it has passed since the key signed:
    the signer's role has ended (they moved on), and what they signed while it was valid stands."""


def trust_at(
    key: PublicKey,
    *,
    role: str,
    principal: str,
    trust: TrustFile | None,
    revoked: frozenset[bytes],
    signed_at: dt.datetime,
    now: dt.datetime,
    certificate: Certificate | None = None,
) -> KeyTrust:
    """Whether ``key`` may sign as ``principal`` in ``role``, judged at ``signed_at``: the time it
    signed (the rule git applies to commit signatures), so that what a person signed while their line
    was valid stays valid after its ``valid-before`` has passed. A revoked key is refused whenever it
    signed. ``now`` says whether the trusting line has ended since (:attr:`KeyTrust.ended`).

    Revocation needs no trust file; without one, anything else is ``not-checked``. A signature that
    carries a ``certificate`` is judged by the trust file's ``cert-authority`` lines.
    """
    from smcheck.trust.allowed import Trust, decide_trust, revocation

    fingerprint = key.fingerprint()
    revoked_why = revocation(key, certificate, revoked)
    if revoked_why is not None:
        return KeyTrust(SigStatus.REVOKED, None, revoked_why)
    if trust is None:
        return KeyTrust(
            NOT_CHECKED,
            None,
            f"intact (key {fingerprint}), but not checked: no trust file was given, so who signed is"
            " not known; give --allowed-signers FILE",
        )
    decision = decide_trust(
        key,
        trust=trust,
        revoked=revoked,
        principal=principal,
        namespace=namespace_for(role),
        at=signed_at,
        named=role != PROPOSER,
        certificate=certificate,
    )
    if decision.status is not Trust.TRUSTED:
        timed = decision.status in (Trust.EXPIRED, Trust.NOT_YET_VALID)
        where = f" (when it was signed, {_when(signed_at)})" if timed else ""
        return KeyTrust(SigStatus.of(decision.status), decision.principal, decision.message + where)
    line = decision.line
    before = line.valid_before if line is not None else None
    if before is not None and before < now.astimezone(dt.UTC).replace(microsecond=0):
        return KeyTrust(
            TRUSTED,
            decision.principal,
            f"{decision.message}; signed while valid, the line's role ended {_when(before)}",
            before,
        )
    return KeyTrust(TRUSTED, decision.principal, decision.message)


def _person(principal: str, key: PublicKey, trust: TrustFile | None) -> _Person:
    from smcheck.trust.allowed import keys_of

    keys = {key.raw}
    if trust is not None:
        keys |= keys_of(trust, principal)
    return _Person(principal.casefold(), frozenset(keys))


# --- a trust file as a whole: what its lines grant, and what they do not -----------------------------


def _known_namespaces(cosigner_roles: Iterable[str]) -> list[str]:
    return [
        NAMESPACE_RECORD,
        NAMESPACE_APPROVAL,
        *(COSIGN_PREFIX + r for r in sorted(cosigner_roles)),
    ]


def _lines_words(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return f"lines {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}"


def trust_notes(
    trust: TrustFile, *, now: dt.datetime, cosigner_roles: Iterable[str]
) -> tuple[str, ...]:
    """What a person should know about lines that grant less than they seem to (not errors: the file
    still works, as ``ssh-keygen`` reads it), each as ``FILE:LINE: ...``:

    - a namespace ``smcheck-*`` smcheck never signs in (a typo grants nothing: the known one it
      resembles is named), or a co-signer's namespace for a role no checklist defines
      (``cosigner_roles``: the shipped checklists' roles and any given one's);
    - a line past its ``valid-before`` (it trusts only what was signed before then), a
      ``cert-authority`` line too;
    - one key under two names (smcheck treats them as one person: neither decides on what the other
      signed, and they fill one role between them).
    """
    from smcheck.trust.allowed import Authority, is_wildcard

    roles = sorted(set(cosigner_roles))
    known = _known_namespaces(roles)
    at = now.astimezone(dt.UTC).replace(microsecond=0)
    notes: list[str] = []
    names: dict[bytes, dict[str, list[int]]] = {}
    every: list[AllowedSigner | Authority] = [*trust.signers, *trust.authorities]
    for line in sorted(every, key=lambda line: line.line):
        place = f"{trust.path}:{line.line}"
        for namespace in line.namespaces or ():
            if (
                is_wildcard(namespace)
                or namespace in known
                or not namespace.casefold().startswith("smcheck-")
            ):
                continue
            import difflib  # only for a namespace no checklist knows: a typo to name

            close = difflib.get_close_matches(namespace.casefold(), known, n=1, cutoff=0.75)
            resembles = f"; did you mean {quoted(close[0])}?" if close else ""
            if namespace.startswith(COSIGN_PREFIX):
                role = namespace.removeprefix(COSIGN_PREFIX)
                listed = ", ".join(roles) or "none"
                notes.append(
                    f"{place}: no checklist has the co-signer role {quoted(role)}, so the namespace"
                    f" {quoted(namespace)} grants nothing{resembles} (the checklists' co-signer"
                    f" roles: {listed})"
                )
            else:
                notes.append(
                    f"{place}: smcheck never signs in the namespace {quoted(namespace)}, so this"
                    f" line grants nothing in it{resembles}"
                )
        if line.valid_before is not None and line.valid_before < at:
            who = ",".join(line.principals)
            notes.append(
                f"{place}: the line for {quoted(who)} ended at {_when(line.valid_before)}"
                " (valid-before): it trusts only what was signed before then"
            )
        if isinstance(line, Authority):
            continue  # a CA's key is no one's own key: it makes no two names one person
        for principal in line.principals:
            if not is_wildcard(principal):
                held = names.setdefault(line.public_key.raw, {})
                held.setdefault(principal.casefold(), []).append(line.line)
    for raw, held in names.items():
        if len(held) < 2:
            continue
        numbers = sorted({n for found in held.values() for n in found})
        fingerprint = next(
            line.public_key.fingerprint() for line in trust.signers if line.public_key.raw == raw
        )
        who = " and ".join(quoted(name) for name in sorted(held))
        notes.append(
            f"{trust.path}:{numbers[0]}: one key ({fingerprint}) under two names, {who}"
            f" ({_lines_words(numbers)}): smcheck treats them as one person, who fills one role on a"
            " record and never decides on what the other signed"
        )
    return tuple(notes)


class RoleHolders(NamedTuple):
    """Who the trust file lets fill one role (for ``smcheck trust check``)."""

    role: str
    namespace: str
    people: tuple[str, ...]
    """The principals named (no wildcard) with the role's namespace listed by name, valid now."""
    patterns: tuple[str, ...] = ()
    """Principal patterns trusted in the namespace (only the proposer's role is granted so)."""


def role_holders(
    trust: TrustFile, *, now: dt.datetime, cosigner_roles: Iterable[str]
) -> tuple[RoleHolders, ...]:
    """Each role (proposer, reviewer, each co-signer role), and who the trust file lets fill it now, by
    the same rules verify applies (:func:`smcheck.trust.allowed.decide_trust`)."""
    from smcheck.trust.allowed import is_wildcard, match_pattern_list

    at = now.astimezone(dt.UTC).replace(microsecond=0)
    held: list[RoleHolders] = []
    for role in (PROPOSER, REVIEWER, *sorted(set(cosigner_roles))):
        namespace = namespace_for(role)
        people: set[str] = set()
        patterns: set[str] = set()
        lines: list[AllowedSigner | Authority] = [*trust.signers, *trust.authorities]
        for line in lines:
            if (line.valid_after is not None and at < line.valid_after) or (
                line.valid_before is not None and at > line.valid_before
            ):
                continue
            if line.namespaces is None:
                granted: str | None = "*"
            else:
                granted = match_pattern_list(namespace, line.namespaces)
            if granted is None:
                continue
            named = role == PROPOSER or (line.namespaces is not None and not is_wildcard(granted))
            if not named:
                continue
            for principal in line.principals:
                if principal.startswith("!"):
                    continue
                if is_wildcard(principal):
                    if role == PROPOSER:
                        patterns.add(principal)
                else:
                    people.add(principal)
        held.append(RoleHolders(role, namespace, tuple(sorted(people)), tuple(sorted(patterns))))
    return tuple(held)


def authority_grants(line: Authority, now: dt.datetime) -> str:
    """What one ``cert-authority`` line grants, in words (for ``smcheck trust check``): whom the CA
    vouches for, in which namespaces, and when; a CA alone grants an approving role to no one the line
    does not name (rule 2)."""
    from smcheck.trust.allowed import is_wildcard

    def when(moment: dt.datetime) -> str:
        return f"{moment.date().isoformat()} {moment:%H:%M:%S} UTC"

    who = ", ".join(
        f"not {quoted(p[1:])}"
        if p.startswith("!")
        else (f"anyone matching {quoted(p)}" if is_wildcard(p) else quoted(p))
        for p in line.principals
    )
    if line.namespaces is None:
        what = "in any namespace (a record only: an approving role is granted by name)"
    else:
        what = f"in {', '.join(line.namespaces)}"
        named = [n for n in line.namespaces if n != NAMESPACE_RECORD and not is_wildcard(n)]
        if named and all(is_wildcard(p) for p in line.principals if not p.startswith("!")):
            what += " (approving roles only for a person the line names: none here)"
    window = ""
    if line.valid_before is not None and line.valid_before < now:
        window = f"; ended at {when(line.valid_before)}"
    elif line.valid_before is not None:
        window = f"; until {when(line.valid_before)}"
    if line.valid_after is not None and line.valid_after > now:
        window += f"; not before {when(line.valid_after)}"
    return (
        f"line {line.line}: the {line.ca_kind} CA {line.ca_fingerprint} vouches for {who}, each"
        f" with a user certificate that lists them, {what}{window}"
    )


# --- a whole record ----------------------------------------------------------------------------------


def judge(
    record: Record,
    content: bytes,
    seals: tuple[Seal, ...],
    proposer_sig: Sshsig | None,
    *,
    trust: TrustFile | None,
    revoked: frozenset[bytes],
    now: dt.datetime,
    roles: Roles,
) -> Judged:
    """Judge the proposer's signature (already checked over the content bytes) and every decision."""
    proposer: SignatureReport | None = None
    proposer_person: _Person | None = None
    if proposer_sig is not None:
        found = trust_at(
            proposer_sig.public_key,
            role=PROPOSER,
            principal=record.signoff.email,
            trust=trust,
            revoked=revoked,
            signed_at=record.created,
            now=now,
            certificate=proposer_sig.certificate,
        )
        proposer = SignatureReport(
            PROPOSER,
            found.status,
            found.principal,
            proposer_sig.public_key.fingerprint(),
            found.message,
            ended=found.ended,
            certificate=proposer_sig.certificate,
        )
        if any(s.method == "sshsig" and s.role != PROPOSER for s in seals):
            # Who the proposer is matters only when someone else decided on the record.
            proposer_person = _person(record.signoff.email, proposer_sig.public_key, trust)
    proposer_seal = next((s for s in seals if s.method == "sshsig" and s.role == PROPOSER), None)
    decided: list[tuple[SignatureReport, _Person | None]] = []
    for seal in seals:
        if seal.method != "sshsig" or seal.role == PROPOSER:
            continue
        report, person = _decision(
            seal,
            record=record,
            content=content,
            proposer_seal=proposer_seal if proposer_sig is not None else None,
            proposer=proposer_person,
            trust=trust,
            revoked=revoked,
            now=now,
            roles=roles,
        )
        if report.good and person is not None:
            report = _against_others(report, person, decided, roles)
        decided.append((report, person))
    decisions = tuple(report for report, _ in decided)
    return Judged(
        proposer,
        decisions,
        standing(proposer, decisions, roles),
        tuple(person for _, person in decided),
        proposer_person,
        proposer_sig.public_key if proposer_sig is not None else None,
        str(trust.path) if trust is not None else None,
        proposer_sig.certificate if proposer_sig is not None else None,
    )


def newcomer(proposer: SignatureReport, record: Record) -> str | None:
    """The proposer's signature in words when its key is one the trust file does not hold at all
    (``unknown``): who the record says signed it, and that the office adds them once it has checked
    the key with them (``smcheck trust add RECORD``, which the caller names); None otherwise."""
    if proposer.role != PROPOSER or proposer.status is not SigStatus.UNKNOWN:
        return None
    if proposer.certificate is not None:
        return None  # a key line would not make a certified signature verify: the CA is unknown
    signoff = record.signoff
    return (
        f"signed by {signoff.name} <{signoff.email}>, as the record says: {proposer.message}. If"
        f" {signoff.email} is a new proposer (or has a new key), confirm the key's fingerprint with"
        " them, then add it"
    )


def blob_sha256(seal: Seal) -> str:
    """SHA-256 of an entry's SSHSIG blob: what a decision's statement binds to."""
    import base64

    assert seal.sshsig is not None
    return hashlib.sha256(base64.b64decode(seal.sshsig)).hexdigest()


def _decision(
    seal: Seal,
    *,
    record: Record,
    content: bytes,
    proposer_seal: Seal | None,
    proposer: _Person | None,
    trust: TrustFile | None,
    revoked: frozenset[bytes],
    now: dt.datetime,
    roles: Roles,
) -> tuple[SignatureReport, _Person | None]:
    """One approval or co-signature: bytes, statement, binding, role, times, the proposer, trust."""
    from smcheck.approval import StatementError, parse_statement
    from smcheck.trust.sshsig import SignatureError, signature_from_base64, verify

    role = seal.role or REVIEWER
    required = role == REVIEWER or role in roles.needed
    fingerprint: str | None = None
    approval: Approval | None = None

    def refused(status: SigStatus, message: str) -> tuple[SignatureReport, _Person | None]:
        return SignatureReport(role, status, None, fingerprint, message, approval, required), None

    if role != REVIEWER and roles.cosigners is not None and role not in roles.cosigners:
        return refused(
            SigStatus.UNKNOWN_ROLE,
            f"a co-signature for role {quoted(role)}, which the checklist does not know",
        )
    assert seal.statement is not None and seal.sshsig is not None  # the record reader ensures it
    try:
        sig = signature_from_base64(seal.sshsig)
        verify(sig, seal.statement.encode("utf-8"), namespace_for(role))
    except SignatureError as exc:
        return refused(SigStatus.BROKEN, exc.message)
    fingerprint = sig.public_key.fingerprint()
    try:
        stated = parse_statement(seal.statement)
    except StatementError as exc:
        return refused(SigStatus.BROKEN, str(exc))
    if stated.role != role:
        return refused(
            SigStatus.BROKEN, f"the statement is for role {quoted(stated.role)}, not {quoted(role)}"
        )
    if stated.record_id != record.id or stated.content_sha256 != sha256_hex(content):
        return refused(
            SigStatus.BROKEN, "the decision was made for another record (its content differs)"
        )
    if proposer_seal is None or proposer is None:
        return refused(
            SigStatus.UNSIGNED_RECORD,
            "a decision on an unsigned record binds nothing: the proposer must sign it first",
        )
    if stated.proposer_signature_sha256 != blob_sha256(proposer_seal):
        return refused(
            SigStatus.BROKEN,
            "the decision covers another proposer signature than the one this record carries",
        )
    approval = stated
    if approval.time < record.created:
        return refused(
            SigStatus.BEFORE_SIGNOFF,
            f"dated {_when(approval.time)}, before the record was signed off"
            f" ({_when(record.created)})",
        )
    if in_future(approval.time, now):
        return refused(
            SigStatus.IN_FUTURE, f"dated {_when(approval.time)}, in the future (it is {_when(now)})"
        )
    person = _person(approval.approver, sig.public_key, trust)
    if _same(person, proposer):
        why = (
            "names the proposer as the approver"
            if person.principal == proposer.principal
            else "is signed with a key of the proposer's"
        )
        return refused(
            SigStatus.OWN_RECORD,
            f"the decision as {roles.title(role)} {why}: no one decides on their own record",
        )
    found = trust_at(
        sig.public_key,
        role=role,
        principal=approval.approver,
        trust=trust,
        revoked=revoked,
        signed_at=approval.time,
        now=now,
        certificate=sig.certificate,
    )
    report = SignatureReport(
        role,
        found.status,
        found.principal,
        fingerprint,
        found.message,
        approval,
        required,
        found.ended,
        sig.certificate,
    )
    return report, person


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def _against_others(
    report: SignatureReport,
    person: _Person,
    decided: list[tuple[SignatureReport, _Person | None]],
    roles: Roles,
) -> SignatureReport:
    """The one-decision-per-role and one-person-one-role rules, against the decisions before it."""
    for earlier, other in decided:
        if not earlier.good or other is None:
            continue
        if earlier.role == report.role:
            return report._replace(
                status=SigStatus.REPEATED,
                message=f"a second decision for {roles.title(report.role)}: each role decides once"
                " on a record (a changed decision needs a new record)",
            )
        if _same(person, other):
            return report._replace(
                status=SigStatus.TWO_ROLES,
                message=f"the same person decided as {roles.title(earlier.role)} and as"
                f" {roles.title(report.role)}: each role needs a different person, with a"
                " different key",
            )
    return report


def standing(
    proposer: SignatureReport | None, decisions: tuple[SignatureReport, ...], roles: Roles
) -> Standing:
    """The record's standing from its judged signatures (rule 5 and 6 above)."""
    if proposer is None:
        if decisions:
            return Standing(State.INVALID, "decisions on an unsigned record")
        return Standing(
            State.UNSIGNED, "unsigned (integrity only): the proposer must sign it before approval"
        )
    if not proposer.good or not all(d.good for d in decisions):
        return Standing(State.INVALID, "a signature does not stand")
    if proposer.status == NOT_CHECKED or any(d.status == NOT_CHECKED for d in decisions):
        return Standing(
            State.NOT_CHECKED,
            "signatures not checked: no trust file, so whose they are is not known",
        )
    rejected = tuple(d.role for d in decisions if d.approval and d.approval.decision != "approved")
    if rejected:
        who = " and ".join(roles.title(r) for r in rejected)
        return Standing(State.REJECTED, f"rejected by {who}", rejected_by=rejected)
    done = {d.role for d in decisions}
    awaiting = tuple(r for r in (REVIEWER, *roles.needed) if r not in done)
    if awaiting:
        who = " and ".join(roles.title(r) for r in awaiting)
        state = State.AWAITING_REVIEWER if REVIEWER in awaiting else State.AWAITING_COSIGN
        return Standing(state, f"awaiting {who}", awaiting=awaiting)
    return Standing(State.APPROVED, "approved")


# --- sign and approve: refuse up front what verify would refuse -------------------------------------


def proposer_for(
    key: PublicKey,
    *,
    record: Record,
    trust: TrustFile | None,
    revoked: frozenset[bytes],
    now: dt.datetime,
    outcome: str,
    certificate: Certificate | None = None,
) -> str:
    """Whom ``key`` signs ``record`` for as its proposer (its sign-off email), in words; or
    :class:`NotTrusted` with verify's reason and a hint that names the right line. Without a trust file
    only revocation counts.

    The hint suggests a trust line only where it would bind the signer's key to the signer's own
    email: the sign-off email, for a key the file does not hold for anyone (the one who signed the
    record off signs it) or holds for them in other namespaces. A key the file holds for someone else
    is that person's: it must not be bound to the proposer's email too."""
    email = record.signoff.email
    found = trust_at(
        key,
        role=PROPOSER,
        principal=email,
        trust=trust,
        revoked=revoked,
        signed_at=record.created,
        now=now,
        certificate=certificate,
    )
    if found.status == TRUSTED:
        if certificate is not None:
            return f"trusted for {email} through its certificate from the CA"
        return f"trusted for {found.principal or email}"
    if found.status == NOT_CHECKED and trust is None:
        return "not checked against a trust file: give --allowed-signers FILE to check it"
    where = f" {trust.path}" if trust is not None else ""
    own_line = grant_line(email, PROPOSER, key)
    hint: str | None
    if certificate is not None and found.status != SigStatus.REVOKED:
        hint = (
            f"the trust file{where} needs a cert-authority line for the CA"
            f" {certificate.ca_fingerprint} that covers {email}, and a user certificate valid when"
            f" the record was signed off that lists {email}; or sign with the key alone (move its"
            " -cert.pub aside) if the trust file names your key"
        )
    elif found.status == SigStatus.WRONG_PRINCIPAL and trust is not None:
        owners = sorted(
            {
                principal
                for line in trust.signers
                if line.public_key.raw == key.raw
                for principal in line.principals
            }
        )
        same = [o for o in owners if o.casefold() == email.casefold()]
        hint = (
            (
                f"the record's sign-off email {email} is {same[0]} in the trust file but for its"
                f" capitals: make the record again with the address written as {same[0]} at"
                f" sign-off, or ask the reviewer to add this line too: {own_line}"
            )
            if same
            else (
                f"this key is trusted for {', '.join(quoted(o) for o in owners)}, not for {email},"
                f" who signed this record off: {email} signs it with their own key"
            )
        )
    elif found.status in (SigStatus.UNKNOWN, SigStatus.WRONG_PRINCIPAL, SigStatus.WRONG_NAMESPACE):
        hint = (
            f"if you are {email}, who signed this record off, and this is your key, the trust"
            f" file{where} needs your line: {own_line}"
        )
    elif found.status == SigStatus.REVOKED:
        hint = "a revoked key signs nothing: sign with your current key"
    else:
        hint = "check the valid-after and valid-before of your line in the trust file"
    raise NotTrusted(
        f"this key may not sign the record as its proposer ({email}): {found.message}; {outcome}",
        hint=hint,
    )


def proposer_to_add(
    key: PublicKey, *, email: str, trust: TrustFile, now: dt.datetime, outcome: str
) -> bool:
    """Whether the trust file already trusts ``key`` for ``email`` to sign records now, as verify
    would (True: nothing to add); False when a line granting it may be added; or :class:`NotTrusted`
    (``outcome`` says what was not done) when adding one would undo the office's own decision:

    - a line names them with this key but does not trust it now (its valid-before has passed: they
      moved on; or it lacks the namespace): that line is the one to change, not a second line that
      would quietly undo it;
    - the file holds the key for another person by name: it is theirs, and adding it under ``email``
      would make two people one (and let one sign in the other's name)."""
    from smcheck.trust.allowed import Trust, decide_trust, is_wildcard

    path = trust.path
    decision = decide_trust(
        key,
        trust=trust,
        revoked=frozenset(),
        principal=email,
        namespace=NAMESPACE_RECORD,
        at=now,
    )
    if decision.status is Trust.TRUSTED:
        return True
    named = [
        line.line
        for line in trust.signers
        if line.public_key.raw == key.raw
        and any(p.casefold() == email.casefold() and not is_wildcard(p) for p in line.principals)
    ]
    if named:
        raise NotTrusted(
            f"{path} already names {email} with this key, but does not trust it to sign records"
            f" now: {decision.message}; {outcome}",
            hint=f"if {email} should sign records again, change line {named[0]} of {path}",
        )
    others = sorted(
        {
            (principal, line.line)
            for line in trust.signers
            if line.public_key.raw == key.raw
            for principal in line.principals
            if not is_wildcard(principal) and principal.casefold() != email.casefold()
        }
    )
    if others:
        who = ", ".join(f"{quoted(p)} (line {n})" for p, n in others)
        raise NotTrusted(
            f"the key {key.fingerprint()} is already trusted in {path} for {who}, not for {email}:"
            f" a key is one person's; {outcome}",
            hint=f"{email} must sign with a key of their own (smcheck keygen makes one)",
        )
    return False


def certified_or_plain(
    decide: Callable[[Certificate | None], str], certificate: Certificate | None
) -> tuple[str, Certificate | None, str | None]:
    """Whom a key signs for, asking ``decide`` (:func:`proposer_for` or :func:`approver_for`) with the
    key's certificate first, as ``ssh`` offers a key's ``-cert.pub`` first: the answer, the certificate
    the signature is to carry (None for the key alone), and why a certificate was left out.

    A certificate the trust file does not accept (another CA, expired, not naming the signer, or a role
    only a person's own line grants) is left out when the key alone is trusted; when neither is, the
    refusal is the certificate's."""
    if certificate is None:
        return decide(None), None, None
    try:
        return decide(certificate), certificate, None
    except (NotTrusted, Refused) as exc:
        try:
            who = decide(None)
        except (NotTrusted, Refused):
            raise exc from None
        return (
            who,
            None,
            f"the certificate {quoted(certificate.key_id)} was not used: {exc.message}",
        )


def approver_for(
    key: PublicKey,
    *,
    role: str,
    judged: Judged,
    record: Record,
    trust: TrustFile,
    revoked: frozenset[bytes],
    now: dt.datetime,
    roles: Roles,
    certificate: Certificate | None = None,
) -> str:
    """The principal ``key`` may decide as, in ``role``, on a record already judged; or
    :class:`Refused` with verify's reason. The same rules as :func:`judge`, asked before signing.
    With a ``certificate`` (the signature will carry it), the candidates are the principals it lists
    that a ``cert-authority`` line for its CA names."""
    from smcheck.trust.allowed import is_wildcard

    title = roles.title(role)
    if role != REVIEWER and roles.cosigners is not None and role not in roles.cosigners:
        from smcheck.errors import UsageError

        known = ", ".join(sorted(roles.cosigners)) or "none"
        raise UsageError(
            f"the checklist has no co-signer role {quoted(role)}",
            hint=f"its co-signer roles: {known}",
        )
    for earlier in judged.decisions:
        if earlier.role == role:
            said = earlier.approval
            when = f" on {_when(said.time)}" if said else ""
            raise Refused(
                f"the record already carries a decision for {title}{when}: each role decides once"
                " on a record",
                hint="a changed decision needs a new record from the proposer",
            )
    if judged.proposer is None or judged.proposer_key is None:
        raise Refused("the record is not signed by its proposer: there is nothing to approve")
    if record.created > now:
        # Within the clock skew verify allows a sign-off, but a decision dated now would come before
        # it: say so, rather than "dated before the record was signed off" after signing.
        raise Refused(
            f"the record was signed off at {_when(record.created)}, later than now"
            f" ({_when(now)}): the proposer's clock runs ahead of yours",
            hint=f"approve it after {_when(record.created)}",
        )
    proposer = judged.proposer_person or _person(record.signoff.email, judged.proposer_key, trust)
    candidates = sorted(
        {
            principal
            for line in trust.signers
            if line.public_key == key and certificate is None
            for principal in line.principals
            if not is_wildcard(principal)
        }
        | {
            principal
            for line in trust.authorities
            if certificate is not None and line.ca == certificate.ca
            for principal in line.principals
            if not is_wildcard(principal) and principal in certificate.principals
        }
    )
    reasons: list[str] = []
    for principal in candidates:
        person = _person(principal, key, trust)
        if _same(person, proposer):
            reasons.append(
                f"{quoted(principal)} is the proposer ({record.signoff.email}), or shares a key with"
                " them: no one decides on their own record"
            )
            continue
        found = trust_at(
            key,
            role=role,
            principal=principal,
            trust=trust,
            revoked=revoked,
            signed_at=now,
            now=now,
            certificate=certificate,
        )
        if found.status != TRUSTED:
            reasons.append(found.message)
            continue
        clash = next(
            (
                decision
                for decision, other in zip(judged.decisions, judged.people, strict=True)
                if other is not None and decision.good and _same(person, other)
            ),
            None,
        )
        if clash is not None:
            reasons.append(
                f"{quoted(principal)} already decided on this record as {roles.title(clash.role)}"
            )
            continue
        return principal
    if not candidates and certificate is not None:
        raise Refused(
            f"no cert-authority line of {trust.path} for the CA {certificate.ca_fingerprint} names"
            f" a person your certificate lists ({', '.join(certificate.principals) or 'none'}):"
            " a CA alone never grants an approving role",
            hint=f"the trust file needs a line naming you: {grant_line('YOUR-EMAIL', role, key)},"
            " and sign with the key alone (move its -cert.pub aside)",
        )
    if not candidates:
        raise Refused(
            f"{trust.path} does not name your key ({key.fingerprint()}) for any person",
            hint=f"add your line: {grant_line('YOUR-EMAIL', role, key)}",
        )
    raise Refused(
        f"you may not decide as {title} on this record: {reasons[0]}",
        hint=f'your own line must name you, with namespaces="{namespace_for(role)}", valid now,'
        " and you may fill only one role on a record, never on your own",
    )


__all__ = [
    "CLOCK_SKEW",
    "COSIGN_PREFIX",
    "NAMESPACE_APPROVAL",
    "NAMESPACE_RECORD",
    "Judged",
    "KeyTrust",
    "NotTrusted",
    "Refused",
    "RoleHolders",
    "Roles",
    "SigStatus",
    "SignatureReport",
    "Standing",
    "State",
    "approver_for",
    "authority_grants",
    "blob_sha256",
    "certified_or_plain",
    "grant_line",
    "judge",
    "namespace_for",
    "newcomer",
    "proposer_for",
    "proposer_to_add",
    "role_holders",
    "standing",
    "trust_at",
    "trust_notes",
]

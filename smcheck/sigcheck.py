"""Verify's signature checks: the proposer's signature, approvals and co-signatures.

The order matters (threat model): each signature is checked over exact bytes before anything it covers is
read. The proposer's signature covers the content bytes, so it is checked before the content is parsed;
an approval's statement is parsed only after its own signature verifies. Trust comes only from the
reviewer's ``allowed_signers`` file, never from a key inside the record: a signature's identity is the
principal that file gives its key, and it must be the person the record names.

Imported only when a record carries signatures or the reviewer asked for them, so that unsigned records
never load ``cryptography``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import NamedTuple

from smcheck.approval import Approval, StatementError, parse_statement
from smcheck.record import PROPOSER, REVIEWER, Seal
from smcheck.signing import (
    NAMESPACE_APPROVAL,
    NAMESPACE_RECORD,
    SignatureError,
    Sshsig,
    Trust,
    TrustFile,
    decide_trust,
    signature_from_base64,
    verify,
)


class SignatureReport(NamedTuple):
    """What verify established about one signature (for the report and ``--json``)."""

    role: str
    status: str
    """``trusted``, ``broken`` or a :class:`~smcheck.signing.Trust` value."""
    principal: str | None
    """From the trust file, never from the record."""
    fingerprint: str | None
    message: str
    approval: Approval | None = None


def armour(blob_b64: str) -> str:
    """The OpenSSH armoured form of a base64 SSHSIG blob (what ``ssh-keygen -Y verify -s`` reads)."""
    body = "\n".join(blob_b64[i : i + 70] for i in range(0, len(blob_b64), 70))
    return f"-----BEGIN SSH SIGNATURE-----\n{body}\n-----END SSH SIGNATURE-----\n"


def decode(seal: Seal) -> Sshsig:
    """The SSHSIG of a trailing entry, parsed strictly (raises SignatureError)."""
    assert seal.sshsig is not None
    return signature_from_base64(seal.sshsig)


def blob_sha256(seal: Seal) -> str:
    """SHA-256 of an entry's SSHSIG blob: what an approval statement binds to."""
    assert seal.sshsig is not None
    return hashlib.sha256(base64.b64decode(seal.sshsig)).hexdigest()


def check_proposer(seal: Seal, content: bytes) -> Sshsig:
    """Cryptographic check of the proposer's signature over the content bytes, before parsing."""
    sig = decode(seal)
    verify(sig, content, NAMESPACE_RECORD)
    return sig


def trust_of(
    sig: Sshsig,
    *,
    role: str,
    principal: str,
    namespace: str,
    trust: TrustFile | None,
    revoked: frozenset[bytes],
    at: dt.datetime,
) -> SignatureReport:
    """Who the trust file says made a (cryptographically good) signature, and whether it is trusted."""
    fingerprint = sig.public_key.fingerprint()
    if sig.public_key.wire() in revoked:
        # Revocation needs no trust file: a revoked key is refused whoever it claims to be.
        return SignatureReport(
            role, Trust.REVOKED.value, None, fingerprint, f"the key {fingerprint} has been revoked"
        )
    if trust is None:
        return SignatureReport(
            role,
            "no-trust-file",
            None,
            fingerprint,
            f"signature intact (key {fingerprint}), but no trust file was given, so who made it is"
            " unknown; give --allowed-signers FILE",
        )
    decision = decide_trust(
        sig.public_key,
        trust=trust,
        revoked=revoked,
        principal=principal,
        namespace=namespace,
        at=at,
    )
    return SignatureReport(
        role, decision.status.value, decision.principal, fingerprint, decision.message
    )


def check_approval(
    seal: Seal,
    *,
    record_id: str,
    content: bytes,
    proposer: Seal | None,
    trust: TrustFile | None,
    revoked: frozenset[bytes],
    at: dt.datetime,
) -> SignatureReport:
    """An approver's signature over their statement, then the statement's binding to this record."""
    role = seal.role or REVIEWER
    assert seal.statement is not None
    try:
        sig = decode(seal)
        verify(sig, seal.statement.encode("utf-8"), NAMESPACE_APPROVAL)
    except SignatureError as exc:
        return SignatureReport(role, "broken", None, None, exc.message)
    fingerprint = sig.public_key.fingerprint()
    try:
        approval = parse_statement(seal.statement)
    except StatementError as exc:
        return SignatureReport(role, "broken", None, fingerprint, str(exc))
    if approval.role != role:
        return SignatureReport(
            role,
            "broken",
            None,
            fingerprint,
            f"the statement is for role {approval.role!r}, not {role!r}",
        )
    if (
        approval.content_sha256 != hashlib.sha256(content).hexdigest()
        or approval.record_id != record_id
    ):
        return SignatureReport(
            role,
            "broken",
            None,
            fingerprint,
            "the approval was made for another record (its content differs)",
        )
    if proposer is None or approval.proposer_signature_sha256 != blob_sha256(proposer):
        return SignatureReport(
            role,
            "broken",
            None,
            fingerprint,
            "the approval covers another proposer signature than the one this record carries",
        )
    if proposer.sshsig is not None and decode(proposer).public_key == sig.public_key:
        return SignatureReport(
            role,
            "broken",
            None,
            fingerprint,
            "the approver's key also signed the record: no one approves their own record",
        )
    report = trust_of(
        sig,
        role=role,
        principal=approval.approver,
        namespace=NAMESPACE_APPROVAL,
        trust=trust,
        revoked=revoked,
        at=at,
    )
    return report._replace(approval=approval)


__all__ = [
    "NAMESPACE_APPROVAL",
    "NAMESPACE_RECORD",
    "PROPOSER",
    "SignatureReport",
    "Trust",
    "armour",
    "blob_sha256",
    "check_approval",
    "check_proposer",
    "trust_of",
]

"""Producing signatures: the mechanism, apart from the policy that decides who may sign what.

:func:`sign` makes an SSHSIG (``PROTOCOL.sshsig``) with a local Ed25519 key, a key held by ssh-agent or
a security key, and checks it before returning it; :func:`seal_record` and :func:`seal_decision` sign a
record's content, or a decision's statement, in the namespace of the signer's role, as the trailing
entries a record carries; :func:`decision_on` writes the statement a decision signs, bound to one
record. Whether a key may sign at all, and as whom, is :mod:`smcheck.trust.policy`'s to say: the
commands ask it (``proposer_for``, ``approver_for``) before they sign here.

A signature made here verifies with ``ssh-keygen -Y verify`` (the format and the verifier are
:mod:`smcheck.trust.sshsig`'s); Ed25519 is deterministic, so the same key, bytes and namespace always
give the same signature.
"""

from __future__ import annotations

import base64
import struct
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from smcheck.record import PROPOSER, RecordFile, Seal
from smcheck.trust.keys import CertifiedKey, LocalKey, SigningKey
from smcheck.trust.policy import NAMESPACE_RECORD, blob_sha256, namespace_for, sha256_hex
from smcheck.trust.sshsig import (
    HASH_ALGORITHM,
    MAGIC,
    SIG_VERSION,
    USER_PRESENT,
    SignatureError,
    Sshsig,
    armour,
    blob_of,
    signed_message,
    sk_message,
)
from smcheck.trust.wire import string

if TYPE_CHECKING:
    import datetime as dt

    from smcheck.approval import Approval


def sign(key: SigningKey | Ed25519PrivateKey, data: bytes, namespace: str) -> str:
    """Sign ``data`` under ``namespace``; return the armoured signature, as ``ssh-keygen -Y sign``.

    ``key`` is a private key or anything that signs for one (a key held by ``ssh-agent``). The
    signature is checked before it is returned, so a signer that answers with something else (a
    confused agent) is caught here. Ed25519 is deterministic: the same key, data and namespace always
    give the same text.
    """
    if not namespace:
        raise ValueError("a signature namespace must not be empty")
    signer = LocalKey(key) if isinstance(key, Ed25519PrivateKey) else key
    message = signed_message(namespace, data)
    raw = signer.sign_raw(message)
    public = signer.public
    checked = message
    tail = b""
    if public.application is not None:
        # A security key answers with the signature, the flags and the counter (PROTOCOL.u2f).
        if len(raw) != 69:
            raise SignatureError(
                f"{signer.where} returned a security-key signature that is damaged"
            )
        raw, tail = raw[:64], raw[64:]
        checked = sk_message(
            Sshsig(public, namespace, raw, b"", None, tail[0], struct.unpack(">I", tail[1:])[0]),
            message,
        )
    try:
        Ed25519PublicKey.from_public_bytes(public.raw).verify(raw, checked)
    except (InvalidSignature, ValueError):
        raise SignatureError(
            f"{signer.where} returned a signature that does not verify with its own key",
            hint="check that the key and the agent are the ones you meant",
        ) from None
    if tail and not tail[0] & USER_PRESENT:
        raise SignatureError(
            "the security key signed without anyone touching it (its user-presence flag is not"
            " set), so the signature would not count",
            hint="sign again and touch the security key when it blinks (a key made with"
            " -O no-touch-required cannot sign for smcheck)",
        )
    carried = signer.certificate.blob if isinstance(signer, CertifiedKey) else public.wire()
    blob = (
        MAGIC
        + struct.pack(">I", SIG_VERSION)
        + string(carried)
        + string(namespace.encode("utf-8"))
        + string(b"")
        + string(HASH_ALGORITHM.encode("ascii"))
        + string(string(public.key_type.encode("ascii")) + string(raw) + tail)
    )
    return armour(base64.b64encode(blob).decode("ascii"))


def seal_record(key: SigningKey | Ed25519PrivateKey, content: bytes) -> Seal:
    """The proposer's signature over a record's exact content bytes, as a trailing entry."""
    return Seal("sshsig", role=PROPOSER, sshsig=blob_of(sign(key, content, NAMESPACE_RECORD)))


def decision_on(
    parsed: RecordFile,
    *,
    role: str,
    decision: str,
    approver: str,
    time: dt.datetime,
    comment: str = "",
) -> Approval:
    """A decision bound to this record: its id, its exact content bytes and its proposer's signature,
    so that it cannot be moved to another record (the record must be signed)."""
    from smcheck.approval import Approval

    proposer = next(s for s in parsed.seals if s.method == "sshsig" and s.role == PROPOSER)
    return Approval(
        record_id=parsed.record.id,
        content_sha256=sha256_hex(parsed.content),
        proposer_signature_sha256=blob_sha256(proposer),
        role=role,
        decision=decision,
        approver=approver,
        time=time,
        comment=comment,
    )


def seal_decision(key: SigningKey, approval: Approval) -> Seal:
    """An approver's signature over their statement, in their role's namespace, as a trailing entry."""
    from smcheck.approval import render_statement

    statement = render_statement(approval)
    blob = blob_of(sign(key, statement.encode("utf-8"), namespace_for(approval.role)))
    return Seal("sshsig", role=approval.role, statement=statement, sshsig=blob)


__all__ = ["decision_on", "seal_decision", "seal_record", "sign"]

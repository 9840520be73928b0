"""``smcheck sign RECORD``: the proposer's signature on a record made without a key.

The signature is made here (``--key``: a private key, or a public key whose private half ssh-agent
holds), or made elsewhere with ``ssh-keygen -Y sign -n smcheck-record`` over ``smcheck show RECORD
--signed-bytes`` and attached (``--signature FILE``). Either way it is refused unless verify would
accept it: the record verifies and carries no proposer signature yet, the signature is Ed25519/SHA-512
in namespace ``smcheck-record`` over the record's exact content bytes, and, when a trust file is
available, its key is trusted for the record's sign-off email. The record is rewritten atomically, and
only if it did not change meanwhile. A certificate beside the key (``KEY-cert.pub``) goes into the
signature, as ``ssh`` offers it, unless the trust file accepts only the key alone; the message says
which certificate was used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.choices import Require
from smcheck.errors import SmcheckError, UsageError
from smcheck.fsutil import refuse_link
from smcheck.layout import append_seal
from smcheck.record import PROPOSER, Seal
from smcheck.recordfile import read_layout_of, read_limited, rewrite_record
from smcheck.text import shell_word
from smcheck.trust.policy import NAMESPACE_RECORD, proposer_for

if TYPE_CHECKING:
    from smcheck.trust.certs import Certificate
    from smcheck.trust.wire import PublicKey


MAX_SIGNATURE_FILE_BYTES = 4096
"""An armoured Ed25519 SSHSIG is about 300 bytes; a signature file larger than this is refused unread."""


def run(
    record: Path,
    *,
    key_path: Path | None,
    signature_path: Path | None = None,
    allowed_signers: Path | None = None,
    revoked: Path | None = None,
) -> int:
    """Sign a record that verifies and is not signed yet, or attach a signature made for it."""
    if key_path is not None and signature_path is not None:
        raise UsageError(
            "--key and --signature cannot be used together",
            hint="--key signs with your key; --signature attaches a signature made with"
            " ssh-keygen -Y sign",
        )
    outcome = "it was not attached" if signature_path is not None else "it was not signed"
    refuse_link(record)  # now, not after the passphrase: it would be refused when written
    before = read_limited(record)
    content, seals = read_layout_of(record, before)
    if any(s.role == PROPOSER for s in seals):
        raise UsageError(
            f"{record} is already signed", hint="smcheck show --signature proposer shows it"
        )
    from smcheck.session import utcnow
    from smcheck.trust.source import resolve_trust
    from smcheck.verify import Demands, Verdict, verify_bytes

    now = utcnow().replace(microsecond=0)
    lookup = registry.lookup()
    report = verify_bytes(before, str(record), lookup=lookup, today=now.date())
    if not report.valid:
        failed = next(c for c in report.checks if c.verdict is Verdict.FAIL)
        raise SmcheckError(
            f"{record} does not verify ({failed.title}: {failed.summary}); {outcome}",
            hint=f"see: smcheck verify {shell_word(record)}",
        )
    parsed = report.record
    assert parsed is not None  # a record that verifies was parsed
    trust, revoked_keys = resolve_trust(allowed_signers, revoked)
    if trust is not None:
        for note in trust.notes:
            console.note(note)

    certificate: Certificate | None = None
    if signature_path is not None:
        seal, public, certificate = _attached(signature_path, record, content)
        made = f"the signature in {signature_path}"
    else:
        from smcheck.trust.keys import CertifiedKey, SigningKey, key_ref
        from smcheck.trust.policy import certified_or_plain
        from smcheck.trust.signing import seal_record
        from smcheck.trust.wire import KeyProblem

        ref = key_ref(key_path)
        try:
            known: PublicKey | None = ref.public()
        except KeyProblem:
            known = None  # unlock() below says what is wrong with the key, or asks for it
        found = ref.certificate() if known is not None else None
        if known is not None:  # before a passphrase is asked for: an untrusted key need not unlock
            # The key's certificate (KEY-cert.pub) first, as ssh offers it, unless the trust file
            # accepts only the key alone.
            _, certificate, left_out = certified_or_plain(
                lambda cert: proposer_for(
                    known,
                    record=parsed,
                    trust=trust,
                    revoked=revoked_keys,
                    now=now,
                    outcome=outcome,
                    certificate=cert,
                ),
                found[0] if found else None,
            )
            if left_out is not None:
                console.note(left_out)
        key: SigningKey = ref.unlock()
        if certificate is not None and found is not None:
            key = CertifiedKey(key, certificate, found[1])
        seal = seal_record(key, content)
        public = key.public
        made = f"a signature by {key.where}"
    # Who may sign is the trust policy's to say (approve asks it the same way: approver_for).
    who = proposer_for(
        public,
        record=parsed,
        trust=trust,
        revoked=revoked_keys,
        now=now,
        outcome=outcome,
        certificate=certificate,
    )

    after = append_seal(before, seal)
    # The last guard: verify itself, on the bytes about to be written, with the same trust.
    check = verify_bytes(
        after,
        str(record),
        lookup=lookup,
        today=now.date(),
        demands=Demands(
            trust=trust,
            revoked=revoked_keys,
            now=now,
            require=Require.SIGNED if trust is not None else None,
        ),
    )
    if not check.valid:
        failed = next(c for c in check.checks if c.verdict is Verdict.FAIL)
        raise SmcheckError(
            f"verify would not accept {made} ({failed.title}: {failed.summary}); {outcome}"
        )
    rewrite_record(record, before, after)
    action = "Attached the signature to" if signature_path is not None else "Signed"
    console.say(
        f"{action} {record} (namespace {NAMESPACE_RECORD}, key {public.fingerprint()}, {who}).",
        style="bold green",
    )
    if certificate is not None:
        console.say(f"The signature carries the {certificate.describe()}.")
    return 0


def _attached(
    path: Path, record: Path, content: bytes
) -> tuple[Seal, PublicKey, Certificate | None]:
    """The proposer's entry for an armoured signature file, once it verifies over ``content``; the key
    that made it, and the certificate it carries (if any)."""
    from smcheck.fsutil import read_regular
    from smcheck.trust.sshsig import SignatureError, parse_signature, verify

    data = read_regular(path, MAX_SIGNATURE_FILE_BYTES)
    hint = (
        f"make it with: smcheck show {shell_word(record)} --signed-bytes > record.bytes;"
        f" ssh-keygen -Y sign -n {NAMESPACE_RECORD} -f KEY record.bytes (it writes record.bytes.sig)"
    )
    if len(data) > MAX_SIGNATURE_FILE_BYTES:
        raise SignatureError(
            f"{path} is larger than {MAX_SIGNATURE_FILE_BYTES} bytes; an SSH signature is far"
            " shorter: it was not attached",
            hint=hint,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError(
            f"{path} is not an SSH signature (it is not text): it was not attached", hint=hint
        ) from None
    try:
        sig = parse_signature(text)
    except SignatureError as exc:
        raise SignatureError(
            f"{path}: {exc.message}; it was not attached", hint=exc.hint or hint
        ) from None
    try:
        verify(sig, content, NAMESPACE_RECORD)
    except SignatureError as exc:
        # Made for another namespace or over other bytes: the remedy is to sign again, as below.
        raise SignatureError(f"{path}: {exc.message}; it was not attached", hint=hint) from None
    return Seal("sshsig", role=PROPOSER, sshsig=sig.base64()), sig.public_key, sig.certificate

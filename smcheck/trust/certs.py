"""OpenSSH user certificates over Ed25519 keys, read with pyca ``cryptography`` and judged as
``ssh-keygen -Y verify`` judges them against a ``cert-authority`` line of an ``allowed_signers`` file.

The rules, each learnt by experiment with OpenSSH 9.2's ``ssh-keygen -Y verify`` (tests/test_certificates.py
holds every experiment as a test, with ``ssh-keygen`` as the oracle):

1. A signature whose public key is a certificate is judged only by ``cert-authority`` lines: a line that
   holds the certified key itself (without ``cert-authority``) does not accept it, and a ``cert-authority``
   line never accepts a plain key.
2. The line's key must be the CA key that signed the certificate (any other CA: refused), and the line's
   principal patterns must match the principal being verified, as for any line (``*@essex.ac.uk``).
3. The line's ``namespaces=``, ``valid-after=`` and ``valid-before=`` apply as on any line. OpenSSH's
   ``allowed_signers`` has no ``principals=`` option: ``ssh-keygen`` refuses the line, and smcheck skips it
   with a note.
4. The certificate must be a *user* certificate (a host certificate is refused), valid at the time judged
   (its ``valid after``/``valid before``, whole seconds; ``-Overify-time``; smcheck judges the time of
   signing, as for plain keys), and must list the principal among its principals, compared exactly (case
   and all: a certificate principal is not a pattern). A certificate with no principals is refused
   ("lacks principal list"); its critical options (``force-command``, ``source-address``) do not matter
   for a signature.
5. Revocation (``ssh-keygen -Y verify -r FILE``) refuses a certificate whose key, or whose CA key, is
   listed in a plain revoked-keys file (a certificate line there revokes its key), and one that a KRL
   revokes by key, by fingerprint, by the CA's serial number or by key id. Serial 0 (a certificate
   made without ``-z``) is never revoked by serial, and a KRL that names serial 0 is invalid to
   OpenSSH (every verification fails): smcheck refuses the file.
6. A KRL made for one CA revokes nothing signed by another.

The certificate's signature is checked when it is read (OpenSSH refuses a certificate whose CA signature
does not verify before anything else). CA keys may be Ed25519, ECDSA or RSA, where ``cryptography``
verifies their signature; an RSA CA signature with SHA-1 (``ssh-rsa``) is refused, as smcheck refuses
SHA-1 everywhere. The certified key itself must be Ed25519.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from smcheck.errors import SmcheckError
from smcheck.text import quoted
from smcheck.trust.wire import PublicKey, Reader, is_small_order

CERT_TYPE = "ssh-ed25519-cert-v01@openssh.com"
"""The only certificate type smcheck reads: a certificate over an Ed25519 key."""

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

_FOREVER = 2**64 - 1
_LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


class Certificate(NamedTuple):
    """An OpenSSH certificate over an Ed25519 key, its CA signature already verified."""

    blob: bytes
    """The certificate's SSH wire blob, as a signature carries it."""
    key: PublicKey
    """The certified Ed25519 key (the one that signs)."""
    ca: bytes
    """The CA's public key, as an SSH wire blob."""
    ca_fingerprint: str
    """``SHA256:...`` of the CA key, as ``ssh-keygen -l`` prints it."""
    user: bool
    """A user certificate (False: a host certificate)."""
    serial: int
    key_id_raw: bytes
    """The certificate's key id, a name the CA chose (bytes, as a KRL lists it)."""
    principals: tuple[str, ...]
    """The principals the certificate lists (any that are not UTF-8 are left out: none could match)."""
    valid_after: dt.datetime | None
    """None for "always" (0)."""
    valid_before: dt.datetime | None
    """None for "forever" (or later than year 9999)."""

    @property
    def key_id(self) -> str:
        """The key id as text (shown with :func:`~smcheck.text.quoted`: it is the CA's text)."""
        return self.key_id_raw.decode("utf-8", "backslashreplace")

    def describe(self) -> str:
        """The certificate in words: key id, serial, principals, validity and CA."""
        who = ", ".join(quoted(p) for p in self.principals) or "no principals"
        return (
            f"certificate {quoted(self.key_id)} (serial {self.serial}) for {who}, {self.validity()},"
            f" signed by the CA {self.ca_fingerprint}"
        )

    def validity(self) -> str:
        """The certificate's validity window in words."""
        if self.valid_after is None and self.valid_before is None:
            return "valid forever"
        start = f"from {_when(self.valid_after)}" if self.valid_after is not None else "always"
        end = f"until {_when(self.valid_before)}" if self.valid_before is not None else "for ever"
        return f"valid {start} {end}" if self.valid_after is not None else f"valid {end}"

    def problem_at(self, principal: str, at: dt.datetime) -> str | None:
        """Why this certificate may not sign as ``principal`` at ``at`` (OpenSSH's
        ``sshkey_cert_check_authority``), or None when it may."""
        if not self.user:
            return "it is a host certificate, not a user certificate"
        if self.valid_after is not None and at < self.valid_after:
            return f"it is not valid until {_when(self.valid_after)}"
        if self.valid_before is not None and at >= self.valid_before:
            return f"it expired at {_when(self.valid_before)}"
        if not self.principals:
            return "it lists no principals"
        if principal not in self.principals:
            listed = ", ".join(quoted(p) for p in self.principals)
            return f"it is for {listed}, not for {quoted(principal)}"
        return None


def _when(moment: dt.datetime) -> str:
    return f"{moment.date().isoformat()} {moment:%H:%M:%S} UTC"


def _time(seconds: int) -> dt.datetime | None:
    if seconds >= _FOREVER:
        return None
    try:
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return _LATEST
    return min(moment, _LATEST)


def key_blob_type(blob: bytes) -> bytes:
    """The type name a key blob starts with (b"" when it has none)."""
    try:
        return Reader(blob, SmcheckError, "").string("key type")
    except SmcheckError:
        return b""


def parse_certificate(blob: bytes, error: type[SmcheckError], what: str) -> Certificate:
    """Read an ``ssh-ed25519-cert-v01@openssh.com`` blob with ``cryptography`` and check its CA's
    signature; every failure is an ``error`` whose message starts with ``what``."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    line = CERT_TYPE.encode() + b" " + base64.b64encode(blob)
    try:
        cert = serialization.load_ssh_public_identity(line)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise error(f"{what} is damaged ({exc})") from None
    if not isinstance(cert, serialization.SSHCertificate):  # pragma: no cover - the type says so
        raise error(f"{what} is not a certificate")
    if getattr(cert, "_inner_sig_type", None) == b"ssh-rsa":
        # cryptography keeps the CA's signature algorithm privately; SHA-1 is refused everywhere.
        raise error(
            f"{what} is signed by its CA with RSA and SHA-1 (ssh-rsa), which smcheck does not accept",
            hint="the CA should sign with ssh-keygen -s CA -t rsa-sha2-512, or use an Ed25519 CA key",
        )
    try:
        cert.verify_cert_signature()
    except (InvalidSignature, ValueError):
        raise error(
            f"{what} does not carry a valid signature of its CA (it was changed or forged)"
        ) from None
    certified = cert.public_key()
    if not isinstance(certified, ed25519.Ed25519PublicKey):  # pragma: no cover - CERT_TYPE says so
        raise error(f"{what} certifies a key that is not Ed25519")
    raw = certified.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if is_small_order(raw):
        raise error(
            f"{what} certifies a small-order (identity-point) Ed25519 key: it proves nothing"
        )
    ca_key = cert.signature_key()
    if isinstance(ca_key, ed25519.Ed25519PublicKey) and is_small_order(
        ca_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ):
        raise error(f"{what} is signed by a small-order (identity-point) Ed25519 CA key")
    if not isinstance(
        ca_key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    ):
        raise error(
            f"{what} is signed by a CA key of a kind smcheck does not know"
        )  # pragma: no cover
    ca = ca_blob(ca_key)
    principals = []
    for name in cert.valid_principals:
        try:
            principals.append(name.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return Certificate(
        blob=blob,
        key=PublicKey(raw),
        ca=ca,
        ca_fingerprint=fingerprint(ca),
        user=cert.type == serialization.SSHCertificateType.USER,
        serial=cert.serial,
        key_id_raw=cert.key_id,
        principals=tuple(principals),
        valid_after=_time(cert.valid_after) if cert.valid_after else None,
        valid_before=_time(cert.valid_before),
    )


def ca_blob(key: Ed25519PublicKey | EllipticCurvePublicKey | RSAPublicKey) -> bytes:
    """The SSH wire blob of a CA public key object (``cryptography``'s)."""
    from cryptography.hazmat.primitives import serialization

    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return base64.b64decode(line.split()[1])


def fingerprint(blob: bytes) -> str:
    """``SHA256:<unpadded base64>`` of a key blob, as ``ssh-keygen -l`` prints it."""
    import hashlib

    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def certificate_line(cert: Certificate, comment: str = "") -> str:
    """The certificate as a ``KEY-cert.pub`` line."""
    text = f"{CERT_TYPE} {base64.b64encode(cert.blob).decode('ascii')}"
    return f"{text} {comment}" if comment else text


__all__ = [
    "CERT_TYPE",
    "Certificate",
    "ca_blob",
    "certificate_line",
    "fingerprint",
    "key_blob_type",
    "parse_certificate",
]

"""OpenSSH's SSHSIG signatures (``PROTOCOL.sshsig``), Ed25519 and SHA-512 only.

The format, and its verifier: a signature :mod:`smcheck.trust.signing` makes verifies with ``ssh-keygen
-Y verify``, and one that ``ssh-keygen -Y sign`` makes verifies here. All cryptography (Ed25519, SHA-2)
is pyca ``cryptography``; this module reads and writes only the envelope::

    byte[6]  "SSHSIG"
    uint32   1                      version
    string   publickey              string "ssh-ed25519" || string key (32 bytes)
    string   namespace
    string   reserved               empty
    string   hash_algorithm         "sha512"
    string   signature              string "ssh-ed25519" || string signature (64 bytes)

and the signed message is ``"SSHSIG" || string namespace || string "" || string "sha512" ||
string SHA-512(data)``. The verifier pins the algorithm: Ed25519 keys and SHA-512 only, whatever the
signature says. It also rebuilds the message with the namespace *it* expects, so a signature made for
another purpose (``git``, ``file``, a proposer's record signature presented as an approval) never
verifies.

Two more kinds of public key are read, as ``ssh-keygen -Y verify`` reads them:

- an OpenSSH certificate over an Ed25519 key (``ssh-ed25519-cert-v01@openssh.com``, as ``ssh-keygen -Y
  sign`` writes when the key has a ``-cert.pub``): the signature is still Ed25519 by the certified key;
  the certificate is read and its CA signature checked by :mod:`smcheck.trust.certs`, and whether a CA
  vouches for it is the trust file's question;
- a security key (``sk-ssh-ed25519@openssh.com``, PROTOCOL.u2f): the signature field is ``string
  "sk-ssh-ed25519@openssh.com" || string signature || byte flags || uint32 counter``, and the Ed25519
  signature is over ``SHA-256(application) || flags || counter || SHA-256(message)``. smcheck requires
  the user-presence flag (0x01: someone touched the key). OpenSSH 9.2's ``ssh-keygen -Y verify``
  accepts a signature without it; smcheck is stricter here on purpose, as sshd is by default.

A valid signature says only that *some* key signed the bytes. Who that key belongs to, and what it may
sign, is :mod:`smcheck.trust.policy`'s question, never the key the signature carries.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import struct
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from smcheck.errors import SmcheckError
from smcheck.text import quoted
from smcheck.trust.certs import CERT_TYPE, Certificate, parse_certificate
from smcheck.trust.wire import (
    BASE64,
    KEY_HINT,
    KEY_TYPE,
    SK_KEY_TYPE,
    PublicKey,
    Reader,
    b64decode_strict,
    ed25519_from_blob,
    is_small_order,
    key_kind,
    show_name,
    sk_from_blob,
    string,
)

HASH_ALGORITHM = "sha512"
"""The only SSHSIG hash algorithm smcheck makes or accepts."""

MAGIC = b"SSHSIG"
SIG_VERSION = 1
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
WRAP = 70
"""ssh-keygen wraps the base64 of a signature at 70 columns; so does :func:`armour`."""

MAX_SIGNATURE_CHARS = 4096
"""An armoured Ed25519 signature is about 300 characters, one carrying a certificate about 1,000 (2,100
with a 4096-bit RSA CA); anything this long is refused unread."""

USER_PRESENT = 0x01
"""A security key's flag: the user touched the key when it signed (PROTOCOL.u2f)."""


class SignatureError(SmcheckError):
    """A signature is malformed, of a refused kind, or does not verify."""


def _sha512(data: bytes) -> bytes:
    return hashlib.sha512(data).digest()


class Sshsig(NamedTuple):
    """A parsed SSHSIG signature (already checked to be Ed25519 + SHA-512, but not yet verified)."""

    public_key: PublicKey
    """The key the signature *claims*; trust it only through :mod:`smcheck.trust.policy`."""
    namespace: str
    signature: bytes
    """The raw 64-byte Ed25519 signature."""
    blob: bytes
    """The whole decoded SSHSIG blob."""
    certificate: Certificate | None = None
    """The certificate the signature carries instead of a plain key (its CA signature checked)."""
    flags: int | None = None
    """A security key's flags (None for a plain key)."""
    counter: int | None = None
    """A security key's signature counter (None for a plain key)."""

    def base64(self) -> str:
        """The blob as one line of base64 (as a record's trailing part holds it)."""
        return base64.b64encode(self.blob).decode("ascii")


@functools.lru_cache(maxsize=256)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    """The key object for raw key bytes, made once per key (a batch has many records per signer)."""
    return Ed25519PublicKey.from_public_bytes(raw)


def signed_message(namespace: str, data: bytes) -> bytes:
    """The bytes an Ed25519 key signs for an SSHSIG over ``data`` under ``namespace``."""
    return (
        MAGIC
        + string(namespace.encode("utf-8"))
        + string(b"")
        + string(HASH_ALGORITHM.encode("ascii"))
        + string(_sha512(data))
    )


def armour(blob_b64: str) -> str:
    """The OpenSSH armoured form of a base64 SSHSIG blob, wrapped at 70 columns as ssh-keygen does."""
    lines = [blob_b64[i : i + WRAP] for i in range(0, len(blob_b64), WRAP)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def blob_of(armoured: str) -> str:
    """The base64 SSHSIG blob of an armoured signature, on one line (as a record stores it)."""
    lines = armoured.strip().splitlines()
    return "".join(lines[1:-1])


def _dearmour(armoured: str) -> bytes:
    if len(armoured) > MAX_SIGNATURE_CHARS:
        raise SignatureError(
            f"the signature is {len(armoured)} characters long; an Ed25519 signature is far shorter"
        )
    if "\r" in armoured:
        raise SignatureError(
            "the signature has carriage returns (CRLF line endings)",
            hint="the signature must keep exactly the lines it was made with",
        )
    lines = armoured.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != BEGIN:
        raise SignatureError(f"the signature does not start with the line {BEGIN}")
    if lines[1:] == [END]:
        raise SignatureError("the signature is empty: there is nothing between its armour lines")
    if END in lines[1:-1]:
        raise SignatureError(f"there is text after the line {END}")
    if len(lines) < 3 or lines[-1] != END:
        raise SignatureError(f"the signature does not end with the line {END}")
    body = lines[1:-1]
    for number, line in enumerate(body, start=2):
        if not BASE64.fullmatch(line):
            raise SignatureError(f"line {number} of the signature is not base64")
    blob = b64decode_strict("".join(body))
    if blob is None:
        raise SignatureError("the signature is not valid base64")
    return blob


def parse_signature(armoured: str) -> Sshsig:
    """Read an armoured SSHSIG signature strictly.

    Refused, each with a :class:`SignatureError` in plain words: anything but the exact armour
    lines and canonical base64; another preamble or version; a key or signature that is not
    Ed25519; a non-empty reserved field; a hash algorithm other than SHA-512; trailing bytes after
    any field, in the outer blob or inside the nested key and signature.
    """
    return parse_signature_blob(_dearmour(armoured))


def signature_from_base64(text: str) -> Sshsig:
    """Read an SSHSIG blob given as one line of canonical base64 (as a record's trailer holds it),
    as strictly as :func:`parse_signature` reads the armoured form."""
    blob = b64decode_strict(text)
    if blob is None:
        raise SignatureError("the signature is not valid base64")
    return parse_signature_blob(blob)


def parse_signature_blob(blob: bytes) -> Sshsig:
    """Read a raw SSHSIG blob strictly (see :func:`parse_signature`)."""
    outer = Reader(blob, SignatureError, "the signature is damaged")
    if outer.take(len(MAGIC), "preamble") != MAGIC:
        raise SignatureError("this is not an SSH signature (it does not start with SSHSIG)")
    version = outer.uint32("version")
    if version != SIG_VERSION:
        raise SignatureError(
            f"the signature uses SSHSIG version {version}; smcheck understands version 1"
        )
    key_blob = outer.string("public key")
    namespace_raw = outer.string("namespace")
    reserved = outer.string("reserved field")
    hash_algorithm = outer.string("hash algorithm")
    signature_field = outer.string("signature")
    outer.end("the signature")

    key_reader = Reader(key_blob, SignatureError, "the key in the signature is damaged")
    key_type = key_reader.string("key type")
    certificate: Certificate | None = None
    if key_type == CERT_TYPE.encode():
        certificate = parse_certificate(
            key_blob, SignatureError, "the certificate in the signature"
        )
        public_key = certificate.key
    elif key_type == SK_KEY_TYPE.encode():
        public_key = sk_from_blob(key_blob, SignatureError, "the key in the signature is damaged")
    elif key_type != KEY_TYPE.encode():
        kind = key_kind(key_type.decode("utf-8", "replace"))
        raise SignatureError(
            f"the signature was made with a {kind} key ({show_name(key_type)}); "
            "smcheck accepts Ed25519 signatures only",
            hint=f"the signer needs an Ed25519 key; {KEY_HINT}",
        )
    else:
        public_key = ed25519_from_blob(
            key_blob, SignatureError, "the key in the signature is damaged"
        )

    try:
        namespace = namespace_raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("the signature's namespace is not UTF-8 text") from None
    if reserved:
        raise SignatureError("the signature's reserved field is not empty")
    if hash_algorithm != HASH_ALGORITHM.encode():
        raise SignatureError(
            f"the signature uses {show_name(hash_algorithm)}; smcheck requires {HASH_ALGORITHM}",
            hint="sign with smcheck, or with ssh-keygen -Y sign (its default is sha512)",
        )

    sig_reader = Reader(signature_field, SignatureError, "the signature value is damaged")
    sig_type = sig_reader.string("signature type")
    if sig_type != public_key.key_type.encode():
        raise SignatureError(
            f"the signature value is of type {show_name(sig_type)}; smcheck requires"
            f" {public_key.key_type} for this key"
        )
    signature = sig_reader.string("signature")
    if len(signature) != 64:
        raise SignatureError(
            f"the signature value is damaged: an Ed25519 signature is 64 bytes, "
            f"this one is {len(signature)}"
        )
    flags = counter = None
    if public_key.application is not None:
        flags = sig_reader.take(1, "flags")[0]
        counter = sig_reader.uint32("counter")
    sig_reader.end("the signature value")
    return Sshsig(public_key, namespace, signature, blob, certificate, flags, counter)


def sk_message(sig: Sshsig, message: bytes) -> bytes:
    """What a security key signs for ``message`` (PROTOCOL.u2f, Ed25519)."""
    assert sig.public_key.application is not None and sig.flags is not None
    assert sig.counter is not None
    return (
        hashlib.sha256(sig.public_key.application.encode("utf-8")).digest()
        + bytes([sig.flags])
        + struct.pack(">I", sig.counter)
        + hashlib.sha256(message).digest()
    )


def verify(sig: Sshsig, data: bytes, namespace: str) -> None:
    """Check that ``sig`` signs exactly ``data`` under ``namespace``; raise :class:`SignatureError`.

    This proves only that the key inside the signature signed these bytes. Whether that key may
    speak for anyone is :func:`decide_trust`'s question.
    """
    if sig.namespace != namespace:
        raise SignatureError(
            f"the signature was made for namespace {quoted(sig.namespace)}, not {quoted(namespace)}",
            hint="a signature made for one purpose never counts for another",
        )
    if is_small_order(sig.public_key.raw):
        raise SignatureError(
            "the signature was made with a small-order (identity-point) Ed25519 key, "
            "which can appear to sign anything: it proves nothing"
        )
    message = signed_message(namespace, data)
    if sig.public_key.application is not None:
        message = sk_message(sig, message)
    try:
        _public_key(sig.public_key.raw).verify(sig.signature, message)
    except (InvalidSignature, ValueError):
        raise SignatureError(
            "the signature does not match these bytes",
            hint="the signed content was changed after signing, or the signature is for other content",
        ) from None
    if sig.flags is not None and not sig.flags & USER_PRESENT:
        raise SignatureError(
            "the security key signed without anyone touching it (its user-presence flag is not"
            " set), so it does not show that a person signed",
            hint="sign again and touch the security key when it blinks (a key made with"
            " -O no-touch-required cannot sign for smcheck)",
        )

"""Ed25519 signatures in OpenSSH's SSHSIG format, and OpenSSH ``allowed_signers`` trust files.

A signature made here verifies with ``ssh-keygen -Y verify``, and one that ``ssh-keygen -Y sign``
makes verifies here. All cryptography (Ed25519, SHA-2, OpenSSH key files) is pyca ``cryptography``;
this module writes only the SSHSIG envelope (OpenSSH's ``PROTOCOL.sshsig``)::

    byte[6]  "SSHSIG"
    uint32   1                      version
    string   publickey              string "ssh-ed25519" || string key (32 bytes)
    string   namespace
    string   reserved               empty
    string   hash_algorithm         "sha512"
    string   signature              string "ssh-ed25519" || string signature (64 bytes)

and the signed message is ``"SSHSIG" || string namespace || string "" || string "sha512" ||
string SHA-512(data)``. The verifier pins the algorithm: Ed25519 keys and SHA-512 only, whatever
the signature says. The verifier also rebuilds the message with the namespace *it* expects, so a
signature made for another purpose (``git``, ``file``, a proposer's record signature presented as
an approval) never verifies.

A valid signature says only that *some* key signed the bytes. Who that key belongs to is decided
by :func:`decide_trust` against an ``allowed_signers`` file, never by the key the signature
carries.

Times in ``valid-after``/``valid-before`` without a trailing ``Z`` are read as UTC here, whereas
``ssh-keygen`` reads them in the local time zone: write them with ``Z`` to mean the same to both.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import re
import struct
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, NoReturn

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from smcheck.errors import CannotOpen, FileProblem, OutputExists, SmcheckError
from smcheck.fsutil import atomic_write, read_capped

__all__ = [
    "HASH_ALGORITHM",
    "KEY_TYPE",
    "NAMESPACE_APPROVAL",
    "NAMESPACE_RECORD",
    "Ed25519PrivateKey",
    "KeyProblem",
    "PublicKey",
    "SignatureError",
    "Signer",
    "Sshsig",
    "Trust",
    "TrustDecision",
    "TrustFile",
    "decide_trust",
    "generate_key_pair",
    "is_small_order",
    "load_allowed_signers",
    "load_private_key",
    "load_revoked",
    "parse_public_key",
    "parse_signature",
    "parse_signature_blob",
    "public_key_of",
    "sign",
    "signature_from_base64",
    "verify",
]
"""The public API (``Ed25519PrivateKey`` is re-exported so callers need not import cryptography)."""

NAMESPACE_RECORD = "smcheck-record"
"""The SSHSIG namespace of a proposer's signature over a record's content."""

NAMESPACE_APPROVAL = "smcheck-approval"
"""The SSHSIG namespace of a reviewer's approval."""

KEY_TYPE = "ssh-ed25519"
"""The only key (and signature) type smcheck accepts."""

HASH_ALGORITHM = "sha512"
"""The only SSHSIG hash algorithm smcheck makes or accepts."""

MAGIC = b"SSHSIG"
SIG_VERSION = 1
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
WRAP = 70
"""ssh-keygen wraps the base64 of a signature at 70 columns; so does :func:`sign`."""

MAX_SIGNATURE_CHARS = 4096
"""An armoured Ed25519 signature is about 300 characters; anything this long is refused unread."""
MAX_KEY_FILE_BYTES = 64 * 1024
MAX_TRUST_FILE_BYTES = 1024 * 1024

KRL_MAGIC = b"SSHKRL\n\x00"
"""The first bytes of an OpenSSH binary key revocation list."""

_KEY_HINT = "make one with smcheck keygen"
_LINE_HINT = (
    "each line is: PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT] "
    "(see ALLOWED SIGNERS in man ssh-keygen)"
)

_KEY_KINDS = {
    "ssh-rsa": "RSA",
    "rsa-sha2-256": "RSA",
    "rsa-sha2-512": "RSA",
    "ssh-dss": "DSA",
    "ecdsa-sha2-nistp256": "ECDSA",
    "ecdsa-sha2-nistp384": "ECDSA",
    "ecdsa-sha2-nistp521": "ECDSA",
    "sk-ecdsa-sha2-nistp256@openssh.com": "Security-key ECDSA",
    "sk-ssh-ed25519@openssh.com": "Security-key Ed25519",
    "ssh-ed448": "Ed448",
}
_KEY_TYPE_TOKEN = re.compile(r"(?:ssh|ecdsa|sk|rsa)-[A-Za-z0-9.@-]+")
_SAFE_TEXT = re.compile(r"[\x20-\x7e]*")
_BARE_NAME = re.compile(r"[A-Za-z0-9@._-]{1,40}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_TIME = re.compile(r"(\d{8}|\d{12}|\d{14})([Zz]?)")

# libsodium's blocklist of Ed25519 encodings of small-order points (crypto_core/ed25519 ref10,
# ge25519_has_small_order); the top (sign) bit is ignored when comparing, so each entry also stands
# for its sign-bit variant.
_SMALL_ORDER = tuple(
    bytes.fromhex(h)
    for h in (
        # 0 (order 4)
        "0000000000000000000000000000000000000000000000000000000000000000",
        # 1 (order 1: the identity)
        "0100000000000000000000000000000000000000000000000000000000000000",
        # order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        # p-1 (order 2)
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        # p (non-canonical 0, order 4)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        # p+1 (non-canonical 1, order 1)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    )
)


class SignatureError(SmcheckError):
    """A signature is malformed, of a refused kind, or does not verify."""


class KeyProblem(SmcheckError):
    """A key is unreadable, of a refused type, locked by a passphrase we lack, or unsafe."""


# --- small helpers -------------------------------------------------------------------------------


def _show(text: str, limit: int = 80) -> str:
    """Quote text that came from a file or signature so a terminal shows it, never obeys it."""
    if len(text) > limit:
        text = text[:limit] + "..."
    if _SAFE_TEXT.fullmatch(text) and "'" not in text:
        return f"'{text}'"
    return ascii(text)


def _show_name(raw: bytes) -> str:
    """A type or algorithm name from a signature: bare when it is a plain name, else quoted."""
    text = raw.decode("utf-8", "backslashreplace")
    return text if _BARE_NAME.fullmatch(text) else _show(text)


def _kind(key_type: str) -> str:
    if key_type.endswith("-cert-v01@openssh.com"):
        return "Certificate"
    return _KEY_KINDS.get(key_type, "Unknown")


def _string(data: bytes) -> bytes:
    """SSH wire ``string``: a big-endian uint32 length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def _sha512(data: bytes) -> bytes:
    return hashlib.sha512(data).digest()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _b64decode_strict(text: str) -> bytes | None:
    """Decode canonical base64 (right padding, no stray bits), or return ``None``."""
    if not _BASE64.fullmatch(text):
        return None
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:
        return None
    if base64.b64encode(data).decode("ascii") != text:
        return None
    return data


class _Reader:
    """Reads SSH wire fields from a byte string, raising ``error`` on anything short or left over."""

    def __init__(self, data: bytes, error: type[SmcheckError], what: str) -> None:
        self._data = data
        self._pos = 0
        self._error = error
        self._what = what

    def fail(self, message: str) -> NoReturn:
        raise self._error(f"{self._what}: {message}")

    def take(self, count: int, field: str) -> bytes:
        if len(self._data) - self._pos < count:
            self.fail(f"it is cut short in the {field}")
        chunk = self._data[self._pos : self._pos + count]
        self._pos += count
        return chunk

    def uint32(self, field: str) -> int:
        value: int = struct.unpack(">I", self.take(4, field))[0]
        return value

    def string(self, field: str) -> bytes:
        return self.take(self.uint32(field), field)

    def end(self, after: str) -> None:
        left = len(self._data) - self._pos
        if left:
            self.fail(f"{left} unexpected byte{'s' if left != 1 else ''} after {after}")


# --- public keys ---------------------------------------------------------------------------------


class PublicKey(NamedTuple):
    """An Ed25519 public key."""

    raw: bytes
    """The 32-byte Ed25519 public key."""

    def wire(self) -> bytes:
        """The SSH wire blob: ``string "ssh-ed25519" || string raw``."""
        return _string(KEY_TYPE.encode("ascii")) + _string(self.raw)

    def fingerprint(self) -> str:
        """``SHA256:<unpadded base64>``, exactly as ``ssh-keygen -l`` prints it."""
        return _fingerprint(self.wire())

    def openssh(self) -> str:
        """The OpenSSH public key line without a comment: ``ssh-ed25519 AAAA...``."""
        return f"{KEY_TYPE} {base64.b64encode(self.wire()).decode('ascii')}"


@functools.lru_cache(maxsize=1024)
def _fingerprint(wire: bytes) -> str:
    """A key's fingerprint (kept: verify names each signer's key more than once per record)."""
    return "SHA256:" + base64.b64encode(_sha256(wire)).decode("ascii").rstrip("=")


def is_small_order(raw: bytes) -> bool:
    """Whether ``raw`` encodes a small-order Ed25519 point (libsodium's blocklist).

    Such a key (the identity point above all) "verifies" a trivial signature over any message in
    pyca ``cryptography``, so it must never be trusted.
    """
    if len(raw) != 32:
        return False
    masked = raw[:31] + bytes([raw[31] & 0x7F])
    return masked in _SMALL_ORDER


def _unsupported_key(key_type: str) -> KeyProblem:
    return KeyProblem(
        f"{_kind(key_type)} keys ({_show_name(key_type.encode())}) are not supported: "
        "smcheck signs with Ed25519 keys only",
        hint=f"each signer needs an Ed25519 key; {_KEY_HINT}",
    )


def _split_key_line(text: str) -> tuple[str, bytes]:
    """Split ``TYPE BASE64 [COMMENT]`` into the type and the decoded blob, checking they agree."""
    fields = text.strip(" \t\r\n").split(None, 2)
    if len(fields) < 2:
        raise KeyProblem(
            "not an OpenSSH public key line", hint="expected: ssh-ed25519 AAAA... [comment]"
        )
    key_type, encoded = fields[0], fields[1]
    blob = _b64decode_strict(encoded)
    if blob is None:
        raise KeyProblem(
            "the key is not valid base64", hint="copy the whole line from the .pub file"
        )
    reader = _Reader(blob, KeyProblem, "the public key is damaged")
    inner = reader.string("key type")
    if inner != key_type.encode("utf-8", "replace"):
        raise KeyProblem(
            f"the public key says it is {_show_name(key_type.encode())} "
            f"but holds {_show_name(inner)}",
            hint="copy the whole line from the .pub file",
        )
    return key_type, blob


def _ed25519_from_blob(blob: bytes, error: type[SmcheckError], what: str) -> PublicKey:
    reader = _Reader(blob, error, what)
    key_type = reader.string("key type")
    if key_type != KEY_TYPE.encode():
        reader.fail(f"it is a {_show_name(key_type)} key, not ssh-ed25519")
    raw = reader.string("key")
    if len(raw) != 32:
        reader.fail(f"an Ed25519 key is 32 bytes, this one is {len(raw)}")
    reader.end("the key")
    return PublicKey(raw)


def parse_public_key(text: str) -> PublicKey:
    """Parse one OpenSSH public key line: ``ssh-ed25519 AAAA... [comment]``.

    Any other key type is refused with a :class:`KeyProblem` naming it.
    """
    key_type, blob = _split_key_line(text)
    if key_type != KEY_TYPE:
        raise _unsupported_key(key_type)
    key = _ed25519_from_blob(blob, KeyProblem, "the public key is damaged")
    # pyca cryptography loads it too, as a cross-check of the hand-read wire format.
    try:
        loaded = serialization.load_ssh_public_key(
            f"{key_type} {key.openssh().split()[1]}".encode()
        )
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyProblem(f"the public key is damaged: {exc}") from None
    if not isinstance(loaded, Ed25519PublicKey):  # pragma: no cover - the type was checked above
        raise _unsupported_key(key_type)
    raw = loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if raw != key.raw:  # pragma: no cover - both read the same 32 bytes
        raise KeyProblem("the public key is damaged")
    return key


# --- private keys --------------------------------------------------------------------------------


def _private_kind(key: object) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ECDSA"
    if isinstance(key, dsa.DSAPrivateKey):
        return "DSA"
    if isinstance(key, ed448.Ed448PrivateKey):
        return "Ed448"
    return type(key).__name__


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from an OpenSSH private key file (PEM/PKCS#8 also works).

    A passphrase given for a key that has none is ignored, as ``ssh-keygen`` does. Every failure is
    a :class:`KeyProblem`: a missing file, a locked key without a passphrase, a wrong passphrase, or
    a key that is not Ed25519.
    """
    try:
        with path.open("rb") as handle:
            data = read_capped(handle, MAX_KEY_FILE_BYTES)
    except FileNotFoundError:
        raise KeyProblem(f"{path}: no such key file", hint=_KEY_HINT) from None
    except IsADirectoryError:
        raise KeyProblem(f"{path} is a folder, not a key file") from None
    except OSError as exc:
        raise KeyProblem(f"{path}: cannot read the key: {exc.strerror}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyProblem(f"{path} is too large to be a private key")
    head = data.lstrip()
    if head.startswith((b"ssh-", b"ecdsa-", b"sk-")):
        private = path.name.removesuffix(".pub")
        raise KeyProblem(
            f"{path} is a public key; signing needs the private key",
            hint=f"give the private key file ({private})" if path.suffix == ".pub" else None,
        )
    if head.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
        loader: Callable[[bytes, bytes | None], object] = serialization.load_ssh_private_key
    elif head.startswith(b"-----BEGIN "):
        loader = serialization.load_pem_private_key
    else:
        raise KeyProblem(
            f"{path} is not a private key file",
            hint="expected an OpenSSH private key; " + _KEY_HINT,
        )
    try:
        try:
            key: object = loader(data, None)
        except TypeError:  # the key is encrypted
            if not passphrase:
                raise KeyProblem(
                    f"{path} is protected by a passphrase",
                    hint="give the key's passphrase to unlock it",
                ) from None
            try:
                key = loader(data, passphrase)
            except ValueError:
                raise KeyProblem(
                    f"wrong passphrase for {path} (or the key file is damaged)",
                    hint="check the passphrase and try again",
                ) from None
    except UnsupportedAlgorithm as exc:
        if "bcrypt" in str(exc):
            raise KeyProblem(
                f"cannot unlock {path}: the Python package 'bcrypt' is not installed",
                hint="install it: pip install 'cryptography[ssh]'",
            ) from None
        raise KeyProblem(
            f"{path}: unsupported key type or cipher ({exc})", hint=_KEY_HINT
        ) from None
    except ValueError as exc:
        raise KeyProblem(f"{path} is not a readable private key ({exc})", hint=_KEY_HINT) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(
            f"{_private_kind(key)} keys are not supported: "
            "smcheck signs with Ed25519 keys only; make one with smcheck keygen"
        )
    return key


def public_key_of(key: Ed25519PrivateKey) -> PublicKey:
    """The :class:`PublicKey` of a private key."""
    return PublicKey(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def generate_key_pair(path: Path, *, passphrase: bytes | None, comment: str) -> PublicKey:
    """Make a new Ed25519 key: ``path`` (OpenSSH private key, mode 0600) and ``path.pub``.

    The private key is encrypted when a non-empty ``passphrase`` is given (an empty one means none,
    like ``ssh-keygen -N ''``). Neither file is ever overwritten: if either exists, nothing is
    written and :class:`KeyProblem` is raised.
    """
    pub_path = path.with_name(path.name + ".pub")
    if any(ch in comment for ch in "\r\n") or not comment.isprintable():
        raise KeyProblem(
            "the key comment must be one line of printable text",
            hint="for example: you@example.ac.uk",
        )
    for existing in (path, pub_path):
        if existing.exists() or existing.is_symlink():
            raise KeyProblem(
                f"{existing} already exists",
                hint="smcheck never overwrites a key: choose another file name",
            )
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    try:
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
        )
    except UnsupportedAlgorithm:
        raise KeyProblem(
            "cannot encrypt the key: the Python package 'bcrypt' is not installed",
            hint="install it: pip install 'cryptography[ssh]'",
        ) from None
    public = public_key_of(key)
    line = public.openssh() + (f" {comment}" if comment else "") + "\n"
    try:
        atomic_write(path, private, overwrite=False, mode=0o600)
    except OutputExists:
        raise KeyProblem(
            f"{path} already exists",
            hint="smcheck never overwrites a key: choose another file name",
        ) from None
    try:
        atomic_write(pub_path, line.encode("utf-8"), overwrite=False, mode=0o644)
    except SmcheckError as exc:
        path.unlink(missing_ok=True)  # the private key was written just above, by us
        if isinstance(exc, OutputExists):
            raise KeyProblem(
                f"{pub_path} already exists",
                hint="smcheck never overwrites a key: choose another file name",
            ) from None
        raise
    return public


# --- signatures ----------------------------------------------------------------------------------


class Sshsig(NamedTuple):
    """A parsed SSHSIG signature (already checked to be Ed25519 + SHA-512, but not yet verified)."""

    public_key: PublicKey
    """The key the signature *claims*; trust it only through :func:`decide_trust`."""
    namespace: str
    signature: bytes
    """The raw 64-byte Ed25519 signature."""
    blob: bytes
    """The whole decoded SSHSIG blob."""


def _signed_message(namespace: str, data: bytes) -> bytes:
    return (
        MAGIC
        + _string(namespace.encode("utf-8"))
        + _string(b"")
        + _string(HASH_ALGORITHM.encode("ascii"))
        + _string(_sha512(data))
    )


def _armour(blob: bytes) -> str:
    encoded = base64.b64encode(blob).decode("ascii")
    lines = [encoded[i : i + WRAP] for i in range(0, len(encoded), WRAP)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def sign(key: Ed25519PrivateKey, data: bytes, namespace: str) -> str:
    """Sign ``data`` under ``namespace``; return the armoured signature, as ``ssh-keygen -Y sign``.

    Ed25519 is deterministic, so the same key, data and namespace always give the same text.
    """
    if not namespace:
        raise ValueError("a signature namespace must not be empty")
    signature = key.sign(_signed_message(namespace, data))
    blob = (
        MAGIC
        + struct.pack(">I", SIG_VERSION)
        + _string(public_key_of(key).wire())
        + _string(namespace.encode("utf-8"))
        + _string(b"")
        + _string(HASH_ALGORITHM.encode("ascii"))
        + _string(_string(KEY_TYPE.encode("ascii")) + _string(signature))
    )
    return _armour(blob)


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
        if not _BASE64.fullmatch(line):
            raise SignatureError(f"line {number} of the signature is not base64")
    blob = _b64decode_strict("".join(body))
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
    blob = _b64decode_strict(text)
    if blob is None:
        raise SignatureError("the signature is not valid base64")
    return parse_signature_blob(blob)


def parse_signature_blob(blob: bytes) -> Sshsig:
    """Read a raw SSHSIG blob strictly (see :func:`parse_signature`)."""
    outer = _Reader(blob, SignatureError, "the signature is damaged")
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

    key_reader = _Reader(key_blob, SignatureError, "the key in the signature is damaged")
    key_type = key_reader.string("key type")
    if key_type != KEY_TYPE.encode():
        kind = _kind(key_type.decode("utf-8", "replace"))
        raise SignatureError(
            f"the signature was made with a {kind} key ({_show_name(key_type)}); "
            "smcheck accepts Ed25519 signatures only",
            hint=f"the signer needs an Ed25519 key; {_KEY_HINT}",
        )
    public_key = _ed25519_from_blob(key_blob, SignatureError, "the key in the signature is damaged")

    try:
        namespace = namespace_raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("the signature's namespace is not UTF-8 text") from None
    if reserved:
        raise SignatureError("the signature's reserved field is not empty")
    if hash_algorithm != HASH_ALGORITHM.encode():
        raise SignatureError(
            f"the signature uses {_show_name(hash_algorithm)}; smcheck requires {HASH_ALGORITHM}",
            hint="sign with smcheck, or with ssh-keygen -Y sign (its default is sha512)",
        )

    sig_reader = _Reader(signature_field, SignatureError, "the signature value is damaged")
    sig_type = sig_reader.string("signature type")
    if sig_type != KEY_TYPE.encode():
        raise SignatureError(
            f"the signature value is of type {_show_name(sig_type)}; smcheck requires ssh-ed25519"
        )
    signature = sig_reader.string("signature")
    if len(signature) != 64:
        raise SignatureError(
            f"the signature value is damaged: an Ed25519 signature is 64 bytes, "
            f"this one is {len(signature)}"
        )
    sig_reader.end("the signature value")
    return Sshsig(public_key, namespace, signature, blob)


def verify(sig: Sshsig, data: bytes, namespace: str) -> None:
    """Check that ``sig`` signs exactly ``data`` under ``namespace``; raise :class:`SignatureError`.

    This proves only that the key inside the signature signed these bytes. Whether that key may
    speak for anyone is :func:`decide_trust`'s question.
    """
    if sig.namespace != namespace:
        raise SignatureError(
            f"the signature was made for namespace {_show(sig.namespace)}, not {_show(namespace)}",
            hint="a signature made for one purpose never counts for another",
        )
    if is_small_order(sig.public_key.raw):
        raise SignatureError(
            "the signature was made with a small-order (identity-point) Ed25519 key, "
            "which can appear to sign anything: it proves nothing"
        )
    try:
        public = Ed25519PublicKey.from_public_bytes(sig.public_key.raw)
        public.verify(sig.signature, _signed_message(namespace, data))
    except (InvalidSignature, ValueError):
        raise SignatureError(
            "the signature does not match these bytes",
            hint="the signed content was changed after signing, or the signature is for other content",
        ) from None


# --- trust: allowed_signers and revoked keys -----------------------------------------------------


class Signer(NamedTuple):
    """One line of an ``allowed_signers`` file."""

    principals: tuple[str, ...]
    """Principal patterns as written (``*`` and ``?`` wildcards, ``!`` negation)."""
    public_key: PublicKey
    namespaces: tuple[str, ...] | None
    """Namespace patterns from ``namespaces="..."``; ``None`` allows any namespace."""
    valid_after: dt.datetime | None
    """From ``valid-after=``, in UTC (a time without ``Z`` is read as UTC too)."""
    valid_before: dt.datetime | None
    """From ``valid-before=``, in UTC (a time without ``Z`` is read as UTC too)."""
    line: int
    """The line number in the file, for messages."""


class TrustFile(NamedTuple):
    """A parsed ``allowed_signers`` file."""

    path: Path
    signers: tuple[Signer, ...]


class _LineProblem(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _read_text(path: Path, what: str, limit: int) -> str:
    """Read a small UTF-8 text file, refusing what would not be one (a binary KRL above all)."""
    try:
        with path.open("rb") as handle:
            data = read_capped(handle, limit)
    except FileNotFoundError:
        raise CannotOpen(str(path), f"no such {what}") from None
    except IsADirectoryError:
        raise CannotOpen(str(path), f"is a folder, not a {what}") from None
    except OSError as exc:
        raise CannotOpen(str(path), f"cannot read: {exc.strerror}") from None

    def refuse(problem: str, hint: str | None = None) -> NoReturn:
        raise FileProblem(str(path), [f"{path}: {problem}"], hint=hint)

    if data.startswith(KRL_MAGIC):
        refuse("KRLs are not supported; list revoked public keys one per line")
    if len(data) > limit:
        refuse(f"larger than {limit} bytes; not a {what}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        refuse(f"not UTF-8 text; not a {what}")
    if text.startswith("\ufeff"):
        refuse("starts with a byte-order mark", hint="save it as UTF-8 without a BOM")
    if "\x00" in text:
        refuse(f"contains NUL bytes; not a {what}")
    return text


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines that are neither blank nor comments (a trailing CR is dropped)."""
    numbered = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            numbered.append((number, stripped))
    return numbered


def _dequote(text: str, start: int) -> tuple[str, int]:
    """Read a double-quoted option value at ``start`` (``\\"`` escapes a quote)."""
    if start >= len(text) or text[start] != '"':
        raise _LineProblem('option values must be in double quotes, like namespaces="file"')
    out: list[str] = []
    i = start + 1
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] == '"':
            i += 1
        out.append(text[i])
        i += 1
    if i >= len(text):
        raise _LineProblem("an option value has no closing double quote")
    return "".join(out), i + 1


def _parse_time(value: str, option: str) -> dt.datetime:
    match = _TIME.fullmatch(value)
    if not match:
        raise _LineProblem(
            f"invalid {option} time {_show(value)}",
            hint="write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with Z for UTC",
        )
    digits = match.group(1).ljust(14, "0")
    try:
        return dt.datetime(
            int(digits[0:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
            tzinfo=dt.UTC,
        )
    except ValueError:
        raise _LineProblem(f"invalid {option} time {_show(value)}: no such date or time") from None


def _pattern_list(value: str, what: str) -> tuple[str, ...]:
    patterns = tuple(value.split(","))
    if any(pattern in ("", "!") for pattern in patterns):
        raise _LineProblem(f"empty entry in the {what} list {_show(value)}")
    return patterns


def _parse_options(
    text: str,
) -> tuple[tuple[str, ...] | None, dt.datetime | None, dt.datetime | None]:
    namespaces: tuple[str, ...] | None = None
    after: dt.datetime | None = None
    before: dt.datetime | None = None
    i = 0
    while True:
        rest = text[i:].lower()
        if rest.startswith("cert-authority") and rest[len("cert-authority") :][:1] in ("", ","):
            raise _LineProblem(
                "certificate authorities (cert-authority) are not supported",
                hint="list each signer's own ssh-ed25519 key instead",
            )
        if rest.startswith("namespaces="):
            if namespaces is not None:
                raise _LineProblem("more than one namespaces= option")
            value, i = _dequote(text, i + len("namespaces="))
            namespaces = _pattern_list(value, "namespaces")
        elif rest.startswith("valid-after="):
            if after is not None:
                raise _LineProblem("more than one valid-after= option")
            value, i = _dequote(text, i + len("valid-after="))
            after = _parse_time(value, "valid-after")
        elif rest.startswith("valid-before="):
            if before is not None:
                raise _LineProblem("more than one valid-before= option")
            value, i = _dequote(text, i + len("valid-before="))
            before = _parse_time(value, "valid-before")
        else:
            name = re.split(r"[=,]", text[i:], maxsplit=1)[0]
            raise _LineProblem(
                f"unknown option {_show(name)}",
                hint="smcheck knows namespaces=, valid-after= and valid-before=",
            )
        if i == len(text):
            break
        if text[i] != ",":
            raise _LineProblem("options must be separated by commas, with no spaces")
        i += 1
        if i == len(text):
            raise _LineProblem("the options end with a comma")
    if after is not None and before is not None and before <= after:
        raise _LineProblem("valid-before is not later than valid-after")
    return namespaces, after, before


def _split_options(text: str) -> tuple[str, str]:
    """Split off the options field: up to the first space or tab outside double quotes."""
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if quoted and char == "\\" and text[i + 1 : i + 2] == '"':
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char in " \t":
            return text[:i], text[i:].lstrip(" \t")
        i += 1
    if quoted:
        raise _LineProblem("the options have no closing double quote")
    return text, ""


def _parse_signer_line(line: str, number: int) -> Signer:
    # Principals: one token, or one double-quoted string (which may hold spaces).
    if line.startswith('"'):
        close = line.find('"', 1)
        if close < 0:
            raise _LineProblem("the principals have no closing double quote")
        principals_text, rest = line[1:close], line[close + 1 :]
        if rest and rest[0] not in " \t":
            raise _LineProblem("a space must follow the quoted principals")
    else:
        token = re.match(r"[^ \t]*", line)
        assert token is not None  # the pattern matches the empty string
        principals_text, rest = token.group(), line[token.end() :]
        if '"' in principals_text:
            raise _LineProblem(
                "a double quote inside the principals",
                hint='quote the whole field: "a@example.ac.uk,b@example.ac.uk"',
            )
    rest = rest.lstrip(" \t")
    principals = _pattern_list(principals_text, "principals")
    if not rest:
        raise _LineProblem("the line has no key")
    first = rest.split(None, 1)[0]
    namespaces = after = before = None
    if not _KEY_TYPE_TOKEN.fullmatch(first):
        options, rest = _split_options(rest)
        namespaces, after, before = _parse_options(options)
        if not rest:
            raise _LineProblem("the line has no key")
    try:
        key = parse_public_key(rest)
    except KeyProblem as exc:
        raise _LineProblem(exc.message, exc.hint) from None
    if is_small_order(key.raw):
        raise _LineProblem(
            "the key is a small-order (identity-point) Ed25519 key, which would accept "
            "forged signatures",
            hint="remove this line: no real signer has such a key",
        )
    return Signer(principals, key, namespaces, after, before, number)


def load_allowed_signers(path: Path) -> TrustFile:
    """Read an OpenSSH ``allowed_signers`` file (see ALLOWED SIGNERS in ``man ssh-keygen``).

    Each line is ``PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT]``; ``#`` comments and blank lines
    are skipped; options (``namespaces=``, ``valid-after=``, ``valid-before=``) are
    case-insensitive. Every line must parse, unlike in ``ssh-keygen``, which reads only the lines
    whose principals match: ``cert-authority``, other key types, small-order keys and malformed
    lines are all refused with a :class:`~smcheck.errors.FileProblem` naming ``file:line``.
    """
    text = _read_text(path, "allowed signers file", MAX_TRUST_FILE_BYTES)
    signers: list[Signer] = []
    problems: list[str] = []
    hint: str | None = None
    for number, line in _lines(text):
        try:
            signers.append(_parse_signer_line(line, number))
        except _LineProblem as exc:
            problems.append(f"{path}:{number}: {exc.message}")
            hint = hint or exc.hint
    if problems:
        raise FileProblem(str(path), problems, hint=hint or _LINE_HINT)
    return TrustFile(path, tuple(signers))


def load_revoked(path: Path) -> frozenset[bytes]:
    """Read revoked keys: OpenSSH public key lines, one a line (``#`` comments allowed).

    Returns the SSH wire blobs of the keys. Keys of any type may be listed (an RSA key can never
    sign for smcheck, so listing it is harmless). OpenSSH's binary KRLs are refused.
    """
    text = _read_text(path, "revoked keys file", MAX_TRUST_FILE_BYTES)
    blobs: set[bytes] = set()
    problems: list[str] = []
    for number, line in _lines(text):
        try:
            key_type, blob = _split_key_line(line)
            if key_type == KEY_TYPE:
                blob = parse_public_key(line).wire()
        except KeyProblem as exc:
            problems.append(f"{path}:{number}: {exc.message}")
            continue
        blobs.add(blob)
    if problems:
        raise FileProblem(
            str(path), problems, hint="each line is one public key: ssh-ed25519 AAAA... [comment]"
        )
    return frozenset(blobs)


class Trust(StrEnum):
    """What the trust file says about a signing key."""

    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    WRONG_NAMESPACE = "wrong-namespace"
    WRONG_PRINCIPAL = "wrong-principal"


class TrustDecision(NamedTuple):
    """The verdict of :func:`decide_trust`."""

    status: Trust
    principal: str | None
    """The trust file's principal pattern that matched (never anything from the signature)."""
    message: str
    """The verdict in plain words."""


def _match_pattern(string: str, pattern: str) -> bool:
    """OpenSSH ``match_pattern``: ``*`` any run, ``?`` any one character, case-sensitive."""
    if "*" not in pattern and "?" not in pattern:
        return string == pattern
    return _pattern_regex(pattern).fullmatch(string) is not None


@functools.lru_cache(maxsize=256)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A wildcard pattern as a compiled regular expression (a trust file's few patterns are reused for
    every record of a batch)."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(regex, flags=re.DOTALL)


def _match_pattern_list(string: str, patterns: tuple[str, ...]) -> str | None:
    """OpenSSH ``match_pattern_list``: the first positive pattern matching, unless one negated does."""
    positive: str | None = None
    for pattern in patterns:
        if len(pattern) >= 1023:  # OpenSSH treats an over-long sub-pattern as "no match"
            return None
        if pattern.startswith("!"):
            if _match_pattern(string, pattern[1:]):
                return None
        elif positive is None and _match_pattern(string, pattern):
            positive = pattern
    return positive


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def decide_trust(
    key: PublicKey,
    *,
    trust: TrustFile,
    revoked: frozenset[bytes],
    principal: str,
    namespace: str,
    at: dt.datetime,
) -> TrustDecision:
    """Decide whether ``key`` may sign as ``principal`` under ``namespace`` at time ``at``.

    Like ``ssh-keygen -Y verify -I principal -n namespace``: a revoked key is refused first; then
    the lines holding this key whose principal patterns match ``principal`` are checked for the
    namespace and the validity window (``valid-after`` <= at <= ``valid-before``, whole seconds).
    Any line that passes makes the key trusted; otherwise the first failing line gives the reason.
    A key listed only under other principals is WRONG_PRINCIPAL; a key not listed is UNKNOWN.
    ``at`` must be timezone-aware.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("decide_trust needs a timezone-aware time")
    at = at.astimezone(dt.UTC).replace(microsecond=0)
    fingerprint = key.fingerprint()
    where = str(trust.path)
    if key.wire() in revoked:
        return TrustDecision(Trust.REVOKED, None, f"the key {fingerprint} has been revoked")
    holding = [signer for signer in trust.signers if signer.public_key.raw == key.raw]
    if not holding:
        return TrustDecision(
            Trust.UNKNOWN,
            None,
            f"the key {fingerprint} is not in the trust file {where}: "
            "anyone can make a key, so this says nothing about who signed",
        )
    matching = [
        (signer, pattern)
        for signer in holding
        if (pattern := _match_pattern_list(principal, signer.principals)) is not None
    ]
    if not matching:
        owners = "; ".join(
            f"{_show(','.join(signer.principals))} (line {signer.line})" for signer in holding
        )
        return TrustDecision(
            Trust.WRONG_PRINCIPAL,
            None,
            f"the key {fingerprint} is trusted for {owners}, not for {_show(principal)}",
        )
    failures: list[TrustDecision] = []
    for signer, pattern in matching:
        place = f"{where} line {signer.line}"
        if (
            signer.namespaces is not None
            and _match_pattern_list(namespace, signer.namespaces) is None
        ):
            failures.append(
                TrustDecision(
                    Trust.WRONG_NAMESPACE,
                    pattern,
                    f"the key {fingerprint} of {_show(pattern)} may sign only for namespaces "
                    f"{_show(','.join(signer.namespaces))}, not {_show(namespace)} ({place})",
                )
            )
        elif signer.valid_after is not None and at < signer.valid_after:
            failures.append(
                TrustDecision(
                    Trust.NOT_YET_VALID,
                    pattern,
                    f"the key {fingerprint} of {_show(pattern)} is not valid until "
                    f"{_when(signer.valid_after)} ({place})",
                )
            )
        elif signer.valid_before is not None and at > signer.valid_before:
            failures.append(
                TrustDecision(
                    Trust.EXPIRED,
                    pattern,
                    f"the key {fingerprint} of {_show(pattern)} expired at "
                    f"{_when(signer.valid_before)} ({place})",
                )
            )
        else:
            return TrustDecision(
                Trust.TRUSTED,
                pattern,
                f"signed by {_show(pattern)} with key {fingerprint} ({place})",
            )
    return failures[0]

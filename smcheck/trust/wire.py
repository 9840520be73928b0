"""The SSH wire format and Ed25519 public keys, as OpenSSH writes them (RFC 4251 strings, base64).

Everything here is data in, data out: no file, no trust. pyca ``cryptography`` cross-checks every public
key this module reads by hand.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import struct
from typing import NamedTuple, NoReturn

from smcheck.errors import SmcheckError
from smcheck.text import quoted

KEY_TYPE = "ssh-ed25519"
"""The key (and signature) type smcheck signs with."""

SK_KEY_TYPE = "sk-ssh-ed25519@openssh.com"
"""An Ed25519 key held in a security key (FIDO authenticator): smcheck verifies its signatures."""

KEY_HINT = "make one with smcheck keygen"

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
_BARE_NAME = re.compile(r"[A-Za-z0-9@._-]{1,40}")
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")

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


class KeyProblem(SmcheckError):
    """A key is unreadable, of a refused type, locked by a passphrase we lack, or unsafe."""


def show_name(raw: bytes) -> str:
    """A type or algorithm name from a signature: bare when it is a plain name, else quoted."""
    text = raw.decode("utf-8", "backslashreplace")
    return text if _BARE_NAME.fullmatch(text) else quoted(text)


def key_kind(key_type: str) -> str:
    if key_type.endswith("-cert-v01@openssh.com"):
        return "Certificate"
    return _KEY_KINDS.get(key_type, "Unknown")


def string(data: bytes) -> bytes:
    """SSH wire ``string``: a big-endian uint32 length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64decode_strict(text: str) -> bytes | None:
    """Decode canonical base64 (right padding, no stray bits), or return ``None``."""
    if not BASE64.fullmatch(text):
        return None
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:
        return None
    if base64.b64encode(data).decode("ascii") != text:
        return None
    return data


class Reader:
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

    def done(self) -> bool:
        """Whether every byte has been read."""
        return self._pos >= len(self._data)

    def end(self, after: str) -> None:
        left = len(self._data) - self._pos
        if left:
            self.fail(f"{left} unexpected byte{'s' if left != 1 else ''} after {after}")


class PublicKey(NamedTuple):
    """An Ed25519 public key, or one held in a security key (``sk-ssh-ed25519@openssh.com``)."""

    raw: bytes
    """The 32-byte Ed25519 public key."""
    application: str | None = None
    """For a security key, its FIDO application (``ssh:`` as ``ssh-keygen -t ed25519-sk`` makes it);
    None for a plain Ed25519 key. Part of the key's identity, as in OpenSSH."""

    @property
    def key_type(self) -> str:
        """``ssh-ed25519`` or ``sk-ssh-ed25519@openssh.com``."""
        return KEY_TYPE if self.application is None else SK_KEY_TYPE

    def wire(self) -> bytes:
        """The SSH wire blob: ``string "ssh-ed25519" || string raw`` (a security key's adds
        ``string application`` after the raw key, under its own type name)."""
        if self.application is None:
            return string(KEY_TYPE.encode("ascii")) + string(self.raw)
        return (
            string(SK_KEY_TYPE.encode("ascii"))
            + string(self.raw)
            + string(self.application.encode("utf-8"))
        )

    def fingerprint(self) -> str:
        """``SHA256:<unpadded base64>``, exactly as ``ssh-keygen -l`` prints it."""
        return _fingerprint(self.wire())

    def openssh(self) -> str:
        """The OpenSSH public key line without a comment: ``ssh-ed25519 AAAA...``."""
        return f"{self.key_type} {base64.b64encode(self.wire()).decode('ascii')}"


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


def unsupported_key(key_type: str) -> KeyProblem:
    return KeyProblem(
        f"{key_kind(key_type)} keys ({show_name(key_type.encode())}) are not supported: "
        "smcheck signs with Ed25519 keys only",
        hint=f"each signer needs an Ed25519 key; {KEY_HINT}",
    )


def split_key_line(text: str) -> tuple[str, bytes]:
    """Split ``TYPE BASE64 [COMMENT]`` into the type and the decoded blob, checking they agree."""
    fields = text.strip(" \t\r\n").split(None, 2)
    if len(fields) < 2:
        raise KeyProblem(
            "not an OpenSSH public key line", hint="expected: ssh-ed25519 AAAA... [comment]"
        )
    key_type, encoded = fields[0], fields[1]
    blob = b64decode_strict(encoded)
    if blob is None:
        raise KeyProblem(
            "the key is not valid base64", hint="copy the whole line from the .pub file"
        )
    reader = Reader(blob, KeyProblem, "the public key is damaged")
    inner = reader.string("key type")
    if inner != key_type.encode("utf-8", "replace"):
        raise KeyProblem(
            f"the public key says it is {show_name(key_type.encode())} "
            f"but holds {show_name(inner)}",
            hint="copy the whole line from the .pub file",
        )
    return key_type, blob


def ed25519_from_blob(blob: bytes, error: type[SmcheckError], what: str) -> PublicKey:
    reader = Reader(blob, error, what)
    key_type = reader.string("key type")
    if key_type != KEY_TYPE.encode():
        reader.fail(f"it is a {show_name(key_type)} key, not ssh-ed25519")
    raw = reader.string("key")
    if len(raw) != 32:
        reader.fail(f"an Ed25519 key is 32 bytes, this one is {len(raw)}")
    reader.end("the key")
    return PublicKey(raw)


def sk_from_blob(blob: bytes, error: type[SmcheckError], what: str) -> PublicKey:
    """A security key's ``sk-ssh-ed25519@openssh.com`` blob: type, 32-byte key, application."""
    reader = Reader(blob, error, what)
    key_type = reader.string("key type")
    if key_type != SK_KEY_TYPE.encode():
        reader.fail(f"it is a {show_name(key_type)} key, not {SK_KEY_TYPE}")
    raw = reader.string("key")
    if len(raw) != 32:
        reader.fail(f"an Ed25519 key is 32 bytes, this one is {len(raw)}")
    application = reader.string("application")
    reader.end("the key")
    if not application.startswith(b"ssh:"):
        # As cryptography's reader: a FIDO key made for SSH names an application ssh:...
        reader.fail("the security key's application does not start with ssh:")
    try:
        name = application.decode("utf-8")
    except UnicodeDecodeError:
        reader.fail("the security key's application is not UTF-8 text")
    return PublicKey(raw, name)


def parse_signer_key(text: str) -> PublicKey:
    """Parse a public key line a trust file may hold for a signer: ``ssh-ed25519`` or a security key
    (``sk-ssh-ed25519@openssh.com``); any other type is refused with a :class:`KeyProblem`."""
    key_type, blob = split_key_line(text)
    if key_type != SK_KEY_TYPE:
        return parse_public_key(text)
    return sk_from_blob(blob, KeyProblem, "the public key is damaged")


def parse_public_key(text: str) -> PublicKey:
    """Parse one OpenSSH public key line: ``ssh-ed25519 AAAA... [comment]``.

    Any other key type is refused with a :class:`KeyProblem` naming it.
    """
    key_type, blob = split_key_line(text)
    if key_type != KEY_TYPE:
        raise unsupported_key(key_type)
    # Read by this module alone: cryptography's OpenSSH reader (its serialization package) would cost
    # verify some 15 ms of start-up, and a test holds the two to the same answers over any blob.
    return ed25519_from_blob(blob, KeyProblem, "the public key is damaged")


__all__ = [
    "BASE64",
    "KEY_HINT",
    "KEY_TYPE",
    "SK_KEY_TYPE",
    "KeyProblem",
    "PublicKey",
    "Reader",
    "b64decode_strict",
    "ed25519_from_blob",
    "is_small_order",
    "key_kind",
    "parse_public_key",
    "parse_signer_key",
    "show_name",
    "sk_from_blob",
    "split_key_line",
    "string",
    "unsupported_key",
]

"""Private keys: load an OpenSSH Ed25519 key, make a new pair, find the certificate beside a key
(``KEY-cert.pub``, as ``ssh`` does). A security key (``sk-ssh-ed25519``) signs through ssh-agent only.
All cryptography is pyca's."""

from __future__ import annotations

import binascii
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from smcheck.errors import CannotOpen, OutputExists, SmcheckError
from smcheck.fsutil import atomic_write, read_regular
from smcheck.text import shell_word
from smcheck.trust.certs import CERT_TYPE, Certificate, parse_certificate
from smcheck.trust.wire import (
    KEY_HINT,
    KEY_TYPE,
    SK_KEY_TYPE,
    KeyProblem,
    PublicKey,
    Reader,
    ed25519_from_blob,
    parse_public_key,
    parse_signer_key,
    sk_from_blob,
    unsupported_key,
)

MAX_KEY_FILE_BYTES = 64 * 1024


class SigningKey(Protocol):
    """Something that makes Ed25519 signatures for one key: a private key here, or one in ssh-agent."""

    @property
    def public(self) -> PublicKey:
        """The key's public half."""

    @property
    def where(self) -> str:
        """Where the key is, for messages (``the key id_ed25519``, ``ssh-agent``)."""

    def sign_raw(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``; for a security key (which signs only
        through ssh-agent), those 64 bytes followed by its flags byte and 4-byte counter."""


class LocalKey:
    """A private key loaded into this process."""

    def __init__(self, private: Ed25519PrivateKey, where: str = "the key") -> None:
        self._private = private
        self._public = public_key_of(private)
        self._where = where

    @property
    def public(self) -> PublicKey:
        return self._public

    @property
    def where(self) -> str:
        return self._where

    def sign_raw(self, message: bytes) -> bytes:
        return self._private.sign(message)


class CertifiedKey:
    """A signing key with the OpenSSH certificate a CA made for it (``KEY-cert.pub``): its signatures
    carry the certificate, as ``ssh-keygen -Y sign`` does with a certified key."""

    def __init__(self, key: SigningKey, certificate: Certificate, path: Path) -> None:
        self._key = key
        self.certificate = certificate
        """The certificate, as read from :attr:`path`."""
        self.path = path
        """The ``-cert.pub`` file."""

    @property
    def public(self) -> PublicKey:
        return self._key.public

    @property
    def where(self) -> str:
        return self._key.where

    def sign_raw(self, message: bytes) -> bytes:
        return self._key.sign_raw(message)


def certificate_path(path: Path) -> Path:
    """Where ``ssh`` looks for a key's certificate: ``KEY-cert.pub`` beside ``KEY`` (or ``KEY.pub``)."""
    return path.with_name(path.name.removesuffix(".pub") + "-cert.pub")


def read_certificate(path: Path) -> Certificate:
    """The certificate in a ``KEY-cert.pub`` file (one line); every failure is a :class:`KeyProblem`."""
    import base64

    data = read_key_file(path)
    try:
        fields = data.decode("utf-8").split()
    except UnicodeDecodeError:
        fields = []
    if len(fields) < 2 or fields[0] != CERT_TYPE:
        raise KeyProblem(
            f"{path} is not an Ed25519 certificate (it should start with {CERT_TYPE})",
            hint="the file the CA returned for your key, saved beside it as KEY-cert.pub",
        )
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except ValueError:
        raise KeyProblem(f"{path} is damaged: it is not base64") from None
    return parse_certificate(blob, KeyProblem, str(path))


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


class KeyLocked(KeyProblem):
    """A private key is protected by a passphrase, and none was given."""


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from an OpenSSH private key file (PEM/PKCS#8 also works).

    A passphrase given for a key that has none is ignored, as ``ssh-keygen`` does. Every failure is
    a :class:`KeyProblem`: a missing file, a locked key without a passphrase (:class:`KeyLocked`), a
    wrong passphrase, or a key that is not Ed25519.
    """
    return _load_private(read_key_file(path), path, passphrase)


def _is_public_key_file(data: bytes) -> bool:
    return data.lstrip().startswith((b"ssh-", b"ecdsa-", b"sk-"))


def _load_private(data: bytes, path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyProblem(f"{path} is too large to be a private key")
    head = data.lstrip()
    if _is_public_key_file(head):
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
            hint="expected an OpenSSH private key; " + KEY_HINT,
        )
    try:
        try:
            key: object = loader(data, None)
        except TypeError:  # the key is encrypted
            if not passphrase:
                raise KeyLocked(
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
        if "sk-ssh-ed25519" in str(exc):  # a handle on a security key, not a key
            raise security_key(path) from None
        if "bcrypt" in str(exc):
            raise KeyProblem(
                f"cannot unlock {path}: the Python package 'bcrypt' is not installed",
                hint="install it: pip install 'cryptography[ssh]'",
            ) from None
        raise KeyProblem(f"{path}: unsupported key type or cipher ({exc})", hint=KEY_HINT) from None
    except ValueError as exc:
        raise KeyProblem(f"{path} is not a readable private key ({exc})", hint=KEY_HINT) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(
            f"{_private_kind(key)} keys are not supported: "
            "smcheck signs with Ed25519 keys only; make one with smcheck keygen"
        )
    return key


def read_key_file(path: Path) -> bytes:
    """A key file's bytes (a regular file only, never blocking); every failure is a :class:`KeyProblem`."""
    try:
        return read_regular(path, MAX_KEY_FILE_BYTES)
    except CannotOpen as exc:
        hint = KEY_HINT if exc.reason.startswith("no such") else None
        raise KeyProblem(f"{path}: {exc.reason}", hint=hint) from None


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


def _pub_path(path: Path) -> Path:
    return path.with_name(path.name + ".pub")


def _public_from_file(data: bytes, path: Path) -> PublicKey:
    """The key of a public key file's bytes: one line, ``ssh-ed25519 AAAA... [comment]``."""
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyProblem(f"{path} is too large to be a public key")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyProblem(f"{path} is not a public key file (it is not UTF-8 text)") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise KeyProblem(
            f"{path} holds {len(lines)} lines; a public key file holds one key on one line",
            hint="give the .pub file that ssh-keygen or smcheck keygen wrote",
        )
    try:
        return parse_signer_key(lines[0])
    except KeyProblem as exc:
        raise KeyProblem(f"{path}: {exc.message}", hint=exc.hint) from None


def security_key(path: Path, why: KeyProblem | None = None) -> KeyProblem:
    """smcheck does not talk to a security key's authenticator: ssh-agent does (``ssh-add KEY``), or
    ``ssh-keygen -Y sign``, whose signature is attached. ``why`` is why the agent could not sign."""
    name = path.name.removesuffix(".pub")
    because = f" ({why.message})" if why is not None else ""
    return KeyProblem(
        f"{path} is a security key (sk-ssh-ed25519): smcheck signs with it only through ssh-agent"
        f"{because}",
        hint=f"add it to ssh-agent (ssh-add {shell_word(path.with_name(name))}) and touch it when it"
        " blinks; or make the signature with ssh-keygen: smcheck show RECORD --signed-bytes >"
        f" record.bytes; ssh-keygen -Y sign -n smcheck-record -f {shell_word(name)} record.bytes;"
        " then attach it: smcheck sign --signature record.bytes.sig RECORD",
    )


def read_public_key(path: Path) -> PublicKey:
    """The key in a public key file (``KEY.pub``); every failure is a :class:`KeyProblem`."""
    data = read_key_file(path)
    if not _is_public_key_file(data):
        raise KeyProblem(
            f"{path} is not a public key file",
            hint="expected one line: ssh-ed25519 AAAA... [comment]",
        )
    return _public_from_file(data, path)


_OPENSSH_BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----"
_OPENSSH_END = b"-----END OPENSSH PRIVATE KEY-----"
_OPENSSH_MAGIC = b"openssh-key-v1\x00"


def embedded_public_key(data: bytes, path: Path) -> PublicKey | None:
    """The public key an OpenSSH private key file carries in its unencrypted header.

    It is there even when the private key is protected by a passphrase (``PROTOCOL.key``: magic,
    cipher, KDF, KDF options, the number of keys, then each public key). None for a file in another
    format (PEM/PKCS#8 holds no public key in the clear). A key other than Ed25519 is refused by name.
    """
    text = data.strip()
    if not text.startswith(_OPENSSH_BEGIN):
        return None
    lines = text.splitlines()
    if len(lines) < 3 or lines[-1].strip() != _OPENSSH_END:
        raise KeyProblem(
            f"{path} is damaged: it does not end with the line {_OPENSSH_END.decode()}"
        )
    try:
        blob = binascii.a2b_base64(b"".join(line.strip() for line in lines[1:-1]))
    except binascii.Error:
        raise KeyProblem(f"{path} is damaged: it is not base64") from None
    reader = Reader(blob, KeyProblem, f"{path} is damaged")
    if reader.take(len(_OPENSSH_MAGIC), "header") != _OPENSSH_MAGIC:
        reader.fail("it is not an openssh-key-v1 private key")
    reader.string("cipher name")
    reader.string("KDF name")
    reader.string("KDF options")
    count = reader.uint32("number of keys")
    if count != 1:
        reader.fail(f"it holds {count} keys; an OpenSSH private key file holds one")
    key_blob = reader.string("public key")
    key_type = Reader(key_blob, KeyProblem, f"{path} is damaged").string("key type")
    if key_type == SK_KEY_TYPE.encode():
        return parse_signer_key(
            sk_from_blob(key_blob, KeyProblem, f"the public key in {path} is damaged").openssh()
        )
    if key_type != KEY_TYPE.encode():
        raise unsupported_key(key_type.decode("utf-8", "replace"))
    key = ed25519_from_blob(key_blob, KeyProblem, f"the public key in {path} is damaged")
    return parse_public_key(key.openssh())  # pyca reads it too, as a cross-check


class KeyRef:
    """A signing key as ``--key`` or the config file names it, not yet unlocked.

    The file is a private key, or a public key (``KEY.pub``) whose private half ``ssh-agent`` holds,
    as with ``ssh-keygen -Y sign -f KEY.pub``. :meth:`public` says which key it is without asking for a
    passphrase or the agent; :meth:`unlock` returns what signs.
    """

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        """The file as given."""
        self._data = data

    @property
    def is_public(self) -> bool:
        """Whether the file is a public key (signing with it needs ssh-agent)."""
        return _is_public_key_file(self._data)

    def public(self) -> PublicKey:
        """The key's public half: from the public key file, from an OpenSSH private key's header or
        the ``.pub`` file beside it, or from a private key with no passphrase."""
        if self.is_public:
            return _public_from_file(self._data, self.path)
        found = self._known_public()
        if found is not None:
            return found
        try:
            return public_key_of(_load_private(self._data, self.path, None))
        except KeyLocked:
            raise KeyProblem(
                f"cannot tell which key {self.path} is without its passphrase",
                hint=f"put its public key beside it, as {_pub_path(self.path)}",
            ) from None

    def certificate(self) -> tuple[Certificate, Path] | None:
        """The certificate beside the key (``KEY-cert.pub``, as ``ssh`` finds it), or None when there
        is none. One that certifies another key, or is damaged, is a :class:`KeyProblem`."""
        found = certificate_path(self.path)
        if not (found.exists() or found.is_symlink()):
            return None
        cert = read_certificate(found)
        public = self.public()
        if cert.key != public:
            raise KeyProblem(
                f"{found} certifies another key ({cert.key.fingerprint()}, not"
                f" {public.fingerprint()} of {self.path})",
                hint=f"{found} must be the certificate the CA made for {self.path}; remove or"
                " replace it",
            )
        return cert, found

    def _known_public(self) -> PublicKey | None:
        """The public key of a private key file that can be known without unlocking it.

        The file's own header comes first; a ``.pub`` beside it that names another key is refused
        (signing through the agent with it would sign with a key other than the one given).
        """
        embedded = embedded_public_key(self._data, self.path)
        beside = _pub_path(self.path)
        if not (beside.exists() or beside.is_symlink()):
            return embedded
        if embedded is None:
            return read_public_key(beside)
        try:
            listed = read_public_key(beside)
        except KeyProblem:
            return embedded  # not needed: the header says which key it is
        if listed != embedded:
            raise KeyProblem(
                f"{beside} does not match {self.path}: it holds another key"
                f" ({listed.fingerprint()}, not {embedded.fingerprint()})",
                hint=f"{beside} must hold the public key of {self.path}; remove or replace it",
            )
        return embedded

    def unlock(self) -> SigningKey:
        """What signs for this key.

        A public key file: the agent, which must hold the key. A private key: the key itself; when a
        passphrase protects it, the agent if it holds the key (no passphrase asked, as ``ssh-keygen``
        does), else the passphrase is asked for at a terminal. Without a terminal the error says how
        to sign through the agent instead.
        """
        if self.is_public:
            return self._through_agent()
        embedded = embedded_public_key(self._data, self.path)
        if embedded is not None and embedded.application is not None:
            # A security key's file is a handle on the authenticator: only ssh-agent signs with it.
            from smcheck.trust.agent import AgentProblem, agent_key

            try:
                return agent_key(embedded)
            except AgentProblem as exc:
                raise security_key(self.path, exc) from None
        try:
            return LocalKey(_load_private(self._data, self.path, None), f"the key {self.path}")
        except KeyLocked:
            pass
        import getpass
        import sys

        from smcheck.trust.agent import AgentProblem, agent_key

        public = self._known_public()
        why: AgentProblem | None = None
        if public is not None:
            try:
                return agent_key(public)
            except AgentProblem as exc:
                why = exc
        if not sys.stdin.isatty():
            raise self._no_terminal(public, why)
        secret = getpass.getpass(f"Passphrase for {self.path}: ").encode("utf-8")
        return LocalKey(_load_private(self._data, self.path, secret), f"the key {self.path}")

    def _through_agent(self) -> SigningKey:
        from smcheck.trust.agent import NoAgent, NotInAgent, agent_key

        public = self.public()
        name = self.path.name
        private = self.path.with_name(name.removesuffix(".pub")) if name.endswith(".pub") else None
        add = (
            f"ssh-add {shell_word(private)}"
            if private
            else "ssh-add KEY, with its private key file"
        )
        try:
            return agent_key(public)
        except NoAgent:
            give = f" ({private})" if private else ""
            raise KeyProblem(
                f"{self.path} is a public key: signing with it needs ssh-agent, and none is running"
                " (SSH_AUTH_SOCK is not set)",
                hint=f'start ssh-agent (eval "$(ssh-agent -s)") and add the key ({add});'
                f" or give the private key file{give}",
            ) from None
        except NotInAgent:
            raise KeyProblem(
                f"ssh-agent does not hold the key {self.path} ({public.fingerprint()})",
                hint=f"add it: {add} (ssh-add -l lists the keys the agent holds)",
            ) from None

    def _no_terminal(self, public: PublicKey | None, why: Exception | None) -> KeyProblem:
        from smcheck.trust.agent import NoAgent, NotInAgent

        beside = _pub_path(self.path)
        message = (
            f"{self.path} is protected by a passphrase, and there is no terminal to ask for it"
        )
        then = f"then sign with --key {shell_word(beside)}"
        if public is None:
            return KeyProblem(
                message,
                hint=f"put its public key beside it ({beside}), add the key to ssh-agent"
                f" (ssh-add {shell_word(self.path)}), {then}; or run the command in a terminal",
            )
        if isinstance(why, NoAgent):
            message += " (and no ssh-agent is running: SSH_AUTH_SOCK is not set)"
            start = 'start ssh-agent (eval "$(ssh-agent -s)"), add the key'
        elif isinstance(why, NotInAgent):
            message += "; ssh-agent does not hold it"
            start = "add it to ssh-agent"
        else:
            message += f"; ssh-agent could not be used: {why}"
            start = "add the key to a running ssh-agent"
        if not (beside.exists() or beside.is_symlink()):
            then = "then run this again"
        return KeyProblem(
            message,
            hint=f"{start} (ssh-add {shell_word(self.path)}), {then}; or run the command in a"
            " terminal",
        )


def key_ref(flag: Path | None) -> KeyRef:
    """The signing key from ``--key``/``--sign-with``, else the config file's ``[signing] key``, else
    the one ``smcheck keygen`` made (:func:`default_key_path`) when there is one; read but not
    unlocked."""
    from smcheck.config import default_key_path, signing_key_path
    from smcheck.errors import UsageError

    path = signing_key_path(flag)
    if path is None:
        raise UsageError(
            "no signing key given",
            hint=f"pass --key PATH, or make your key with smcheck keygen (it is then found at"
            f" {shell_word(str(default_key_path()))}), or name one in the config file's [signing] key",
        )
    return KeyRef(path, read_key_file(path))


def open_key(flag: Path | None) -> SigningKey:
    """The signing key from ``--key``/``--sign-with``, else the config file's ``[signing] key``.

    A private key, or a public key whose private half ssh-agent holds (see :meth:`KeyRef.unlock`). A key
    protected by a passphrase is signed with through the agent when it holds the key, else unlocked by
    asking for the passphrase at a terminal; without a terminal the error says how to use the agent.
    With a user certificate beside it (``KEY-cert.pub``) that is valid now, a :class:`CertifiedKey`:
    what it signs carries the certificate.
    """
    import datetime as dt

    ref = key_ref(flag)
    key = ref.unlock()
    found = ref.certificate()
    if found is None:
        return key
    cert, path = found
    # Without a trust file at hand, a certificate is used when it could vouch now: a user certificate
    # within its validity (sign and approve decide with the trust file instead).
    now = dt.datetime.now(dt.UTC)
    if not cert.user or (cert.valid_after is not None and now < cert.valid_after):
        return key
    if cert.valid_before is not None and now >= cert.valid_before:
        return key
    return CertifiedKey(key, cert, path)

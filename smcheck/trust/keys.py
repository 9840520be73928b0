"""Private keys: load an OpenSSH Ed25519 key, make a new pair. All cryptography is pyca's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from smcheck.errors import CannotOpen, OutputExists, SmcheckError
from smcheck.fsutil import atomic_write, read_regular
from smcheck.trust.wire import KEY_HINT, KeyProblem, PublicKey

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
        """The 64-byte Ed25519 signature of ``message``."""


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
    data = read_key_file(path)
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
            hint="expected an OpenSSH private key; " + KEY_HINT,
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
        return read_regular(path, MAX_KEY_FILE_BYTES, "key file")
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


def open_key(flag: Path | None) -> SigningKey:
    """The signing key from ``--key``/``--sign-with``, else the config file's ``[signing] key``.

    A key protected by a passphrase is unlocked by asking for it at a terminal; without a terminal the
    error says so, and how to sign without typing it.
    """
    import getpass
    import sys

    from smcheck.config import load_config
    from smcheck.errors import UsageError

    path = flag or load_config().key
    if path is None:
        raise UsageError(
            "no signing key given",
            hint="pass --key PATH (smcheck keygen makes one), or name it in the config file's"
            " [signing] key",
        )
    try:
        return LocalKey(load_private_key(path), f"the key {path}")
    except KeyProblem as exc:
        if "passphrase" not in exc.message:
            raise
        if not sys.stdin.isatty():
            raise KeyProblem(
                f"{path} is protected by a passphrase, and there is no terminal to ask for it",
                hint="run the command in a terminal, or add the key to ssh-agent (ssh-add KEY)",
            ) from None
    secret = getpass.getpass(f"Passphrase for {path}: ").encode("utf-8")
    return LocalKey(load_private_key(path, secret), f"the key {path}")

"""Signing with a key that ``ssh-agent`` holds, over its UNIX socket (draft-miller-ssh-agent).

Two requests are all smcheck makes, each on a connection of its own::

    SSH_AGENTC_REQUEST_IDENTITIES (11)            -> SSH_AGENT_IDENTITIES_ANSWER (12)
        uint32 nkeys, then nkeys times: string key blob, string comment
    SSH_AGENTC_SIGN_REQUEST (13)                  -> SSH_AGENT_SIGN_RESPONSE (14)
        string key blob, string data, uint32 flags (0 for Ed25519)
        the answer: string signature (string "ssh-ed25519" || string 64 bytes; a security key's
        adds byte flags || uint32 counter under its own type name)

and either may be answered with SSH_AGENT_FAILURE (5). Every message is ``uint32 length || byte type ||
contents``. This module does no cryptography at all: the agent signs, and
:func:`smcheck.trust.signing.sign` checks what it returns with pyca ``cryptography`` before anything
is written. What the agent says is read as untrusted input: every length is bounded before anything is
read, every request has a deadline, and anything unexpected is a :class:`AgentProblem` in plain words.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
import time
from pathlib import Path

from smcheck.text import quoted
from smcheck.trust.wire import KeyProblem, PublicKey, Reader, is_small_order, show_name, string

SOCKET_ENV = "SSH_AUTH_SOCK"
"""The environment variable naming ssh-agent's socket, as every OpenSSH tool reads it."""

SSH_AGENT_FAILURE = 5
SSH_AGENTC_REQUEST_IDENTITIES = 11
SSH_AGENT_IDENTITIES_ANSWER = 12
SSH_AGENTC_SIGN_REQUEST = 13
SSH_AGENT_SIGN_RESPONSE = 14
_FAILURES = frozenset({SSH_AGENT_FAILURE, 30, 102})
"""SSH_AGENT_FAILURE, and the two older failure codes OpenSSH's client also takes as one
(SSH2_AGENT_FAILURE 30, SSH_COM_AGENT2_FAILURE 102)."""

MAX_MESSAGE_BYTES = 256 * 1024
"""The longest answer read from an agent (OpenSSH's own limit on an agent message, AGENT_MAX_LEN)."""
MAX_IDENTITIES = 2048
"""The most keys an agent's list may hold (OpenSSH's MAX_AGENT_IDENTITIES)."""

TIMEOUT = 10.0
"""Seconds to wait for ssh-agent to list its keys (connecting, sending and reading, all together)."""
SIGN_TIMEOUT = 60.0
"""Seconds to wait for a signature: longer, as a key added with ``ssh-add -c`` waits for the user to
confirm the request."""

_START_HINT = 'start one (eval "$(ssh-agent -s)") and add your key to it (ssh-add KEY)'
_NOT_AN_AGENT = f"check that {SOCKET_ENV} names the socket of a running ssh-agent"


class AgentProblem(KeyProblem):
    """ssh-agent cannot be reached, does not hold the key, refuses, or answers with something else."""


class NoAgent(AgentProblem):
    """No agent is configured: ``SSH_AUTH_SOCK`` is not set."""


class NotInAgent(AgentProblem):
    """The agent answered, but does not hold the key asked for."""


class _Damaged(AgentProblem):
    """An answer that is not what ssh-agent sends (raised by :class:`Reader` with its message)."""

    def __init__(self, message: str, *, hint: str | None = _NOT_AN_AGENT) -> None:
        super().__init__(message, hint=hint)


def socket_path() -> str:
    """The agent's socket from ``$SSH_AUTH_SOCK``, or :class:`NoAgent`."""
    path = os.environ.get(SOCKET_ENV, "")
    if not path:
        raise NoAgent(f"no ssh-agent is running here ({SOCKET_ENV} is not set)", hint=_START_HINT)
    return path


def _recv_exact(sock: socket.socket, count: int, deadline: float, path: str) -> bytes:
    """Exactly ``count`` bytes (already bounded by the caller) before ``deadline``."""
    data = bytearray()
    while len(data) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(min(count - len(data), 65536))
        if not chunk:
            raise AgentProblem(
                f"ssh-agent at {quoted(path)} closed the connection before it answered",
                hint=_NOT_AN_AGENT,
            )
        data += chunk
    return bytes(data)


def _connect(path: str, timeout: float) -> socket.socket:
    shown = quoted(path)
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        raise AgentProblem(
            f"{SOCKET_ENV} names {shown}, which does not exist: the ssh-agent it named has stopped",
            hint=_START_HINT,
        ) from None
    except OSError as exc:
        raise AgentProblem(
            f"cannot reach ssh-agent at {shown}: {exc.strerror}", hint=_NOT_AN_AGENT
        ) from None
    if not stat.S_ISSOCK(mode):
        if stat.S_ISREG(mode):
            kind = "a regular file"
        elif stat.S_ISDIR(mode):
            kind = "a folder"
        elif stat.S_ISFIFO(mode):
            kind = "a named pipe (FIFO)"
        else:
            kind = "a device"
        raise AgentProblem(
            f"{SOCKET_ENV} names {shown}, which is {kind}, not ssh-agent's socket",
            hint=_NOT_AN_AGENT,
        )
    family = getattr(socket, "AF_UNIX", None)
    if family is None:  # pragma: no cover - Windows' agent is a named pipe, not a UNIX socket
        raise AgentProblem("smcheck cannot talk to ssh-agent on this system (no UNIX sockets)")
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
    except ConnectionRefusedError:
        sock.close()
        raise AgentProblem(
            f"ssh-agent at {shown} refused the connection: it is no longer running",
            hint=_START_HINT,
        ) from None
    except PermissionError:
        sock.close()
        raise AgentProblem(
            f"cannot connect to ssh-agent at {shown}: permission denied",
            hint="the agent's socket belongs to another user; " + _START_HINT,
        ) from None
    except TimeoutError:
        sock.close()
        raise _timed_out(path, timeout) from None
    except OSError as exc:
        sock.close()
        raise AgentProblem(
            f"cannot connect to ssh-agent at {shown}: {exc.strerror or exc}", hint=_NOT_AN_AGENT
        ) from None
    return sock


def _timed_out(path: str, timeout: float) -> AgentProblem:
    return AgentProblem(
        f"ssh-agent at {quoted(path)} did not answer within {timeout:g} seconds",
        hint="if the key was added with ssh-add -c, confirm the request when asked; else "
        + _NOT_AN_AGENT,
    )


def request(path: str, message: bytes, timeout: float) -> tuple[int, bytes]:
    """Send one message (type byte and contents) and return the answer's type and contents."""
    deadline = time.monotonic() + timeout
    sock = _connect(path, timeout)
    try:
        try:
            sock.sendall(struct.pack(">I", len(message)) + message)
            (length,) = struct.unpack(">I", _recv_exact(sock, 4, deadline, path))
            if length == 0:
                raise _Damaged("ssh-agent's answer is empty")
            if length > MAX_MESSAGE_BYTES:
                raise _Damaged(
                    f"ssh-agent's answer says it is {length} bytes long; smcheck reads at most"
                    f" {MAX_MESSAGE_BYTES}, far more than any agent sends"
                )
            body = _recv_exact(sock, length, deadline, path)
        except TimeoutError:
            raise _timed_out(path, timeout) from None
        except OSError as exc:
            raise AgentProblem(
                f"lost the connection to ssh-agent at {quoted(path)}: {exc.strerror or exc}",
                hint=_NOT_AN_AGENT,
            ) from None
    finally:
        sock.close()
    return body[0], body[1:]


def _unexpected(kind: int, wanted: str) -> AgentProblem:
    return _Damaged(f"ssh-agent answered with message type {kind}, not {wanted}")


def list_keys(path: str) -> tuple[bytes, ...]:
    """The key blobs the agent at ``path`` holds (their comments are not kept: nothing shows them)."""
    kind, body = request(path, bytes([SSH_AGENTC_REQUEST_IDENTITIES]), TIMEOUT)
    if kind in _FAILURES:
        raise AgentProblem(
            "ssh-agent refused to list its keys", hint="is the agent locked? (ssh-add -X)"
        )
    if kind != SSH_AGENT_IDENTITIES_ANSWER:
        raise _unexpected(kind, f"a list of keys ({SSH_AGENT_IDENTITIES_ANSWER})")
    reader = Reader(body, _Damaged, "ssh-agent's list of keys is damaged")
    count = reader.uint32("number of keys")
    if count > MAX_IDENTITIES:
        reader.fail(f"it says it holds {count} keys; an agent holds at most {MAX_IDENTITIES}")
    blobs = []
    for _ in range(count):
        blobs.append(reader.string("key"))
        reader.string("key's comment")
    reader.end("the last key")
    return tuple(blobs)


def sign_with(path: str, public: PublicKey, data: bytes) -> bytes:
    """The raw 64-byte Ed25519 signature the agent at ``path`` makes of ``data`` with ``public``; for a
    security key (``sk-ssh-ed25519@openssh.com``, which the agent signs with through the
    authenticator), the 64 bytes followed by the flags byte and the 4-byte counter (PROTOCOL.u2f).

    The signature is not checked here: :func:`smcheck.trust.signing.sign` verifies it with the key.
    """
    message = (
        bytes([SSH_AGENTC_SIGN_REQUEST])
        + string(public.wire())
        + string(data)
        + struct.pack(">I", 0)
    )
    kind, body = request(path, message, SIGN_TIMEOUT)
    if kind in _FAILURES:
        raise AgentProblem(
            f"ssh-agent refused to sign with the key {public.fingerprint()}",
            hint="if the key was added with ssh-add -c, confirm the request when asked;"
            " ssh-add -l lists the keys the agent holds",
        )
    if kind != SSH_AGENT_SIGN_RESPONSE:
        raise _unexpected(kind, f"a signature ({SSH_AGENT_SIGN_RESPONSE})")
    outer = Reader(body, _Damaged, "ssh-agent's signature is damaged")
    blob = outer.string("signature")
    outer.end("the signature")
    reader = Reader(blob, _Damaged, "ssh-agent's signature is damaged")
    sig_type = reader.string("signature type")
    if sig_type != public.key_type.encode():
        reader.fail(f"it is of type {show_name(sig_type)}, not {public.key_type}")
    raw = reader.string("signature")
    if len(raw) != 64:
        reader.fail(f"an Ed25519 signature is 64 bytes, this one is {len(raw)}")
    if public.application is not None:
        raw += reader.take(1, "flags") + reader.take(4, "counter")
    reader.end("the signature value")
    return raw


class AgentKey:
    """A key that ssh-agent holds: a :class:`~smcheck.trust.keys.SigningKey` whose private half never
    enters this process."""

    def __init__(self, public: PublicKey, path: str) -> None:
        self._public = public
        self._path = path

    @property
    def public(self) -> PublicKey:
        return self._public

    @property
    def where(self) -> str:
        return "ssh-agent"

    def sign_raw(self, message: bytes) -> bytes:
        return sign_with(self._path, self._public, message)


def agent_key(public: PublicKey) -> AgentKey:
    """The agent named by ``$SSH_AUTH_SOCK``, as a signer for ``public``, once it has said it holds it.

    Raises :class:`NoAgent` (no agent configured), :class:`NotInAgent` (the agent does not hold the
    key) or another :class:`AgentProblem` (unreachable, refusing, or not an agent at all).
    """
    if is_small_order(public.raw):
        raise KeyProblem(
            "the key is a small-order (identity-point) Ed25519 key, which can appear to sign"
            " anything: smcheck does not sign with it"
        )
    path = socket_path()
    if public.wire() not in list_keys(path):
        raise NotInAgent(
            f"ssh-agent does not hold the key {public.fingerprint()}",
            hint="add it with ssh-add KEY (ssh-add -l lists the keys the agent holds)",
        )
    return AgentKey(public, path)


__all__ = [
    "MAX_IDENTITIES",
    "MAX_MESSAGE_BYTES",
    "SIGN_TIMEOUT",
    "SOCKET_ENV",
    "TIMEOUT",
    "AgentKey",
    "AgentProblem",
    "NoAgent",
    "NotInAgent",
    "agent_key",
    "list_keys",
    "request",
    "sign_with",
    "socket_path",
]

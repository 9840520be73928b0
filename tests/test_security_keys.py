"""Security keys (``sk-ssh-ed25519@openssh.com``, a FIDO authenticator such as a YubiKey), issue 20
point 4: signatures made by a software authenticator in this file, per OpenSSH's PROTOCOL.u2f, checked by
smcheck and by stock ``ssh-keygen -Y verify`` on the same trust file, signature and message.

The one deliberate difference: smcheck requires the user-presence flag (someone touched the key), and
OpenSSH 9.2's ``ssh-keygen -Y verify`` does not check it (nor does its ``allowed_signers`` know
``no-touch-required``: it refuses the line).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, runner

from smcheck.cli import app
from smcheck.layout import read_layout
from smcheck.trust.allowed import Trust, decide_trust, load_allowed_signers
from smcheck.trust.policy import NAMESPACE_RECORD
from smcheck.trust.sshsig import SignatureError, armour, parse_signature, signed_message, verify
from smcheck.trust.wire import SK_KEY_TYPE, PublicKey

SSH_KEYGEN = shutil.which("ssh-keygen")
pytestmark = pytest.mark.skipif(
    SSH_KEYGEN is None,
    reason="stock OpenSSH ssh-keygen is needed as the oracle (apt-get install openssh-client)",
)

MESSAGE = b"the exact bytes of a record\n"
ALICE = "alice@essex.ac.uk"
REVIEWER = "dmo@essex.ac.uk"


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class Authenticator:
    """A software FIDO authenticator holding one Ed25519 key, signing as PROTOCOL.u2f says."""

    def __init__(self, seed: int, application: str = "ssh:") -> None:
        self.private = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public = PublicKey(raw, application)

    def line(self) -> str:
        """The key as an OpenSSH public key line (``ssh-keygen -t ed25519-sk`` writes this)."""
        return self.public.openssh()

    def sign(
        self,
        data: bytes,
        namespace: str = NAMESPACE_RECORD,
        *,
        flags: int = 0x01,
        counter: int = 7,
        claimed_flags: int | None = None,
        claimed_counter: int | None = None,
    ) -> str:
        """An armoured SSHSIG as ``ssh-keygen -Y sign`` makes with a security key; ``claimed_*`` write
        other values into the signature than the authenticator signed (a tamperer's edit)."""
        assert self.public.application is not None
        message = signed_message(namespace, data)
        signed = (
            hashlib.sha256(self.public.application.encode()).digest()
            + bytes([flags])
            + struct.pack(">I", counter)
            + hashlib.sha256(message).digest()
        )
        value = self.private.sign(signed)
        shown_flags = flags if claimed_flags is None else claimed_flags
        shown_counter = counter if claimed_counter is None else claimed_counter
        field = (
            ssh_string(SK_KEY_TYPE.encode())
            + ssh_string(value)
            + bytes([shown_flags])
            + struct.pack(">I", shown_counter)
        )
        blob = (
            b"SSHSIG"
            + struct.pack(">I", 1)
            + ssh_string(self.public.wire())
            + ssh_string(namespace.encode())
            + ssh_string(b"")
            + ssh_string(b"sha512")
            + ssh_string(field)
        )
        return armour(base64.b64encode(blob).decode())


class Verdicts(NamedTuple):
    ours: bool
    why: str
    theirs: bool


def judge(tmp: Path, allowed: str, signature: str, principal: str = ALICE) -> Verdicts:
    trust_path = tmp / "allowed_signers"
    trust_path.write_text(allowed)
    sig_path = tmp / "message.sig"
    sig_path.write_text(signature)
    try:
        sig = parse_signature(signature)
        verify(sig, MESSAGE, NAMESPACE_RECORD)
        decision = decide_trust(
            sig.public_key,
            trust=load_allowed_signers(trust_path),
            revoked=frozenset(),
            principal=principal,
            namespace=NAMESPACE_RECORD,
            at=dt.datetime.now(dt.UTC),
        )
        ours, why = decision.status is Trust.TRUSTED, decision.message
    except SignatureError as exc:
        ours, why = False, exc.message
    assert SSH_KEYGEN is not None
    args = ["-Y", "verify", "-f", str(trust_path), "-I", principal, "-n", NAMESPACE_RECORD]
    done = subprocess.run(
        [SSH_KEYGEN, *args, "-s", str(sig_path)],
        input=MESSAGE,
        capture_output=True,
        check=False,
        env={**os.environ, "TZ": "UTC"},
        timeout=30,
    )
    return Verdicts(ours, why, done.returncode == 0)


KEY = Authenticator(1)
OTHER = Authenticator(2)


@pytest.mark.parametrize(
    ("case", "signature", "accepted"),
    [
        ("touched", KEY.sign(MESSAGE), True),
        ("touched and verified", KEY.sign(MESSAGE, flags=0x05), True),
        ("another counter", KEY.sign(MESSAGE, counter=2**32 - 1), True),
        ("flags changed after signing", KEY.sign(MESSAGE, flags=0x00, claimed_flags=0x01), False),
        ("counter changed after signing", KEY.sign(MESSAGE, claimed_counter=8), False),
        ("another key", OTHER.sign(MESSAGE), False),
        ("other bytes", KEY.sign(MESSAGE + b"x"), False),
        ("another namespace", KEY.sign(MESSAGE, "git"), False),
    ],
)
def test_security_key_signatures_agree_with_ssh_keygen(
    tmp_path: Path, case: str, signature: str, accepted: bool
) -> None:
    verdict = judge(tmp_path, f"{ALICE} {KEY.line()}\n", signature)
    assert verdict.ours == verdict.theirs == accepted, (case, verdict)


def test_the_trust_line_decides_as_for_any_key(tmp_path: Path) -> None:
    """The principal, the key type and the application are the key's identity: the same Ed25519 point
    as a plain key, or under another application, is another key."""
    signature = KEY.sign(MESSAGE)
    plain = PublicKey(KEY.public.raw).openssh()
    other_app = PublicKey(KEY.public.raw, "ssh:other").openssh()
    for allowed, principal, accepted in [
        (f"{ALICE} {KEY.line()}\n", "bob@essex.ac.uk", False),
        (f"*@essex.ac.uk {KEY.line()}\n", ALICE, True),
        (f'{ALICE} namespaces="git" {KEY.line()}\n', ALICE, False),
        (f"{ALICE} {plain}\n", ALICE, False),
        (f"{ALICE} {other_app}\n", ALICE, False),
    ]:
        verdict = judge(tmp_path, allowed, signature, principal)
        assert verdict.ours == verdict.theirs == accepted, (allowed, principal, verdict)


def test_a_signature_without_user_presence_is_refused(tmp_path: Path) -> None:
    """Stricter than OpenSSH 9.2 on purpose: a signature nobody touched the key for shows that the
    key signed, not that a person did (malware on the machine can ask the key for one)."""
    verdict = judge(tmp_path, f"{ALICE} {KEY.line()}\n", KEY.sign(MESSAGE, flags=0x04))
    assert not verdict.ours
    assert verdict.why == (
        "the security key signed without anyone touching it (its user-presence flag is not"
        " set), so it does not show that a person signed"
    )
    # ssh-keygen -Y verify (OpenSSH 9.2) does not look at the flag: the difference is deliberate.


def test_a_trust_file_holds_security_keys(tmp_path: Path) -> None:
    path = tmp_path / "allowed_signers"
    path.write_text(f'{ALICE} namespaces="smcheck-record" {KEY.line()} yubikey\n')
    trust = load_allowed_signers(path)
    (line,) = trust.signers
    assert line.public_key == KEY.public and line.public_key.application == "ssh:"
    assert trust.notes == ()
    assert line.public_key.fingerprint() == (
        "SHA256:"
        + base64.b64encode(hashlib.sha256(KEY.public.wire()).digest()).decode().rstrip("=")
    )


@pytest.fixture
def desk(tmp_path: Path) -> object:
    yield from open_desk(tmp_path)


def test_a_security_key_signature_is_attached_and_verifies(desk: Desk) -> None:
    """The proposer signs with ssh-keygen -Y sign and a security key (here the software one), attaches
    it with smcheck sign --signature, and verify trusts it through the key's line."""
    desk.trust.write_text(f'{PROPOSER_EMAIL} namespaces="smcheck-record" {KEY.line()}\n')
    record = desk.new(key=None)
    signed_bytes = runner.invoke(app, ["show", str(record), "--signed-bytes"]).stdout_bytes
    sig = desk.root / "record.sig"
    sig.write_text(KEY.sign(signed_bytes))
    result = runner.invoke(
        app,
        ["sign", str(record), "--signature", str(sig), "--allowed-signers", str(desk.trust)],
    )
    assert result.exit_code == 0, result.output
    assert f"key {KEY.public.fingerprint()}" in result.output
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out
    other = desk.new(key=None, output="other.smcheck.toml")
    other_bytes = runner.invoke(app, ["show", str(other), "--signed-bytes"]).stdout_bytes
    untouched = desk.root / "untouched.sig"
    untouched.write_text(KEY.sign(other_bytes, flags=0))
    result = runner.invoke(
        app,
        ["sign", str(other), "--signature", str(untouched), "--allowed-signers", str(desk.trust)],
    )
    assert result.exit_code == 1, result.output
    assert "user-presence flag is not set" in " ".join(result.output.split())


def openssh_private_file(public_blob: bytes) -> str:
    """An OpenSSH private key file's text whose header holds ``public_blob`` (what ``ssh-keygen -t
    ed25519-sk`` writes: the private half is only a handle on the authenticator)."""
    blob = (
        b"openssh-key-v1\x00"
        + ssh_string(b"none")
        + ssh_string(b"none")
        + ssh_string(b"")
        + struct.pack(">I", 1)
        + ssh_string(public_blob)
        + ssh_string(bytes(8))
    )
    text = base64.b64encode(blob).decode()
    body = "\n".join(text[i : i + 70] for i in range(0, len(text), 70))
    return f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n"


def test_a_security_key_without_ssh_agent_is_refused_with_how_to_sign(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """smcheck signs with a security key only through ssh-agent: without one, the key's private key
    file (a handle on the authenticator) is refused with how to add it, or to sign with ssh-keygen
    and attach the signature; its .pub says that signing with it needs ssh-agent."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    key = desk.root / "keys" / "id_ed25519_sk"
    key.write_text(openssh_private_file(KEY.public.wire()))
    key.with_name(key.name + ".pub").write_text(KEY.line() + " yubikey\n")
    record = desk.new(key=None)
    result = runner.invoke(app, ["sign", str(record), "--key", str(key)])
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    assert flat.startswith(
        f"smcheck: error: {key} is a security key (sk-ssh-ed25519): smcheck signs with it only"
        " through ssh-agent (no ssh-agent is running here (SSH_AUTH_SOCK is not set))"
    ), flat
    assert (
        f"hint: add it to ssh-agent (ssh-add {key}) and touch it when it blinks; or make the"
        " signature with ssh-keygen: smcheck show RECORD --signed-bytes > record.bytes; ssh-keygen"
        " -Y sign -n smcheck-record -f id_ed25519_sk record.bytes; then attach it: smcheck sign"
        " --signature record.bytes.sig RECORD"
    ) in flat
    result = runner.invoke(app, ["sign", str(record), "--key", f"{key}.pub"])
    assert result.exit_code == 1, result.output
    assert f"{key}.pub is a public key: signing with it needs ssh-agent" in " ".join(
        result.output.split()
    )


class FakeAgent:
    """ssh-agent holding the software authenticator's key, signing as an agent does with a security
    key (a UNIX socket server in a thread, started and stopped by the test)."""

    def __init__(self, path: Path, key: Authenticator, flags: int) -> None:
        self.key, self.flags, self.counter = key, flags, 40
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(4)
        self.server.settimeout(0.05)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _answer(self, kind: int, body: bytes) -> bytes:
        if kind == 11:  # the keys it holds
            return (
                bytes([12])
                + struct.pack(">I", 1)
                + ssh_string(self.key.public.wire())
                + ssh_string(b"sk")
            )
        key_length = struct.unpack(">I", body[:4])[0]
        data_length = struct.unpack(">I", body[4 + key_length : 8 + key_length])[0]
        data = body[8 + key_length : 8 + key_length + data_length]
        assert self.key.public.application is not None
        self.counter += 1
        signed = (
            hashlib.sha256(self.key.public.application.encode()).digest()
            + bytes([self.flags])
            + struct.pack(">I", self.counter)
            + hashlib.sha256(data).digest()
        )
        value = (
            ssh_string(SK_KEY_TYPE.encode())
            + ssh_string(self.key.private.sign(signed))
            + bytes([self.flags])
            + struct.pack(">I", self.counter)
        )
        return bytes([14]) + ssh_string(value)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                head = conn.recv(4)
                (length,) = struct.unpack(">I", head)
                body = b""
                while len(body) < length:
                    body += conn.recv(length - len(body))
                reply = self._answer(body[0], body[1:])
                conn.sendall(struct.pack(">I", len(reply)) + reply)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.server.close()


@pytest.fixture
def sk_agent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], FakeAgent]]:
    folder = Path(tempfile.mkdtemp(prefix="smsk", dir="/tmp" if Path("/tmp").is_dir() else None))
    started: list[FakeAgent] = []

    def start(flags: int) -> FakeAgent:
        path = folder / f"agent{len(started)}.sock"
        started.append(FakeAgent(path, KEY, flags))
        monkeypatch.setenv("SSH_AUTH_SOCK", str(path))
        return started[-1]

    yield start
    for agent in started:
        agent.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("form", ["private", "public"])
def test_signing_and_approving_with_a_security_key_through_ssh_agent(
    desk: Desk, sk_agent: Callable[[int], FakeAgent], form: str
) -> None:
    """ssh-agent signs with the security key (touched): sign --key and approve --key work with the
    key's file or its .pub, and ssh-keygen -Y verify accepts what was made."""
    sk_agent(0x01)
    key = desk.root / "keys" / "id_ed25519_sk"
    key.write_text(openssh_private_file(KEY.public.wire()))
    key.with_name(key.name + ".pub").write_text(KEY.line() + " yubikey\n")
    given = key if form == "private" else key.with_name(key.name + ".pub")
    desk.keys["sk"] = given
    desk.trust.write_text(
        desk.trust.read_text().replace(f"{REVIEWER} ", "nobody@essex.ac.uk ")
        + f'{REVIEWER} namespaces="smcheck-approval" {KEY.line()}\n'
    )
    record = desk.new()
    code, out = desk.approve(record, "sk")
    assert code == 0, out
    code, out = desk.verify(record)
    assert code == 0, out
    _, seals = read_layout(record.read_bytes())
    (seal,) = [s for s in seals if s.role == "reviewer"]
    assert seal.sshsig is not None and seal.statement is not None
    (desk.root / "approval.sig").write_text(armour(seal.sshsig))
    assert SSH_KEYGEN is not None
    args = ["-Y", "verify", "-f", str(desk.trust), "-I", REVIEWER, "-n", "smcheck-approval"]
    done = subprocess.run(
        [SSH_KEYGEN, *args, "-s", str(desk.root / "approval.sig")],
        input=seal.statement.encode(),
        capture_output=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr


def test_an_untouched_security_key_signature_from_the_agent_is_not_written(
    desk: Desk, sk_agent: Callable[[int], FakeAgent]
) -> None:
    sk_agent(0x00)
    key = desk.root / "keys" / "id_ed25519_sk.pub"
    key.write_text(KEY.line() + " yubikey\n")
    desk.trust.write_text(f'{PROPOSER_EMAIL} namespaces="smcheck-record" {KEY.line()}\n')
    record = desk.new(key=None)
    before = record.read_bytes()
    result = runner.invoke(
        app, ["sign", str(record), "--key", str(key), "--allowed-signers", str(desk.trust)]
    )
    assert result.exit_code == 1, result.output
    assert (
        "smcheck: error: the security key signed without anyone touching it (its user-presence"
        " flag is not set), so the signature would not count"
    ) in " ".join(result.output.split())
    assert record.read_bytes() == before


def test_trust_add_adds_a_security_keys_line(desk: Desk) -> None:
    """A newcomer who signed with a security key is added with that key, type and all; the record
    then verifies, and adding again finds the line."""
    record = desk.new(key=None)
    signed_bytes = runner.invoke(app, ["show", str(record), "--signed-bytes"]).stdout_bytes
    sig = desk.root / "record.sig"
    sig.write_text(KEY.sign(signed_bytes))
    result = runner.invoke(app, ["sign", str(record), "--signature", str(sig)])
    assert result.exit_code == 0, result.output
    add = ["trust", "add", "--yes", "--allowed-signers", str(desk.trust), str(record)]
    result = runner.invoke(app, add)
    assert result.exit_code == 0, result.output
    assert f'{PROPOSER_EMAIL} namespaces="smcheck-record" {KEY.line()}' in desk.trust.read_text()
    assert desk.verify(record, "--require", "signed")[0] == 0
    result = runner.invoke(app, add)
    assert result.exit_code == 0, result.output
    assert "already trusts this key" in " ".join(result.output.split())

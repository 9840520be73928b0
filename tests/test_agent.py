"""Signing through ssh-agent (smcheck.trust.agent): a real ``ssh-agent`` per module, keys added with
``ssh-add``, records signed with ``--key KEY.pub`` (or a protected ``--key KEY`` the agent holds) that
``verify`` and stock ``ssh-keygen -Y verify`` accept; and fake agents (a socket server in a thread) that
answer with garbage, a wrong signature, a huge length or nothing at all, each a clean error.

SSH_AUTH_SOCK is removed for every test: a developer's own agent never takes part.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, row, runner

from smcheck.cli import app
from smcheck.layout import MARKER
from smcheck.trust import agent as agent_module
from smcheck.trust.agent import AgentKey, AgentProblem, agent_key, list_keys, sign_with
from smcheck.trust.keys import (
    LocalKey,
    generate_key_pair,
    key_ref,
    load_private_key,
    open_key,
)
from smcheck.trust.policy import NAMESPACE_RECORD
from smcheck.trust.signing import sign
from smcheck.trust.sshsig import SignatureError, signed_message
from smcheck.trust.wire import KeyProblem, PublicKey, string

SSH_AGENT = shutil.which("ssh-agent")
SSH_ADD = shutil.which("ssh-add")
SSH_KEYGEN = shutil.which("ssh-keygen")
needs_agent = pytest.mark.skipif(
    None in (SSH_AGENT, SSH_ADD, SSH_KEYGEN),
    reason="OpenSSH's ssh-agent, ssh-add and ssh-keygen are needed (apt-get install openssh-client)",
)
needs_unix_sockets = pytest.mark.skipif(
    not hasattr(socket, "AF_UNIX"), reason="ssh-agent talks over a UNIX socket"
)
PASSPHRASE = "correct horse battery staple"


# --- a real ssh-agent, one per module --------------------------------------------------------------


def short_folder(prefix: str) -> Path:
    """A new folder with a short path: a UNIX socket's path must fit in about 100 bytes, and pytest's
    tmp_path often does not."""
    base = "/tmp" if Path("/tmp").is_dir() else None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


class Agent:
    """A running ``ssh-agent`` (started by this module, stopped at its end) and ``ssh-add`` for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "agent.sock"
        self.askpass = folder / "askpass"
        self.askpass.write_text('#!/bin/sh\nprintf "%s\\n" "$SMCHECK_TEST_PASSPHRASE"\n')
        self.askpass.chmod(0o700)

    def add(self, key: Path, passphrase: str = "") -> None:
        """``ssh-add KEY``, the passphrase (if any) given through SSH_ASKPASS, never a terminal."""
        assert SSH_ADD is not None
        env = {
            **os.environ,
            "SSH_AUTH_SOCK": str(self.socket),
            "SSH_ASKPASS": str(self.askpass),
            "SSH_ASKPASS_REQUIRE": "force",
            "DISPLAY": "",
            "SMCHECK_TEST_PASSPHRASE": passphrase,
        }
        done = subprocess.run(
            [SSH_ADD, str(key)],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()


@pytest.fixture(scope="module")
def ssh_agent() -> Iterator[Agent]:
    assert SSH_AGENT is not None
    agent = Agent(short_folder("smag"))
    process = subprocess.Popen(
        [SSH_AGENT, "-D", "-a", str(agent.socket)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not agent.socket.exists():
            assert process.poll() is None, "ssh-agent exited at start"
            assert time.monotonic() < deadline, "ssh-agent did not make its socket"
            time.sleep(0.02)
        yield agent
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(agent.folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_agent_of_our_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture
def agent(ssh_agent: Agent, monkeypatch: pytest.MonkeyPatch) -> Agent:
    """The module's agent, named by SSH_AUTH_SOCK for this test."""
    monkeypatch.setenv("SSH_AUTH_SOCK", str(ssh_agent.socket))
    return ssh_agent


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def sign_cli(record: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["sign", str(record), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def pub(path: Path) -> Path:
    return path.with_name(path.name + ".pub")


def ssh_keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert SSH_KEYGEN is not None
    return subprocess.run(
        [SSH_KEYGEN, *args], input=stdin, capture_output=True, timeout=30, check=False
    )


def protected_key(desk: Desk, name: str = "locked") -> Path:
    """A passphrase-protected key (smcheck keygen's own function), trusted as the proposer."""
    path = desk.root / "keys" / name
    generate_key_pair(path, passphrase=PASSPHRASE.encode(), comment=name)
    desk.keys[name] = path
    desk.trust_line(PROPOSER_EMAIL, name, f'namespaces="{NAMESPACE_RECORD}"')
    return path


def smcheck_script() -> str:
    beside = Path(sys.executable).with_name("smcheck")
    found = str(beside) if beside.is_file() else shutil.which("smcheck")
    if found is None:
        pytest.skip("the smcheck console script is not installed (pip install -e .)")
    return found


def run_script(cwd: Path, *args: str, auth_sock: Path | None) -> subprocess.CompletedProcess[str]:
    """The installed smcheck, with no terminal (stdin /dev/null) and SSH_AUTH_SOCK as given."""
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    env.update(NO_COLOR="1", COLUMNS="200")
    if auth_sock is not None:
        env["SSH_AUTH_SOCK"] = str(auth_sock)
    return subprocess.run(
        [smcheck_script(), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- signing through the real agent -----------------------------------------------------------------


@needs_agent
def test_a_pub_key_signs_through_the_agent_and_both_verifiers_accept_it(
    desk: Desk, agent: Agent
) -> None:
    agent.add(desk.keys["proposer"])
    record = desk.new(key=None)
    code, out = sign_cli(record, "--key", str(pub(desk.keys["proposer"])))
    assert code == 0, out
    assert "Signed" in out

    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out
    assert "PASS" in row(out, "signature") and f"signed by {PROPOSER_EMAIL}" in row(
        out, "signature"
    )

    content = runner.invoke(app, ["show", str(record), "--signed-bytes"]).stdout_bytes
    sig = desk.root / "record.sig"
    sig.write_bytes(
        runner.invoke(app, ["show", str(record), "--signature", "proposer"]).stdout_bytes
    )
    done = ssh_keygen(
        "-Y", "verify", "-f", str(desk.trust), "-I", PROPOSER_EMAIL, "-n", NAMESPACE_RECORD,
        "-s", str(sig), stdin=content,
    )  # fmt: skip
    said = (done.stdout + done.stderr).decode()
    assert done.returncode == 0, said
    assert "Good" in said and PROPOSER_EMAIL in said

    # Ed25519 is deterministic: the agent signed exactly what the private key itself would have.
    local = sign(load_private_key(desk.keys["proposer"]), content, NAMESPACE_RECORD)
    assert sig.read_text() == local


@needs_agent
def test_a_protected_key_the_agent_holds_signs_without_a_prompt(desk: Desk, agent: Agent) -> None:
    key = protected_key(desk)
    agent.add(key, PASSPHRASE)
    for given in (pub(key), key):  # the .pub, and the private key itself (as ssh-keygen does)
        record = desk.new(key=None, output=f"{given.name}.smcheck.toml")
        # The test runner has no terminal: a passphrase prompt would have been an error instead.
        code, out = sign_cli(record, "--key", str(given))
        assert code == 0, out
        code, out = desk.verify(record, "--require", "signed")
        assert code == 0, out


@needs_agent
def test_a_protected_key_without_a_pub_is_found_by_its_header(desk: Desk, agent: Agent) -> None:
    """An OpenSSH private key carries its public key unencrypted: no .pub is needed beside it."""
    key = protected_key(desk)
    agent.add(key, PASSPHRASE)
    pub(key).unlink()
    signer = open_key(key)
    assert isinstance(signer, AgentKey) and signer.where == "ssh-agent"
    record = desk.new(key=None)
    code, out = sign_cli(record, "--key", str(key))
    assert code == 0, out


@needs_agent
def test_an_ssh_keygen_key_with_a_passphrase_signs_through_the_agent(
    desk: Desk, agent: Agent
) -> None:
    key = desk.root / "keys" / "id_ed25519"
    made = ssh_keygen("-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "hm", "-f", str(key))
    assert made.returncode == 0, made.stderr
    desk.keys["ssh"] = key
    desk.trust_line(PROPOSER_EMAIL, "id_ed25519", f'namespaces="{NAMESPACE_RECORD}"')
    agent.add(key, PASSPHRASE)
    record = desk.new(key=None)
    code, out = sign_cli(record, "--key", str(key), "--allowed-signers", str(desk.trust))
    assert code == 0, out
    assert f"trusted for {PROPOSER_EMAIL}" in out
    assert desk.verify(record, "--require", "signed")[0] == 0


@needs_agent
def test_new_sign_with_and_approve_take_a_pub_key_too(desk: Desk, agent: Agent) -> None:
    agent.add(desk.keys["proposer"])
    agent.add(desk.keys["reviewer"])
    record = desk.new("--sign-with", str(pub(desk.keys["proposer"])), key=None)
    result = runner.invoke(
        app,
        [
            "approve", str(record), "--key", str(pub(desk.keys["reviewer"])),
            "--allowed-signers", str(desk.trust),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    code, out = desk.verify(record)
    assert code == 0, out
    assert "PASS" in row(out, "approval")


@needs_agent
def test_the_config_files_key_may_be_a_pub(
    desk: Desk, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent.add(desk.keys["proposer"])
    unsigned = desk.new(key=None, output="unsigned.smcheck.toml")
    config = desk.root / "config.toml"
    config.write_text(f'[signing]\nkey = "{pub(desk.keys["proposer"])}"\n')
    monkeypatch.setenv("SMCHECK_CONFIG", str(config))
    code, out = sign_cli(unsigned)
    assert code == 0, out
    signed = desk.new(key=None)  # new signs with the config's key too
    for record in (unsigned, signed):
        assert desk.verify(record, "--require", "signed")[0] == 0


@needs_agent
def test_the_agent_protocol_itself(desk: Desk, agent: Agent) -> None:
    private = load_private_key(desk.keys["proposer"])
    public = LocalKey(private).public
    assert public.wire() not in list_keys(str(agent.socket))
    agent.add(desk.keys["proposer"])
    assert public.wire() in list_keys(str(agent.socket))
    message = signed_message(NAMESPACE_RECORD, b"data")
    assert sign_with(str(agent.socket), public, message) == private.sign(message)
    assert agent_key(public).sign_raw(message) == private.sign(message)


# --- what fails, each with its reason ---------------------------------------------------------------


@needs_agent
def test_a_protected_key_without_agent_or_terminal_points_at_the_agent(desk: Desk) -> None:
    key = protected_key(desk)
    record = desk.new(key=None)
    before = record.read_bytes()
    done = run_script(desk.root, "sign", str(record), "--key", str(key), auth_sock=None)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    error, hint = done.stderr.splitlines()
    assert error == (
        f"smcheck: error: {key} is protected by a passphrase, and there is no terminal to ask for"
        " it (and no ssh-agent is running: SSH_AUTH_SOCK is not set)"
    )
    assert hint == (
        f'  hint: start ssh-agent (eval "$(ssh-agent -s)"), add the key (ssh-add {key}), then'
        f" sign with --key {key}.pub; or run the command in a terminal"
    )
    assert record.read_bytes() == before


@needs_agent
def test_a_protected_key_the_agent_does_not_hold(desk: Desk, ssh_agent: Agent) -> None:
    key = protected_key(desk, "not-added")
    record = desk.new(key=None)
    before = record.read_bytes()
    done = run_script(desk.root, "sign", str(record), "--key", str(key), auth_sock=ssh_agent.socket)
    assert done.returncode == 1, done.stderr
    error, hint = done.stderr.splitlines()
    assert error.endswith("there is no terminal to ask for it; ssh-agent does not hold it")
    assert f"add it to ssh-agent (ssh-add {key}), then sign with --key {key}.pub" in hint
    assert record.read_bytes() == before


@needs_agent
def test_a_protected_key_in_the_agent_signs_from_the_installed_script(
    desk: Desk, ssh_agent: Agent
) -> None:
    key = protected_key(desk, "script")
    ssh_agent.add(key, PASSPHRASE)
    record = desk.new(key=None)
    done = run_script(desk.root, "sign", str(record), "--key", str(key), auth_sock=ssh_agent.socket)
    assert done.returncode == 0, done.stderr
    assert "Passphrase" not in done.stdout + done.stderr


@needs_agent
@pytest.mark.pty
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_in_a_terminal_a_key_the_agent_holds_asks_for_nothing(desk: Desk, ssh_agent: Agent) -> None:
    import pexpect
    from helpers.terminal import start_terminal

    key = protected_key(desk, "terminal")
    ssh_agent.add(key, PASSPHRASE)
    record = desk.new(key=None)
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    env.update(SSH_AUTH_SOCK=str(ssh_agent.socket), NO_COLOR="1", TERM="xterm")
    term = start_terminal(["sign", str(record), "--key", str(key)], env=env, cwd=desk.root)
    assert term.expect_any(["Signed", "Passphrase"]) == 0, term.transcript
    term.child.expect_exact(pexpect.EOF)
    term.child.close()
    assert "Passphrase" not in term.transcript
    assert term.child.exitstatus == 0


def test_a_pub_key_without_an_agent(desk: Desk) -> None:
    record = desk.new(key=None)
    before = record.read_bytes()
    code, out = sign_cli(record, "--key", str(pub(desk.keys["proposer"])))
    assert code == 1
    private = desk.keys["proposer"]
    assert (
        f"{private}.pub is a public key: signing with it needs ssh-agent, and none is running"
        " (SSH_AUTH_SOCK is not set)"
    ) in out
    assert f"(ssh-add {private}); or give the private key file ({private})" in out
    assert record.read_bytes() == before


@needs_agent
def test_a_pub_key_the_agent_does_not_hold(desk: Desk, agent: Agent) -> None:
    record = desk.new(key=None)
    before = record.read_bytes()
    code, out = sign_cli(record, "--key", str(pub(desk.keys["attacker"])))
    assert code == 1
    fingerprint = LocalKey(load_private_key(desk.keys["attacker"])).public.fingerprint()
    assert f"ssh-agent does not hold the key {pub(desk.keys['attacker'])} ({fingerprint})" in out
    assert f"add it: ssh-add {desk.keys['attacker']}" in out
    assert record.read_bytes() == before


def test_a_pub_of_another_key_type_is_refused_by_name(desk: Desk) -> None:
    rsa_pub = desk.root / "id_rsa.pub"
    line = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    rsa_pub.write_bytes(line + b" jo@example.ac.uk\n")
    record = desk.new(key=None)
    code, out = sign_cli(record, "--key", str(rsa_pub))
    assert code == 1
    assert (
        f"{rsa_pub}: RSA keys (ssh-rsa) are not supported: smcheck signs with Ed25519 keys only"
        in out
    )


def test_a_pub_beside_a_protected_key_that_names_another_key_is_refused(desk: Desk) -> None:
    key = protected_key(desk)
    shutil.copyfile(pub(desk.keys["attacker"]), pub(key))
    with pytest.raises(
        KeyProblem, match=r"locked\.pub does not match .*locked: it holds another key"
    ):
        open_key(key)


@needs_unix_sockets
def test_ssh_auth_sock_naming_nothing_a_file_or_a_dead_socket(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = short_folder("smdead")
    try:
        dead = folder / "dead.sock"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(dead))
        server.close()  # bound, never listening: connecting is refused
        plain = desk.root / "plain-file"
        plain.write_text("not a socket\n")
        record = desk.new(key=None)
        before = record.read_bytes()
        cases = {
            folder / "nothing": "which does not exist: the ssh-agent it named has stopped",
            plain: "which is a regular file, not ssh-agent's socket",
            folder: "which is a folder, not ssh-agent's socket",
            dead: "refused the connection: it is no longer running",
        }
        for path, message in cases.items():
            monkeypatch.setenv("SSH_AUTH_SOCK", str(path))
            code, out = sign_cli(record, "--key", str(pub(desk.keys["proposer"])))
            assert code == 1, out
            assert message in out, out
            assert record.read_bytes() == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- fake agents --------------------------------------------------------------------------------------

Answer = Callable[[int, bytes], bytes | None]
"""What a fake agent sends back for one request (type, contents); None: it never answers."""


def frame(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 1 + len(payload)) + bytes([kind]) + payload


def listing(*blobs: bytes) -> bytes:
    return frame(
        12, struct.pack(">I", len(blobs)) + b"".join(string(b) + string(b"c") for b in blobs)
    )


def signature_answer(sig_type: bytes, raw: bytes) -> bytes:
    return frame(14, string(string(sig_type) + string(raw)))


class FakeAgent:
    """A UNIX socket server in a thread, answering each request with ``answer``; it keeps what it was
    asked."""

    def __init__(self, path: Path, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[tuple[int, bytes]] = []
        self.stop = threading.Event()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(4)
        self.server.settimeout(0.05)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = conn.recv(count - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

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
                try:
                    (length,) = struct.unpack(">I", self._read(conn, 4))
                    body = self._read(conn, length)
                    self.requests.append((body[0], body[1:]))
                    reply = self.answer(body[0], body[1:])
                    if reply is None:
                        self.stop.wait(30)  # never answers
                    else:
                        conn.sendall(reply)
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.server.close()


@pytest.fixture
def fake_agent(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[Answer], FakeAgent]]:
    folder = short_folder("smfake")
    started: list[FakeAgent] = []
    monkeypatch.setattr(agent_module, "TIMEOUT", 0.5)
    monkeypatch.setattr(agent_module, "SIGN_TIMEOUT", 0.5)

    def start(answer: Answer) -> FakeAgent:
        path = folder / f"fake{len(started)}.sock"
        started.append(FakeAgent(path, answer))
        monkeypatch.setenv("SSH_AUTH_SOCK", str(path))
        return started[-1]

    yield start
    for fake in started:
        fake.close()
    shutil.rmtree(folder, ignore_errors=True)


def scripted(on_list: bytes | None, on_sign: bytes | None = None) -> Answer:
    def answer(kind: int, _body: bytes) -> bytes | None:
        return on_list if kind == 11 else on_sign

    return answer


def public_of(desk: Desk, name: str) -> PublicKey:
    return LocalKey(load_private_key(desk.keys[name])).public


@needs_unix_sockets
def test_an_honest_fake_agent_is_asked_exactly_what_the_protocol_says(
    desk: Desk, fake_agent: Callable[[Answer], FakeAgent]
) -> None:
    private = load_private_key(desk.keys["proposer"])
    public = public_of(desk, "proposer")

    def answer(kind: int, body: bytes) -> bytes:
        if kind == 11:
            return listing(b"\x00\x00\x00\x07ssh-rsa", public.wire())  # another key listed first
        key_blob_len = struct.unpack(">I", body[:4])[0]
        data = body[8 + key_blob_len : -4]
        return signature_answer(b"ssh-ed25519", private.sign(data))

    fake = fake_agent(answer)
    record = desk.new(key=None)
    code, out = sign_cli(record, "--key", str(pub(desk.keys["proposer"])))
    assert code == 0, out
    assert [kind for kind, _ in fake.requests] == [11, 13]
    assert fake.requests[0][1] == b""
    content = record.read_bytes().split(MARKER)[0]
    assert fake.requests[1][1] == (
        string(public.wire())
        + string(signed_message(NAMESPACE_RECORD, content))
        + struct.pack(">I", 0)  # flags: none, for Ed25519
    )
    assert desk.verify(record, "--require", "signed")[0] == 0


BROKEN_AGENTS: dict[str, tuple[bytes | None, str]] = {
    "garbage": (b"\x00\x00\x00\x05hello", "answered with message type 104, not a list of keys (12)"),
    "huge length": (b"\xff\xff\xff\xff", "says it is 4294967295 bytes long; smcheck reads at most 262144"),
    "empty answer": (b"\x00\x00\x00\x00", "ssh-agent's answer is empty"),
    "silent": (None, "did not answer within 0.5 seconds"),
    "hangs up": (b"", "closed the connection before it answered"),
    "half an answer": (b"\x00\x00\x00\x10\x0c", "closed the connection before it answered"),
    "list cut short": (frame(12, struct.pack(">I", 3)), "list of keys is damaged: it is cut short in the key"),
    "too many keys": (frame(12, struct.pack(">I", 100000)), "it says it holds 100000 keys"),
    "trailing bytes": (frame(12, struct.pack(">I", 0) + b"x"), "1 unexpected byte after the last key"),
    "refuses to list": (frame(5), "ssh-agent refused to list its keys"),
    "holds nothing": (listing(), "ssh-agent does not hold the key"),
}  # fmt: skip


@needs_unix_sockets
@pytest.mark.parametrize("case", sorted(BROKEN_AGENTS))
def test_a_broken_agent_is_a_clean_error_when_listing_keys(
    desk: Desk, fake_agent: Callable[[Answer], FakeAgent], case: str
) -> None:
    on_list, message = BROKEN_AGENTS[case]
    fake_agent(scripted(on_list))
    record = desk.new(key=None)
    before = record.read_bytes()
    started = time.monotonic()
    code, out = sign_cli(record, "--key", str(pub(desk.keys["proposer"])))
    assert time.monotonic() - started < 5
    assert code == 1, out
    assert message in out, out
    assert out.count("smcheck: error:") == 1
    assert record.read_bytes() == before


SIGNING_FAILURES: dict[str, tuple[Callable[[PublicKey], bytes | None], str]] = {
    "wrong signature": (
        lambda _: signature_answer(b"ssh-ed25519", bytes(64)),
        "ssh-agent returned a signature that does not verify with its own key",
    ),
    "refuses to sign": (lambda _: frame(5), "ssh-agent refused to sign with the key SHA256:"),
    "old failure code": (lambda _: frame(30), "ssh-agent refused to sign with the key SHA256:"),
    "rsa signature": (
        lambda _: signature_answer(b"rsa-sha2-512", b"x" * 256),
        "ssh-agent's signature is damaged: it is of type rsa-sha2-512, not ssh-ed25519",
    ),
    "short signature": (
        lambda _: signature_answer(b"ssh-ed25519", bytes(63)),
        "an Ed25519 signature is 64 bytes, this one is 63",
    ),
    "signature with trailing bytes": (
        lambda _: frame(14, string(string(b"ssh-ed25519") + string(bytes(64))) + b"!"),
        "1 unexpected byte after the signature",
    ),
    "a list instead": (lambda key: listing(key.wire()), "message type 12, not a signature (14)"),
    "huge length": (lambda _: b"\x80\x00\x00\x00", "says it is 2147483648 bytes long"),
    "silent": (lambda _: None, "did not answer within 0.5 seconds"),
}


@needs_unix_sockets
@pytest.mark.parametrize("case", sorted(SIGNING_FAILURES))
def test_a_broken_agent_is_a_clean_error_when_signing(
    desk: Desk, fake_agent: Callable[[Answer], FakeAgent], case: str
) -> None:
    public = public_of(desk, "proposer")
    make, message = SIGNING_FAILURES[case]
    fake_agent(scripted(listing(public.wire()), make(public)))
    record = desk.new(key=None)
    before = record.read_bytes()
    code, out = sign_cli(record, "--key", str(pub(desk.keys["proposer"])))
    assert code == 1, out
    assert message in out, out
    assert out.count("smcheck: error:") == 1
    assert record.read_bytes() == before


@needs_unix_sockets
def test_a_protected_key_falls_back_to_the_passphrase_error_when_the_agent_is_broken(
    desk: Desk, fake_agent: Callable[[Answer], FakeAgent]
) -> None:
    key = protected_key(desk)
    fake_agent(scripted(b"\xff\xff\xff\xff"))
    with pytest.raises(KeyProblem) as caught:
        open_key(key)
    assert caught.value.message.startswith(
        f"{key} is protected by a passphrase, and there is no terminal to ask for it;"
        " ssh-agent could not be used: ssh-agent's answer says it is 4294967295 bytes long"
    )


def test_an_identity_point_key_is_never_signed_with() -> None:
    with pytest.raises(KeyProblem, match="small-order"):
        agent_key(PublicKey(b"\x01" + bytes(31)))


def test_the_signer_checks_what_the_agent_returns() -> None:
    """signing.sign verifies every signature a signer returns, so a lying agent is caught there."""

    class Liar:
        public = LocalKey(Ed25519PrivateKey.from_private_bytes(bytes(range(32)))).public
        where = "ssh-agent"

        def sign_raw(self, message: bytes) -> bytes:
            return bytes(64)

    with pytest.raises(SignatureError, match="ssh-agent returned a signature that does not verify"):
        sign(Liar(), b"data", NAMESPACE_RECORD)


def test_no_ssh_auth_sock_is_a_no_agent_error() -> None:
    with pytest.raises(
        AgentProblem, match=r"no ssh-agent is running here \(SSH_AUTH_SOCK is not set\)"
    ):
        agent_module.socket_path()


def test_keyref_says_which_key_without_unlocking(desk: Desk) -> None:
    key = protected_key(desk)
    expected = LocalKey(load_private_key(key, PASSPHRASE.encode())).public
    assert key_ref(key).public() == expected
    pub(key).unlink()
    assert key_ref(key).public() == expected  # from the private key's unencrypted header
    assert key_ref(pub(desk.keys["proposer"])).is_public


def test_the_header_of_a_private_key_is_read_strictly(desk: Desk) -> None:
    from smcheck.trust.keys import embedded_public_key

    key = protected_key(desk)
    data = key.read_bytes()
    expected = LocalKey(load_private_key(key, PASSPHRASE.encode())).public
    assert embedded_public_key(data, key) == expected
    assert embedded_public_key(b"-----BEGIN PRIVATE KEY-----\n", key) is None  # PEM: no header
    lines = data.strip().split(b"\n")
    with pytest.raises(KeyProblem, match="does not end with the line"):
        embedded_public_key(b"\n".join(lines[:-1]), key)
    with pytest.raises(KeyProblem, match="is damaged: it is cut short"):
        embedded_public_key(b"\n".join([lines[0], lines[1][:20], lines[-1]]), key)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_path = desk.root / "id_rsa"
    rsa_path.write_bytes(
        rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(b"pw"),
        )
    )
    with pytest.raises(KeyProblem, match=r"RSA keys \(ssh-rsa\) are not supported"):
        key_ref(rsa_path).public()

"""``smcheck sign RECORD --signature FILE``: a signature made with stock ``ssh-keygen -Y sign`` over
``smcheck show RECORD --signed-bytes``, attached once it is checked; and every signature that must not
be attached, refused with its reason and the record left unchanged byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, row, runner

from smcheck.cli import app
from smcheck.layout import MARKER
from smcheck.trust.policy import NAMESPACE_RECORD

SSH_KEYGEN = shutil.which("ssh-keygen")
pytestmark = pytest.mark.skipif(
    SSH_KEYGEN is None,
    reason="stock OpenSSH ssh-keygen is not installed (apt-get install openssh-client)",
)
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture(autouse=True)
def no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


def ssh_keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert SSH_KEYGEN is not None
    return subprocess.run(
        [SSH_KEYGEN, *args], input=stdin, capture_output=True, timeout=30, check=False
    )


def signed_bytes(record: Path) -> bytes:
    result = runner.invoke(app, ["show", str(record), "--signed-bytes"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def keygen_sign(
    desk: Desk,
    key: Path,
    data: bytes,
    *,
    namespace: str = NAMESPACE_RECORD,
    name: str = "record.bytes",
    extra: tuple[str, ...] = (),
) -> Path:
    """``ssh-keygen -Y sign -n NAMESPACE -f KEY`` over ``data``; the .sig file it writes."""
    path = desk.root / name
    path.write_bytes(data)
    done = ssh_keygen("-Y", "sign", "-n", namespace, "-f", str(key), *extra, str(path))
    assert done.returncode == 0, done.stderr.decode()
    return path.with_name(path.name + ".sig")


def attach(record: Path, signature: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["sign", str(record), "--signature", str(signature), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# --- attaching ------------------------------------------------------------------------------------


def test_an_ssh_keygen_signature_attaches_and_verifies(desk: Desk) -> None:
    record = desk.new(key=None)
    before = record.read_bytes()
    content = signed_bytes(record)
    sig = keygen_sign(desk, desk.keys["proposer"], content)
    code, out = attach(record, sig, "--allowed-signers", str(desk.trust))
    assert code == 0, out
    assert f"Attached the signature to {record}" in out and f"trusted for {PROPOSER_EMAIL}" in out

    after = record.read_bytes()
    assert after.startswith(before) and after.split(MARKER)[0] == content
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out
    assert "PASS" in row(out, "signature") and f"signed by {PROPOSER_EMAIL}" in row(
        out, "signature"
    )

    # What is attached is exactly what smcheck sign --key writes (Ed25519 is deterministic).
    twin = desk.root / "twin.smcheck.toml"
    twin.write_bytes(before)
    result = runner.invoke(app, ["sign", str(twin), "--key", str(desk.keys["proposer"])])
    assert result.exit_code == 0, result.output
    assert twin.read_bytes() == after

    # And ssh-keygen accepts it back out of the record.
    shown = runner.invoke(app, ["show", str(record), "--signature", "proposer"]).stdout_bytes
    assert shown == sig.read_bytes()
    done = ssh_keygen(
        "-Y", "verify", "-f", str(desk.trust), "-I", PROPOSER_EMAIL, "-n", NAMESPACE_RECORD,
        "-s", str(sig), stdin=signed_bytes(record),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()


def test_an_ssh_keygen_key_with_a_passphrase(desk: Desk) -> None:
    key = desk.root / "keys" / "id_ed25519"
    made = ssh_keygen("-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "hm", "-f", str(key))
    assert made.returncode == 0, made.stderr
    desk.trust_line(PROPOSER_EMAIL, "id_ed25519", f'namespaces="{NAMESPACE_RECORD}"')
    record = desk.new(key=None)
    path = desk.root / "record.bytes"
    path.write_bytes(signed_bytes(record))
    askpass = desk.root / "askpass"
    askpass.write_text(f'#!/bin/sh\necho "{PASSPHRASE}"\n')
    askpass.chmod(0o700)
    env = {**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"}
    assert SSH_KEYGEN is not None
    done = subprocess.run(
        [SSH_KEYGEN, "-Y", "sign", "-n", NAMESPACE_RECORD, "-f", str(key), str(path)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    code, out = attach(record, desk.root / "record.bytes.sig", "--allowed-signers", str(desk.trust))
    assert code == 0, out
    assert desk.verify(record, "--require", "signed")[0] == 0


def test_without_a_trust_file_it_attaches_but_says_it_was_not_checked(desk: Desk) -> None:
    record = desk.new(key=None)
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record))
    code, out = attach(record, sig)
    assert code == 0, out
    assert "not checked against a trust file" in out
    assert desk.verify(record, "--require", "signed")[0] == 0


def test_the_trust_file_from_the_environment_is_used(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = desk.new(key=None)
    before = record.read_bytes()
    sig = keygen_sign(desk, desk.keys["attacker"], signed_bytes(record))
    monkeypatch.setenv("SMCHECK_ALLOWED_SIGNERS", str(desk.trust))
    code, out = attach(record, sig)
    assert code == 1
    assert f"may not sign the record as its proposer ({PROPOSER_EMAIL})" in out
    assert record.read_bytes() == before


# --- refusals: each with its reason, the record unchanged --------------------------------------------


def refused(desk: Desk, record: Path, sig: Path, message: str, *extra: str, code: int = 1) -> str:
    before = record.read_bytes()
    got, out = attach(record, sig, "--allowed-signers", str(desk.trust), *extra)
    assert got == code, out
    assert message in out, out
    assert out.count("smcheck: error:") == 1
    assert record.read_bytes() == before
    return out


def test_a_signature_in_another_namespace(desk: Desk) -> None:
    record = desk.new(key=None)
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record), namespace="file")
    refused(
        desk,
        record,
        sig,
        "the signature was made for namespace 'file', not 'smcheck-record'; it was not attached",
    )


def test_a_signature_over_other_bytes(desk: Desk) -> None:
    record = desk.new(key=None, output="a.smcheck.toml")
    other = desk.new(key=None, output="b.smcheck.toml")
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(other))  # another record's content
    refused(desk, record, sig, "the signature does not match these bytes; it was not attached")
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record) + b"\n", name="more")
    refused(desk, record, sig, "the signature does not match these bytes")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cut", "does not end with the line -----END SSH SIGNATURE-----"),
        ("garbage", "does not start with the line -----BEGIN SSH SIGNATURE-----"),
        ("binary", "is not an SSH signature (it is not text)"),
        ("empty", "does not start with the line -----BEGIN SSH SIGNATURE-----"),
        ("crlf", "the signature has carriage returns (CRLF line endings)"),
        ("bad base64", "line 3 of the signature is not base64"),
        ("huge", "is larger than 4096 bytes; an SSH signature is far shorter"),
    ],
)
def test_a_damaged_signature_file(desk: Desk, text: str, message: str) -> None:
    record = desk.new(key=None)
    good = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record)).read_bytes()
    lines = good.split(b"\n")
    damaged = {
        "cut": good[: len(good) // 2],
        "garbage": b"hello\n",
        "binary": b"\xff\xfe\x00\x01",
        "empty": b"",
        "crlf": good.replace(b"\n", b"\r\n"),
        "bad base64": b"\n".join([*lines[:2], b"!!!!", *lines[3:]]),
        "huge": good + b"#" * 5000,
    }[text]
    sig = desk.root / "damaged.sig"
    sig.write_bytes(damaged)
    refused(desk, record, sig, message)


def test_a_signature_made_with_an_rsa_key(desk: Desk) -> None:
    key = desk.root / "keys" / "id_rsa"
    made = ssh_keygen("-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(key))
    assert made.returncode == 0, made.stderr
    record = desk.new(key=None)
    sig = keygen_sign(desk, key, signed_bytes(record))
    refused(
        desk,
        record,
        sig,
        "the signature was made with a RSA key (ssh-rsa); smcheck accepts Ed25519 signatures only",
    )


def test_a_signature_with_sha256(desk: Desk) -> None:
    record = desk.new(key=None)
    sig = keygen_sign(
        desk, desk.keys["proposer"], signed_bytes(record), extra=("-O", "hashalg=sha256")
    )
    refused(desk, record, sig, "the signature uses sha256; smcheck requires sha512")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.timeout(10)
def test_a_fifo_given_as_the_signature_file_is_not_read(desk: Desk) -> None:
    record = desk.new(key=None)
    fifo = desk.root / "record.sig"
    os.mkfifo(fifo)
    refused(
        desk,
        record,
        fifo,
        f"{fifo}: is a named pipe (FIFO)",
        code=2,
    )


def test_a_missing_signature_file(desk: Desk) -> None:
    record = desk.new(key=None)
    refused(desk, record, desk.root / "nosuch.sig", "nosuch.sig: no such", code=2)


def test_a_record_already_signed(desk: Desk) -> None:
    record = desk.new()  # signed by the proposer as it was made
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record))
    refused(desk, record, sig, f"{record} is already signed", code=2)


def test_a_record_that_does_not_verify(desk: Desk) -> None:
    record = desk.new(key=None)
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record))
    record.write_bytes(record.read_bytes().replace(b"Priya Shah", b"Priya Shaw"))
    refused(desk, record, sig, "does not verify (integrity")


@pytest.mark.parametrize(
    ("signer", "lines", "message"),
    [
        ("attacker", None, "is not in"),
        # A trusted person's key, but under another email: threat model 5.
        ("reviewer", None, "may not sign the record as its proposer (h.marsh@essex.ac.uk)"),
        # The proposer's own key, trusted only to approve.
        ("proposer", 'namespaces="smcheck-approval"', "may not sign the record as its proposer"),
    ],
)
def test_a_key_not_trusted_for_the_signoff_email(
    desk: Desk, signer: str, lines: str | None, message: str
) -> None:
    if lines is not None:
        desk.lines = [line for line in desk.lines if not line.startswith(PROPOSER_EMAIL)]
        desk.trust_line(PROPOSER_EMAIL, signer, lines)
    record = desk.new(key=None)
    sig = keygen_sign(desk, desk.keys[signer], signed_bytes(record))
    out = refused(desk, record, sig, message)
    assert "it was not attached" in out
    suggested = f'{PROPOSER_EMAIL} namespaces="smcheck-record" ssh-ed25519 '
    if signer == "reviewer":
        # The key is the reviewer's: the hint never binds it to the proposer's email (issue 16, 7).
        flat = " ".join(out.split())
        assert suggested not in out
        assert "this key is trusted for 'dmo@essex.ac.uk', not for h.marsh@essex.ac.uk" in flat
        assert "h.marsh@essex.ac.uk signs it with their own key" in flat
    else:
        assert suggested in out  # the line it needs: the signer's own key, the sign-off email


def test_a_revoked_key(desk: Desk) -> None:
    record = desk.new(key=None)
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record))
    revoked = desk.root / "revoked_keys"
    revoked.write_text((desk.root / "keys" / "proposer.pub").read_text())
    refused(desk, record, sig, "has been revoked", "--revoked", str(revoked))


def test_key_and_signature_together_is_a_usage_error(desk: Desk) -> None:
    record = desk.new(key=None)
    sig = keygen_sign(desk, desk.keys["proposer"], signed_bytes(record))
    refused(
        desk,
        record,
        sig,
        "--key and --signature cannot be used together",
        "--key",
        str(desk.keys["proposer"]),
        code=2,
    )


def test_sign_with_a_key_is_held_to_the_trust_file_too_before_any_passphrase(
    desk: Desk,
) -> None:
    """With a trust file, sign --key refuses a key verify would refuse, and says so before it asks
    for the key's passphrase (the test has no terminal: asking would have been another error)."""
    from smcheck.trust.keys import generate_key_pair

    locked = desk.root / "keys" / "locked"
    generate_key_pair(locked, passphrase=PASSPHRASE.encode(), comment="locked")
    record = desk.new(key=None)
    before = record.read_bytes()
    result = runner.invoke(
        app, ["sign", str(record), "--key", str(locked), "--allowed-signers", str(desk.trust)]
    )
    assert result.exit_code == 1, result.output
    assert f"may not sign the record as its proposer ({PROPOSER_EMAIL})" in result.output
    assert "passphrase" not in result.output
    assert record.read_bytes() == before

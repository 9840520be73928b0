"""Signing and approval through the commands: interop with stock ``ssh-keygen`` at the record level
(the README's recipe, both ways), the threat model's remaining cases, each refused with its message,
where the trust file comes from, ``--json``, and random damage to a signed record's content.

Reuses the reviewer's desk of ``test_signatures`` (keys made by ``smcheck keygen``'s own function, a
trust file, records made with ``smcheck new --answers``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.desk import PROPOSER_EMAIL, Desk, row, runner
from helpers.records import EXAMPLE_ANSWERS, FIXED_NOW, make_record_bytes, reseal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smcheck import registry
from smcheck.approval import Approval, render_statement
from smcheck.cli import app
from smcheck.errors import SmcheckError
from smcheck.layout import MARKER, append_seal, read_layout
from smcheck.record import Seal
from smcheck.recordfile import rewrite_record
from smcheck.trust.allowed import AllowedSigner, TrustFile
from smcheck.trust.keys import load_private_key, public_key_of
from smcheck.trust.signing import seal_record, sign
from smcheck.trust.wire import parse_public_key
from smcheck.verify import Demands, Report, Verdict, verify_bytes

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ssh_keygen = pytest.mark.skipif(
    SSH_KEYGEN is None,
    reason="stock OpenSSH ssh-keygen is not installed; the interop tests need it "
    "(apt-get install openssh-client)",
)

REVIEWER_EMAIL = "dmo@essex.ac.uk"
ADVANCEMENT_EMAIL = "p.shah@essex.ac.uk"
ENTRY = re.compile(rb"\n(?=\[\[signature\]\]\n)")
"""Splits a record's trailing part into its ``[[signature]]`` entries."""


# --- the desk ------------------------------------------------------------------------------------


class MoreDesk(Desk):
    """The reviewer's desk, with a few more ways to call smcheck and to reach into a record."""

    def run(self, *args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        return result.exit_code, result.output

    def stdout_bytes(self, *args: str, code: int = 0) -> bytes:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout_bytes

    def public_line(self, name: str) -> str:
        """``ssh-ed25519 AAAA...`` of one of the desk's keys (without its comment)."""
        fields = (self.root / "keys" / f"{name}.pub").read_text().split()
        return f"{fields[0]} {fields[1]}"

    def fingerprint(self, name: str) -> str:
        return parse_public_key(self.public_line(name)).fingerprint()

    def trust_file(self, filename: str, lines: list[str]) -> Path:
        """Another trust file, beside the desk's own."""
        path = self.root / filename
        path.write_text("\n".join(lines) + "\n")
        return path

    def standard_lines(self) -> list[str]:
        return list(self.lines)

    def approved(self, *, output: str = "r.smcheck.toml") -> Path:
        """A signed record approved by the reviewer and co-signed by the Advancement Office."""
        record = self.new(output=output)
        code, out = self.approve(record, "reviewer")
        assert code == 0, out
        code, out = self.approve(record, "advancement", "--role", "advancement-office")
        assert code == 0, out
        return record


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[MoreDesk]:
    desk = MoreDesk(tmp_path)
    desk.key("proposer")
    desk.key("reviewer")
    desk.key("advancement")
    desk.key("attacker")
    desk.trust_line(PROPOSER_EMAIL, "proposer", 'namespaces="smcheck-record"')
    desk.trust_line(REVIEWER_EMAIL, "reviewer", 'namespaces="smcheck-approval"')
    desk.trust_line(
        ADVANCEMENT_EMAIL, "advancement", 'namespaces="smcheck-cosign-advancement-office"'
    )
    old = Path.cwd()
    os.chdir(tmp_path)
    yield desk
    os.chdir(old)


def entries(data: bytes) -> list[bytes]:
    """The trailing ``[[signature]]`` entries of a record, as written."""
    _, _, trailer = data.partition(MARKER)
    return [e for e in ENTRY.split(trailer) if e.strip()]


def without_entry(data: bytes, role: str) -> bytes:
    """The record with the entry of ``role`` removed (the content and the other entries untouched)."""
    content, _, trailer = data.partition(MARKER)
    kept = [e for e in ENTRY.split(trailer) if f'role = "{role}"\n'.encode() not in e]
    assert len(kept) == len(ENTRY.split(trailer)) - 1, f"no single {role} entry"
    return content + MARKER + b"\n".join(kept)


def proposer_entry(blob: str) -> bytes:
    """A proposer's trailing entry, written by hand as the README tells a user to."""
    return f'\n[[signature]]\nmethod = "sshsig"\nrole = "proposer"\nsshsig = "{blob}"\n'.encode()


def dearmoured(armoured: str) -> str:
    """The base64 between the armour lines, joined."""
    lines = armoured.strip().splitlines()
    assert (
        lines[0] == "-----BEGIN SSH SIGNATURE-----" and lines[-1] == "-----END SSH SIGNATURE-----"
    )
    return "".join(lines[1:-1])


def ssh_keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert SSH_KEYGEN is not None
    return subprocess.run(
        [SSH_KEYGEN, *args], input=stdin, capture_output=True, timeout=30, check=False
    )


# --- interop with stock ssh-keygen, at the record level -------------------------------------------


@needs_ssh_keygen
def test_a_record_smcheck_signs_verifies_with_ssh_keygen(desk: MoreDesk) -> None:
    record = desk.new()
    signed = desk.root / "bytes"
    signed.write_bytes(desk.stdout_bytes("show", str(record), "--signed-bytes"))
    sig = desk.root / "sig"
    sig.write_bytes(desk.stdout_bytes("show", str(record), "--signature", "proposer"))

    done = ssh_keygen(
        "-Y", "verify", "-f", str(desk.trust), "-I", PROPOSER_EMAIL, "-n", "smcheck-record",
        "-s", str(sig), stdin=signed.read_bytes(),
    )  # fmt: skip
    said = (done.stdout + done.stderr).decode()
    assert done.returncode == 0, said
    assert "Good" in said and PROPOSER_EMAIL in said
    assert desk.fingerprint("proposer") in said

    # The namespace is pinned on ssh-keygen's side too: the record signature is no approval.
    done = ssh_keygen(
        "-Y", "verify", "-f", str(desk.trust), "-I", PROPOSER_EMAIL, "-n", "smcheck-approval",
        "-s", str(sig), stdin=signed.read_bytes(),
    )  # fmt: skip
    assert done.returncode != 0


@needs_ssh_keygen
def test_approvals_smcheck_makes_verify_with_ssh_keygen(desk: MoreDesk) -> None:
    record = desk.approved()
    content = desk.stdout_bytes("show", str(record), "--signed-bytes")
    for role, email in (("reviewer", REVIEWER_EMAIL), ("advancement-office", ADVANCEMENT_EMAIL)):
        statement = desk.stdout_bytes("show", str(record), "--statement", role)
        sig = desk.root / f"{role}.sig"
        sig.write_bytes(desk.stdout_bytes("show", str(record), "--signature", role))
        namespace = "smcheck-approval" if role == "reviewer" else f"smcheck-cosign-{role}"
        done = ssh_keygen(
            "-Y", "verify", "-f", str(desk.trust), "-I", email, "-n", namespace,
            "-s", str(sig), stdin=statement,
        )  # fmt: skip
        said = (done.stdout + done.stderr).decode()
        assert done.returncode == 0, said
        assert "Good" in said and email in said
        # What ssh-keygen checked binds the decision to this record's exact content.
        approval = tomllib.loads(statement.decode())["approval"]
        assert approval["content_sha256"] == hashlib.sha256(content).hexdigest()
        assert approval["role"] == role and approval["approver"] == email
        assert approval["decision"] == "approved"


@needs_ssh_keygen
def test_a_signature_ssh_keygen_makes_over_the_content_verifies_in_smcheck(desk: MoreDesk) -> None:
    key = desk.root / "KEY"
    made = ssh_keygen("-q", "-t", "ed25519", "-N", "", "-C", "x", "-f", str(key))
    assert made.returncode == 0, made.stderr
    record = desk.new(key=None)
    signed = desk.root / "bytes"
    signed.write_bytes(desk.stdout_bytes("show", str(record), "--signed-bytes"))
    done = ssh_keygen("-Y", "sign", "-f", str(key), "-n", "smcheck-record", str(signed))
    assert done.returncode == 0, done.stderr
    blob = dearmoured((desk.root / "bytes.sig").read_text())
    record.write_bytes(record.read_bytes() + proposer_entry(blob))

    fields = (desk.root / "KEY.pub").read_text().split()
    trust = desk.trust_file(
        "ssh-keygen-trust",
        [
            f'{PROPOSER_EMAIL} namespaces="smcheck-record" {fields[0]} {fields[1]}',
            *desk.lines[1:],  # the reviewer and the Advancement Office
        ],
    )
    code, out = desk.run(
        "verify", "--allowed-signers", str(trust), "--require", "signed", str(record)
    )
    assert code == 0, out
    line = row(out, "signature")
    assert "PASS" in line and f"signed by {PROPOSER_EMAIL}" in line and "trusted" in line
    printed = ssh_keygen("-l", "-f", str(desk.root / "KEY.pub")).stdout.decode().split()[1]
    assert printed in line.replace(" ", "")  # the very fingerprint ssh-keygen -l prints

    # A reviewer using smcheck approves the record ssh-keygen signed.
    code, out = desk.run(
        "approve", str(record), "--key", str(desk.keys["reviewer"]), "--allowed-signers", str(trust)
    )
    assert code == 0, out
    code, out = desk.run("verify", "--allowed-signers", str(trust), str(record))
    assert code == 0, out
    assert "PASS" in row(out, "approval") and REVIEWER_EMAIL in row(out, "approval")


@needs_ssh_keygen
def test_an_approval_ssh_keygen_makes_verifies_in_smcheck(desk: MoreDesk) -> None:
    """A reviewer with no smcheck of their own: the statement (what smcheck would write for them),
    signed with stock ssh-keygen under the approval namespace."""
    record = desk.new()
    data = record.read_bytes()
    content, seals = read_layout(data)
    proposer = next(s for s in seals if s.role == "proposer")
    assert proposer.sshsig is not None
    record_id = tomllib.loads(content.decode())["record"]["id"]
    statement = render_statement(
        Approval(
            record_id=record_id,
            content_sha256=hashlib.sha256(content).hexdigest(),
            proposer_signature_sha256=hashlib.sha256(base64.b64decode(proposer.sshsig)).hexdigest(),
            role="reviewer",
            decision="approved",
            approver=REVIEWER_EMAIL,
            time=dt.datetime.now(dt.UTC).replace(microsecond=0),
            comment="signed with ssh-keygen",
        )
    )
    path = desk.root / "statement"
    path.write_text(statement)
    done = ssh_keygen(
        "-Y", "sign", "-f", str(desk.keys["reviewer"]), "-n", "smcheck-approval", str(path)
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    blob = dearmoured((desk.root / "statement.sig").read_text())
    record.write_bytes(
        append_seal(data, Seal("sshsig", role="reviewer", statement=statement, sshsig=blob))
    )
    code, out = desk.verify(record)
    assert code == 0, out
    line = row(out, "approval")
    assert "PASS" in line and REVIEWER_EMAIL in line and "signed with ssh-keygen" in line


# --- threat model 3: an approval removed when one is required -------------------------------------


def test_an_approval_removed_fails_when_approval_is_required(desk: MoreDesk) -> None:
    record = desk.approved()
    code, out = desk.verify(record, "--require", "approved")
    assert code == 0, out
    whole = record.read_bytes()

    record.write_bytes(without_entry(whole, "reviewer"))
    code, out = desk.verify(record, "--require", "approved")
    assert code == 1
    line = row(out, "approval")
    assert "FAIL" in line and "not approved yet, and --require approved asks for it" in line
    # Without --require it is a state, not a failure.
    code, out = desk.verify(record)
    assert code == 0 and "INFO" in row(out, "approval")

    record.write_bytes(without_entry(whole, "advancement-office"))
    code, out = desk.verify(record, "--require", "approved")
    assert code == 1
    line = row(out, "co-signatures")
    assert "FAIL" in line and "awaiting the Advancement Office's co-signature" in line
    assert "--require approved asks for it" in line

    # The proposer's signature removed: the approvals left bind nothing.
    record.write_bytes(without_entry(whole, "proposer"))
    code, out = desk.verify(record)
    assert code == 1
    assert "FAIL" in row(out, "approval") and "binds nothing" in row(out, "approval")
    assert "INFO" in row(out, "signature") and "UNSIGNED" in row(out, "signature")


# --- threat model 6: a signature made under another namespace -------------------------------------


@pytest.mark.parametrize("maker", ["smcheck", "ssh-keygen"])
def test_a_proposer_signature_made_under_another_namespace_is_refused(
    desk: MoreDesk, maker: str
) -> None:
    if maker == "ssh-keygen" and SSH_KEYGEN is None:
        pytest.skip("stock OpenSSH ssh-keygen is not installed (apt-get install openssh-client)")
    record = desk.new(key=None)
    content = desk.stdout_bytes("show", str(record), "--signed-bytes")
    if maker == "ssh-keygen":
        signed = desk.root / "bytes"
        signed.write_bytes(content)
        done = ssh_keygen("-Y", "sign", "-f", str(desk.keys["proposer"]), "-n", "file", str(signed))
        assert done.returncode == 0, done.stderr
        armoured = (desk.root / "bytes.sig").read_text()
    else:
        armoured = sign(load_private_key(desk.keys["proposer"]), content, "file")
    record.write_bytes(record.read_bytes() + proposer_entry(dearmoured(armoured)))

    code, out = desk.verify(record)
    assert code == 1
    line = row(out, "signature")
    assert "FAIL" in line and "does not verify" in line
    assert "namespace 'file', not 'smcheck-record'" in line
    assert "SKIP" in row(out, "answers")  # the content was not read


def test_an_approval_made_under_another_namespace_is_refused(desk: MoreDesk) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    data = record.read_bytes()
    _, seals = read_layout(data)
    review = next(s for s in seals if s.role == "reviewer")
    assert review.statement is not None and review.sshsig is not None
    other = sign(load_private_key(desk.keys["reviewer"]), review.statement.encode(), "file")
    record.write_bytes(data.replace(review.sshsig.encode(), dearmoured(other).encode()))
    code, out = desk.verify(record)
    assert code == 1
    line = row(out, "approval")
    assert "FAIL" in line and "namespace 'file', not 'smcheck-approval'" in line


# --- threat model 9: outside the validity window; revoked ------------------------------------------


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ('valid-before="20200101Z"', "expired at 2020-01-01 00:00:00 UTC"),
        ('valid-after="29990101Z"', "is not valid until 2999-01-01 00:00:00 UTC"),
        ('valid-after="20200101Z",valid-before="20210101Z"', "expired at 2021-01-01 00:00:00 UTC"),
    ],
)
def test_a_proposer_key_outside_its_validity_window_is_refused(
    desk: MoreDesk, option: str, message: str
) -> None:
    record = desk.new()
    lines = desk.standard_lines()
    lines[0] = (
        f'{PROPOSER_EMAIL} namespaces="smcheck-record",{option} {desk.public_line("proposer")}'
    )
    trust = desk.trust_file("windowed", lines)
    code, out = desk.run("verify", "--allowed-signers", str(trust), str(record))
    assert code == 1
    line = row(out, "signature")
    assert "FAIL" in line and message in line and desk.fingerprint("proposer") in line
    assert "line 1" in line
    # JSON on stdout alone: a line past its valid-before is noted on stderr when the file is loaded.
    (report,) = json.loads(
        desk.stdout_bytes("verify", "--allowed-signers", str(trust), "--json", str(record), code=1)
    )
    assert report["signatures"][0]["trust"] in ("expired", "not-yet-valid")


def test_a_reviewer_key_outside_its_validity_window_fails_the_approval(desk: MoreDesk) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    lines = desk.standard_lines()
    lines[1] = (
        f'{REVIEWER_EMAIL} namespaces="smcheck-approval",valid-before="20200101Z" '
        f"{desk.public_line('reviewer')}"
    )
    trust = desk.trust_file("windowed", lines)
    code, out = desk.run("verify", "--allowed-signers", str(trust), str(record))
    assert code == 1
    line = row(out, "approval")
    assert "FAIL" in line and "expired at 2020-01-01 00:00:00 UTC" in line
    assert "PASS" in row(out, "signature")


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(text)
    monkeypatch.setenv("SMCHECK_CONFIG", str(config))
    return config


def test_a_revoked_proposer_key_from_the_config_file_is_refused(
    desk: MoreDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = desk.new()
    revoked = desk.root / "revoked_keys"
    revoked.write_text(
        "# keys we no longer trust\n" + (desk.keys["proposer"].with_suffix(".pub")).read_text()
    )
    write_config(desk.root, monkeypatch, f'[verify]\nrevoked = "{revoked}"\n')
    code, out = desk.verify(record)
    assert code == 1
    line = row(out, "signature")
    assert "FAIL" in line and f"the key {desk.fingerprint('proposer')} has been revoked" in line
    code, out = desk.verify(record, "--json")
    (report,) = json.loads(out)
    assert report["signatures"][0]["trust"] == "revoked"
    assert report["signatures"][0]["principal"] is None


def test_a_revoked_reviewer_key_fails_the_approval(
    desk: MoreDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    revoked = desk.root / "revoked_keys"
    revoked.write_text(desk.keys["reviewer"].with_suffix(".pub").read_text())
    write_config(desk.root, monkeypatch, f'[verify]\nrevoked = "{revoked}"\n')
    code, out = desk.verify(record)
    assert code == 1
    line = row(out, "approval")
    assert "FAIL" in line and "has been revoked" in line
    assert "PASS" in row(out, "signature")


def test_a_revoked_key_is_refused_even_without_a_trust_file(
    desk: MoreDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BUG: the reviewer's revoked keys are ignored when no allowed_signers file is given.

    ``sigcheck.trust_of`` returns "no trust file" before ``decide_trust`` (which checks revocation
    first) is ever called, so a signature by a key the reviewer revoked is reported WARN "signature
    intact" and the record is VALID (exit 0)."""
    record = desk.new()
    revoked = desk.root / "revoked_keys"
    revoked.write_text(desk.keys["proposer"].with_suffix(".pub").read_text())
    write_config(desk.root, monkeypatch, f'[verify]\nrevoked = "{revoked}"\n')
    code, out = desk.run("verify", str(record))
    line = row(out, "signature")
    assert "FAIL" in line and "revoked" in line, out
    assert code == 1


# --- threat model 10 and 11: refused key types and keys in the trust file -----------------------


def openssh_private(path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return path


RSA_REFUSED = re.compile(
    r"RSA keys (\(ssh-rsa\) )?are not supported: smcheck signs with Ed25519 keys only"
)


def test_an_rsa_key_is_refused_by_new_sign_and_approve(desk: MoreDesk) -> None:
    rsa_key = openssh_private(
        desk.root / "id_rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    output = desk.root / "rsa.smcheck.toml"
    code, out = desk.run(
        "new", "--answers", str(EXAMPLE_ANSWERS),
        "--sign-with", str(rsa_key), "--output", str(output),
    )  # fmt: skip
    assert code == 1 and RSA_REFUSED.search(out)
    assert not output.exists()

    unsigned = desk.new(key=None, output="u.smcheck.toml")
    before = unsigned.read_bytes()
    code, out = desk.run("sign", str(unsigned), "--key", str(rsa_key))
    assert code == 1 and RSA_REFUSED.search(out)
    assert unsigned.read_bytes() == before

    record = desk.new()
    before = record.read_bytes()
    code, out = desk.run(
        "approve", str(record), "--key", str(rsa_key), "--allowed-signers", str(desk.trust)
    )
    assert code == 1 and RSA_REFUSED.search(out)
    assert record.read_bytes() == before


def test_an_ecdsa_key_line_in_the_trust_file_is_skipped_with_a_note(desk: MoreDesk) -> None:
    """A trust file a team already keeps (for git) may hold other key types: their lines are skipped,
    each with a note naming file and line, and grant nothing; the Ed25519 lines work as before."""
    record = desk.new()
    ecdsa = ec.generate_private_key(ec.SECP256R1()).public_key()
    line = ecdsa.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    trust = desk.trust_file("with-ecdsa", [*desk.lines, f"x@essex.ac.uk {line.decode()}"])
    result = runner.invoke(app, ["verify", "--allowed-signers", str(trust), str(record)])
    assert result.exit_code == 0, result.output
    assert (
        f"smcheck: note: {trust}:4: skipped: ECDSA keys (ecdsa-sha2-nistp256) are not supported"
        in result.stderr
    )
    assert "PASS" in row(result.stdout, "signature")
    # approve reads the same trust file the same way.
    code, out = desk.run(
        "approve", str(record), "--key", str(desk.keys["reviewer"]), "--allowed-signers", str(trust)
    )
    assert code == 0, out
    assert f"{trust}:4: skipped" in out


def identity_key_line() -> str:
    """An ``ssh-ed25519`` line holding the identity point (y = 1): small order, accepts forgeries."""

    def string(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = string(b"ssh-ed25519") + string(b"\x01" + bytes(31))
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


def test_an_identity_point_key_line_in_the_trust_file_is_refused_with_file_and_line(
    desk: MoreDesk,
) -> None:
    record = desk.new()
    trust = desk.trust_file(
        "with-identity", ["# the team", *desk.lines[:1], f"* {identity_key_line()} forged"]
    )
    code, out = desk.run("verify", "--allowed-signers", str(trust), str(record))
    assert code != 0
    assert f"{trust}:3: the key is a small-order (identity-point) Ed25519 key" in out
    assert "VALID" not in out


# --- sign and approve refusals ------------------------------------------------------------------


def test_sign_refuses_an_already_signed_record(desk: MoreDesk) -> None:
    record = desk.new()
    before = record.read_bytes()
    for key in ("proposer", "attacker"):
        code, out = desk.run("sign", str(record), "--key", str(desk.keys[key]))
        assert code == 2
        assert f"{record} is already signed" in out
        assert "smcheck show --signature proposer" in out
    assert record.read_bytes() == before


def test_sign_then_verify(desk: MoreDesk) -> None:
    record = desk.new(key=None)
    code, out = desk.run("sign", str(record), "--key", str(desk.keys["proposer"]))
    assert code == 0 and "Signed" in out and "smcheck-record" in out
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out


def test_approve_with_a_role_the_checklist_does_not_know(desk: MoreDesk) -> None:
    record = desk.new()
    before = record.read_bytes()
    code, out = desk.approve(record, "advancement", "--role", "press-office")
    assert code == 2
    assert "the checklist has no co-signer role 'press-office'" in out
    assert record.read_bytes() == before


def test_a_rejection_warns_and_fails_when_approval_is_required(desk: MoreDesk) -> None:
    record = desk.new()
    code, out = desk.approve(
        record, "reviewer", "--decision", "rejected", "--comment", "Name a deputy first"
    )
    assert code == 0, out
    assert f"Rejected {record} as the Digital Marketing Officer ({REVIEWER_EMAIL})" in out
    assert "The record now stands: rejected by the Digital Marketing Officer" in out
    code, out = desk.verify(record)
    assert code == 0, out
    line = row(out, "approval")
    assert "WARN" in line and f"rejected by {REVIEWER_EMAIL}" in line
    assert "Name a deputy first" in line
    code, out = desk.verify(record, "--require", "approved")
    assert code == 1
    line = row(out, "approval")
    assert "FAIL" in line and "rejected" in line


def test_approve_refuses_a_decision_it_does_not_know(desk: MoreDesk) -> None:
    record = desk.new()
    before = record.read_bytes()
    code, out = desk.approve(record, "reviewer", "--decision", "maybe")
    # The parser refuses it, naming the choices, before the record is read.
    assert code == 2 and "'maybe' is not one of 'approved', 'rejected'" in out
    assert record.read_bytes() == before


def test_a_second_reviewer_approval_is_refused_by_approve(desk: MoreDesk) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer", "--decision", "rejected")[0] == 0
    before = record.read_bytes()
    # Neither the same reviewer changing their mind, nor another trusted approver, adds a second review.
    for key in ("reviewer", "advancement"):
        code, out = desk.approve(record, key)
        assert code == 1
        assert "already carries a decision for the Digital Marketing Officer" in out
    assert record.read_bytes() == before
    code, out = desk.approve(record, "advancement", "--role", "advancement-office")
    assert code == 0, out
    code, out = desk.approve(record, "advancement", "--role", "advancement-office")
    assert code == 1 and "already carries a decision for the Advancement Office" in out


def test_a_repeated_co_signature_is_refused_like_a_repeated_review(desk: MoreDesk) -> None:
    """BUG: two co-signatures for one role: verify keeps the LAST and ignores the other.

    ``approve`` refuses a second co-signature, but a record can carry two (each bound to the record,
    e.g. the Advancement Office rejected on one copy and approved on another, and the entries were
    joined). Two reviews fail ("approval-repeated"); two co-signatures pass ``--require approved``
    when the approval comes last, and fail when the rejection comes last."""
    first = desk.new(output="a.smcheck.toml")
    second = desk.root / "b.smcheck.toml"
    assert desk.approve(first, "reviewer")[0] == 0
    shutil.copyfile(first, second)
    assert (
        desk.approve(
            first, "advancement", "--role", "advancement-office", "--decision", "rejected"
        )[0]
        == 0
    )
    assert desk.approve(second, "advancement", "--role", "advancement-office")[0] == 0
    approval = entries(second.read_bytes())[-1]
    rejection = entries(first.read_bytes())[-1]
    assert b'decision = \\"approved\\"' in approval
    assert b'decision = \\"rejected\\"' in rejection

    # The rejection last: refused ...
    second.write_bytes(second.read_bytes() + b"\n" + rejection)
    code, out = desk.verify(second, "--require", "approved")
    assert code == 1 and "FAIL" in row(out, "co-signatures")
    # ... the approval last: the rejection is silently dropped.
    first.write_bytes(first.read_bytes() + b"\n" + approval)
    code, out = desk.verify(first, "--require", "approved")
    assert "FAIL" in row(out, "co-signatures"), out
    assert code == 1


# --- approve and the reviewer's own key ---------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    ['namespaces="smcheck-*"', 'namespaces="*"', "", 'namespaces="git,smcheck-appr?val"'],
)
def test_a_role_is_granted_only_by_name_and_approve_and_verify_agree(
    desk: MoreDesk, options: str
) -> None:
    """OpenSSH reads a pattern, or no namespaces= at all, as allowing the role's namespace; smcheck
    grants an approving role only where the line names it. verify refuses an approval made under such
    a line, and approve refuses to make one, with the same reason."""
    lines = desk.standard_lines()
    lines[1] = f"{REVIEWER_EMAIL} {options} {desk.public_line('reviewer')}".replace("  ", " ")
    trust = desk.trust_file("patterns", lines)
    record = desk.new()
    copy = desk.root / "copy.smcheck.toml"
    shutil.copyfile(record, copy)
    assert desk.approve(copy, "reviewer")[0] == 0  # made under the desk's own trust file
    code, out = desk.run("verify", "--allowed-signers", str(trust), str(copy))
    assert code == 1 and "FAIL" in row(out, "approval"), out
    reason = "no namespaces=" if not options else "only through the pattern"
    assert reason in row(out, "approval")
    before = record.read_bytes()
    code, out = desk.run(
        "approve", str(record), "--key", str(desk.keys["reviewer"]), "--allowed-signers", str(trust)
    )
    assert code == 1 and reason in out.replace("\n", " "), out
    assert record.read_bytes() == before


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_approve_refuses_a_reviewer_key_that_verify_would_refuse(
    desk: MoreDesk, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    lines = desk.standard_lines()
    if how == "expired":
        lines[1] = (
            f'{REVIEWER_EMAIL} namespaces="smcheck-approval",valid-before="20200101Z" '
            f"{desk.public_line('reviewer')}"
        )
    else:
        revoked = desk.root / "revoked_keys"
        revoked.write_text(desk.keys["reviewer"].with_suffix(".pub").read_text())
        write_config(desk.root, monkeypatch, f'[verify]\nrevoked = "{revoked}"\n')
    trust = desk.trust_file("reviewer-trust", lines)
    record = desk.new()
    before = record.read_bytes()
    code, _ = desk.run(
        "approve", str(record), "--key", str(desk.keys["reviewer"]), "--allowed-signers", str(trust)
    )
    assert code != 0
    assert record.read_bytes() == before


# --- where the trust file comes from ------------------------------------------------------------


def test_the_trust_file_from_the_environment_works_like_the_flag(
    desk: MoreDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = desk.new()
    monkeypatch.setenv("SMCHECK_ALLOWED_SIGNERS", str(desk.trust))
    code, out = desk.run("verify", "--require", "signed", str(record))
    assert code == 0, out
    assert "PASS" in row(out, "signature") and f"signed by {PROPOSER_EMAIL}" in row(
        out, "signature"
    )
    code, out = desk.run("approve", str(record), "--key", str(desk.keys["reviewer"]))
    assert code == 0, out
    code, out = desk.run("verify", str(record))
    assert code == 0 and "PASS" in row(out, "approval")

    # The flag comes first: a trust file that knows only the attacker, given as the flag, wins.
    other = desk.trust_file("attackers-only", [f"{PROPOSER_EMAIL} {desk.public_line('attacker')}"])
    code, out = desk.run("verify", "--allowed-signers", str(other), str(record))
    assert code == 1 and "FAIL" in row(out, "signature")


def test_the_trust_file_from_the_config_file_works_like_the_flag(
    desk: MoreDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = desk.new()
    config = write_config(desk.root, monkeypatch, '[verify]\nallowed_signers = "allowed_signers"\n')
    shutil.copyfile(
        desk.trust, config.parent / "allowed_signers"
    )  # relative to the config's folder
    code, out = desk.run("verify", "--require", "signed", str(record))
    assert code == 0, out
    assert "PASS" in row(out, "signature")
    code, out = desk.run("approve", str(record), "--key", str(desk.keys["reviewer"]))
    assert code == 0, out
    code, out = desk.run("verify", str(record))
    assert code == 0 and "PASS" in row(out, "approval")

    # The environment comes before the config file.
    other = desk.trust_file("attackers-only", [f"{PROPOSER_EMAIL} {desk.public_line('attacker')}"])
    monkeypatch.setenv("SMCHECK_ALLOWED_SIGNERS", str(other))
    code, out = desk.run("verify", str(record))
    assert code == 1 and "FAIL" in row(out, "signature")


def test_approve_without_any_trust_file_is_refused(desk: MoreDesk) -> None:
    record = desk.new()
    before = record.read_bytes()
    code, out = desk.run("approve", str(record), "--key", str(desk.keys["reviewer"]))
    assert code == 2
    assert "approving needs your trust file" in out and "SMCHECK_ALLOWED_SIGNERS" in out
    assert record.read_bytes() == before


# --- --json and no trust file at all -----------------------------------------------------------


def test_json_lists_each_signature_with_role_principal_fingerprint_and_trust(
    desk: MoreDesk,
) -> None:
    record = desk.approved()
    code, out = desk.verify(record, "--json", "--require", "approved")
    assert code == 0, out
    (report,) = json.loads(out)
    assert report["valid"] is True
    got = [
        (s["role"], s["principal"], s["fingerprint"], s["trust"], s.get("decision"))
        for s in report["signatures"]
    ]
    assert got == [
        ("proposer", PROPOSER_EMAIL, desk.fingerprint("proposer"), "trusted", None),
        ("reviewer", REVIEWER_EMAIL, desk.fingerprint("reviewer"), "trusted", "approved"),
        (
            "advancement-office",
            ADVANCEMENT_EMAIL,
            desk.fingerprint("advancement"),
            "trusted",
            "approved",
        ),
    ]
    assert all(s["message"] for s in report["signatures"])

    # A signer the trust file does not know: the fingerprint is there, no principal is made up.
    other = desk.new(key="attacker", output="other.smcheck.toml")
    code, out = desk.verify(other, "--json")
    assert code == 1
    (report,) = json.loads(out)
    (signature,) = report["signatures"]
    assert signature["role"] == "proposer" and signature["trust"] == "unknown"
    assert signature["principal"] is None
    assert signature["fingerprint"] == desk.fingerprint("attacker")


def test_without_any_trust_file_nothing_is_trusted_and_required_trust_fails(
    desk: MoreDesk,
) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    assert desk.approve(record, "advancement", "--role", "advancement-office")[0] == 0
    code, out = desk.run("verify", str(record))
    assert code == 0, out
    line = row(out, "signature")
    assert "INFO" in line and "not checked: no trust file was given" in line
    assert desk.fingerprint("proposer") in line.replace(" ", "")
    for check in ("approval", "co-signatures"):
        assert "INFO" in row(out, check) and "not checked" in row(out, check)
    assert "PASS" not in row(out, "approval")
    assert "=> VALID: signatures not checked" in out
    for require in ("signed", "approved"):
        code, out = desk.run("verify", "--require", require, str(record))
        assert code == 1
        assert "FAIL" in row(out, "signature") and "no trust file" in row(out, "signature")
    code, out = desk.run("verify", "--json", str(record))
    (report,) = json.loads(out)
    assert report["state"] == "not-checked"
    signature, *decisions = report["signatures"]
    assert signature["trust"] == "not-checked" and signature["principal"] is None
    assert signature["fingerprint"] == desk.fingerprint("proposer")
    assert [d["trust"] for d in decisions] == ["not-checked", "not-checked"]
    assert all(d["principal"] is None for d in decisions)


def test_json_with_a_missing_trust_file_names_the_records_not_the_trust_file(
    desk: MoreDesk,
) -> None:
    """BUG: a missing trust file is reported as if each signed RECORD could not be opened: the JSON
    object for ``r.smcheck.toml`` says ``"path": "missing-trust", "error": "no such allowed signers
    file"``, and the human summary counts the records as "could not be opened"."""
    record = desk.new()
    missing = desk.root / "missing-trust"
    result = runner.invoke(
        app, ["verify", "--json", "--allowed-signers", str(missing), str(record)]
    )
    assert result.exit_code != 0
    objects = json.loads(result.stdout) if result.stdout.strip() else []
    assert all(o["path"] == str(record) for o in objects), objects
    assert str(missing) in result.output


# --- rewrite_record ---------------------------------------------------------------------------


def test_write_if_unchanged_refuses_when_the_file_changed_after_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(b"as read\n")
    before = path.read_bytes()
    path.write_bytes(b"changed by someone else\n")
    with pytest.raises(SmcheckError) as caught:
        rewrite_record(path, before, b"as read\nand signed\n")
    assert caught.value.message == (
        f"{path} changed while smcheck worked on it (someone else signed it?): nothing was written"
    )
    assert caught.value.hint == "run the same command again"
    assert path.read_bytes() == b"changed by someone else\n"

    path.unlink()  # removed meanwhile: refused too, and not re-created
    with pytest.raises(SmcheckError):
        rewrite_record(path, before, b"as read\nand signed\n")
    assert not path.exists()

    path.write_bytes(before)  # unchanged: written
    rewrite_record(path, before, b"as read\nand signed\n")
    assert path.read_bytes() == b"as read\nand signed\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.smcheck.toml"]  # no temporary file left


# --- random damage to a signed record's content -------------------------------------------------


@cache
def signed_record() -> tuple[bytes, TrustFile]:
    """A signed record (fixed time and id) and a trust file that trusts its signer."""
    key = Ed25519PrivateKey.generate()
    data = make_record_bytes()
    content, _ = read_layout(data)
    signed = append_seal(data, seal_record(key, content))
    trust = TrustFile(
        Path("allowed_signers"),
        (AllowedSigner((PROPOSER_EMAIL,), public_key_of(key), ("smcheck-record",), None, None, 1),),
    )
    return signed, trust


def judge(data: bytes) -> Report:
    _, trust = signed_record()
    return verify_bytes(
        data,
        "r.smcheck.toml",
        lookup=registry.by_id,
        today=FIXED_NOW.date(),
        demands=Demands(trust=trust, now=FIXED_NOW),
    )


def test_the_undamaged_signed_record_is_valid_and_trusted() -> None:
    signed, _ = signed_record()
    report = judge(signed)
    assert report.valid, report
    verdicts = {c.check: c.verdict for c in report.checks}
    assert verdicts["signature"] is Verdict.PASS


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """The signed record with its content flipped, added to or cut at one place, digest resealed."""
    signed, _ = signed_record()
    content_end = signed.index(MARKER)
    content, rest = signed[:content_end], signed[content_end:]
    where = draw(st.integers(0, len(content) - 1))
    how = draw(st.sampled_from(["flip", "insert", "delete"]))
    if how == "flip":
        mask = draw(st.integers(1, 255))
        content = content[:where] + bytes([content[where] ^ mask]) + content[where + 1 :]
    elif how == "insert":
        extra = draw(
            st.binary(min_size=1, max_size=8) | st.sampled_from([b" ", b"\n", b"#", b"\r"])
        )
        content = content[:where] + extra + content[where:]
    else:
        count = draw(st.integers(1, 8))
        content = content[:where] + content[where + count :]
    assert content != signed[:content_end]
    return reseal(content + rest)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damage_to_signed_content_is_never_valid_and_never_raises(data: bytes) -> None:
    report = judge(data)
    assert not report.valid
    verdicts = {c.check: c.verdict for c in report.checks}
    # Refused at the signature (or before, when the layout itself broke); nothing signed was read.
    assert verdicts["signature"] in (Verdict.FAIL, Verdict.SKIP)
    assert verdicts["answers"] is Verdict.SKIP
    assert report.signatures == ()

"""Signatures and approval through the commands: the threat model's cases, each refused with its reason.

Keys are made with ``smcheck keygen``'s own function; trust comes only from an allowed_signers file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE_ANSWERS, reseal
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.record import MARKER
from smcheck.trust.keys import generate_key_pair

runner = CliRunner()
PROPOSER_EMAIL = "h.marsh@essex.ac.uk"  # the example's sign-off email


class Desk:
    """A folder with keys, a trust file and a signed record: the reviewer's desk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.keys: dict[str, Path] = {}
        self.lines: list[str] = []
        self.trust = root / "allowed_signers"

    def key(self, name: str) -> Path:
        path = self.root / "keys" / name
        path.parent.mkdir(exist_ok=True)
        public = generate_key_pair(path, passphrase=None, comment=name)
        self.keys[name] = path
        self._public = public
        return path

    def trust_line(self, principal: str, name: str, options: str) -> None:
        public = (self.root / "keys" / f"{name}.pub").read_text().split()
        self.lines.append(f"{principal} {options} {public[0]} {public[1]}")
        self.trust.write_text("\n".join(self.lines) + "\n")

    def new(
        self, *extra: str, key: str | None = "proposer", output: str = "r.smcheck.toml"
    ) -> Path:
        args = ["new", "--answers", str(EXAMPLE_ANSWERS), "--output", str(self.root / output)]
        if key:
            args += ["--sign-with", str(self.keys[key])]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        return self.root / output

    def verify(self, record: Path, *extra: str) -> tuple[int, str]:
        result = runner.invoke(
            app, ["verify", "--allowed-signers", str(self.trust), *extra, str(record)]
        )
        return result.exit_code, result.output

    def approve(self, record: Path, key: str, *extra: str) -> tuple[int, str]:
        result = runner.invoke(
            app,
            [
                "approve",
                str(record),
                "--key",
                str(self.keys[key]),
                "--allowed-signers",
                str(self.trust),
                *extra,
            ],
        )
        return result.exit_code, result.output


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def open_desk(tmp_path: Path) -> Iterator[Desk]:
    """A desk with the proposer's, the reviewer's, the Advancement Office's and an attacker's keys; the
    first three trusted. Works in tmp_path (the current folder) while it is open."""
    desk = Desk(tmp_path)
    desk.key("proposer")
    desk.key("reviewer")
    desk.key("advancement")
    desk.key("attacker")
    desk.trust_line(PROPOSER_EMAIL, "proposer", 'namespaces="smcheck-record"')
    desk.trust_line("dmo@essex.ac.uk", "reviewer", 'namespaces="smcheck-approval"')
    desk.trust_line(
        "p.shah@essex.ac.uk", "advancement", 'namespaces="smcheck-cosign-advancement-office"'
    )
    old = Path.cwd()
    os.chdir(tmp_path)
    yield desk
    os.chdir(old)


def row(output: str, check: str) -> str:
    """The report row of one check, with its wrapped continuation lines joined."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"\s*(PASS|WARN|FAIL|SKIP|INFO)\s+{re.escape(check)}\b", line):
            text = line
            for more in lines[index + 1 :]:
                if not more.startswith("      ") or re.match(
                    r"\s*(PASS|WARN|FAIL|SKIP|INFO)\s", more
                ):
                    break
                text += " " + more.strip()
            return text
    raise AssertionError(f"no {check} row in:\n{output}")


def test_a_signed_record_from_a_trusted_proposer(desk: Desk) -> None:
    record = desk.new()
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out
    assert "PASS" in row(out, "signature") and f"signed by {PROPOSER_EMAIL}" in row(
        out, "signature"
    )
    assert "trusted" in row(out, "signature")


def test_unsigned_record_is_reported_and_refused_when_a_signature_is_required(desk: Desk) -> None:
    record = desk.new(key=None)
    code, out = desk.verify(record)
    assert code == 0
    assert "INFO" in row(out, "signature") and "UNSIGNED" in row(out, "signature")
    code, out = desk.verify(record, "--require", "signed")
    assert code == 1
    assert "FAIL" in row(out, "signature")


def test_any_changed_byte_breaks_the_signature_and_the_content_is_not_read(desk: Desk) -> None:
    record = desk.new()
    data = record.read_bytes()
    # Reseal the digest so that only the signature can tell: threat model 1.
    record.write_bytes(reseal(data.replace(b"Priya Shah", b"Priya Shaw")))
    code, out = desk.verify(record)
    assert code == 1
    assert "FAIL" in row(out, "signature") and "does not verify" in row(out, "signature")
    assert "SKIP" in row(out, "answers")


def test_the_same_data_rewritten_fails_against_the_original_signature(desk: Desk) -> None:
    record = desk.new()
    data = record.read_bytes()
    content_end = data.index(MARKER)
    rewritten = (
        data[:content_end].replace(b"# Do not edit it", b"#  Do not edit it") + data[content_end:]
    )
    record.write_bytes(reseal(rewritten))
    code, out = desk.verify(record)
    assert code == 1 and "does not verify" in row(out, "signature")


def test_a_signature_by_a_key_not_in_the_trust_file(desk: Desk) -> None:
    record = desk.new(key="attacker")
    code, out = desk.verify(record)
    assert code == 1
    line = row(out, "signature")
    assert "FAIL" in line and "signature-unknown" not in line  # plain words, not codes
    assert "not in" in line or "unknown" in line


def test_a_different_trusted_persons_key_signed_it(desk: Desk) -> None:
    # The record names h.marsh, but the reviewer's (trusted) key signed it: threat model 5.
    desk.trust_line("dmo@essex.ac.uk", "reviewer", 'namespaces="smcheck-record"')
    record = desk.new(key="reviewer")
    code, out = desk.verify(record)
    assert code == 1
    assert "FAIL" in row(out, "signature")


def test_approval_then_required_and_cosign(desk: Desk) -> None:
    record = desk.new()
    code, out = desk.approve(record, "reviewer", "--comment", "Fine by me")
    assert code == 0, out
    code, out = desk.verify(record, "--require", "approved")
    # The example contacts alumni: the Advancement Office must co-sign too (GG-1, EP-5).
    assert code == 1
    assert "FAIL" in row(out, "co-signatures") and "Advancement Office" in row(out, "co-signatures")
    assert "PASS" in row(out, "approval") and "dmo@essex.ac.uk" in row(out, "approval")
    code, out = desk.approve(record, "advancement", "--role", "advancement-office")
    assert code == 0, out
    code, out = desk.verify(record, "--require", "approved")
    assert code == 0, out
    assert "PASS" in row(out, "co-signatures")


def test_a_reviewer_cannot_approve_their_own_record(desk: Desk) -> None:
    desk.trust_line("dmo@essex.ac.uk", "proposer", 'namespaces="smcheck-approval"')
    record = desk.new()
    code, out = desk.approve(record, "proposer")
    assert code == 1
    assert "own record" in out


def test_an_approval_cannot_be_moved_to_another_record(desk: Desk) -> None:
    first = desk.new(output="a.smcheck.toml")
    second = desk.new(output="b.smcheck.toml")
    assert desk.approve(first, "reviewer")[0] == 0
    approval = first.read_bytes().split(b"[[signature]]")[-1]
    second.write_bytes(second.read_bytes() + b"\n[[signature]]" + approval)
    code, out = desk.verify(second)
    assert code == 1
    assert "another record" in row(out, "approval")


def test_a_proposer_signature_presented_as_an_approval(desk: Desk) -> None:
    record = desk.new()
    data = record.read_bytes()
    blob = re.search(rb'sshsig = "([^"]+)"', data)
    assert blob is not None
    forged = (
        b'\n[[signature]]\nmethod = "sshsig"\nrole = "reviewer"\nstatement = "x"\nsshsig = "'
        + blob.group(1)
        + b'"\n'
    )
    record.write_bytes(data + forged)
    code, out = desk.verify(record)
    assert code == 1
    assert "namespace" in row(out, "approval")


def test_approve_refuses_a_record_that_does_not_verify(desk: Desk) -> None:
    record = desk.new(key="attacker")
    code, out = desk.approve(record, "reviewer")
    assert code == 1
    assert "does not verify" in out
    assert b'role = "reviewer"' not in record.read_bytes()


def test_show_gives_what_ssh_keygen_needs(desk: Desk) -> None:
    record = desk.new()
    content = runner.invoke(app, ["show", str(record), "--signed-bytes"]).stdout_bytes
    assert record.read_bytes().startswith(content) and content.endswith(b"\n")
    armoured = runner.invoke(app, ["show", str(record), "--signature", "proposer"]).stdout
    assert armoured.startswith("-----BEGIN SSH SIGNATURE-----\n")
    assert armoured.endswith("-----END SSH SIGNATURE-----\n")


def test_a_revoked_key_given_with_revoked(desk: Desk) -> None:
    record = desk.new()
    revoked = desk.root / "revoked"
    revoked.write_text((desk.root / "keys" / "proposer.pub").read_text())
    code, out = desk.verify(record, "--revoked", str(revoked))
    assert code == 1
    line = row(out, "signature")
    assert "FAIL" in line and "revoked" in line


def test_sign_refuses_a_record_that_does_not_verify(desk: Desk) -> None:
    record = desk.new(key=None)
    damaged = record.read_bytes().replace(b"Priya Shah", b"Priya Shaw")
    record.write_bytes(damaged)
    result = runner.invoke(app, ["sign", str(record), "--key", str(desk.keys["proposer"])])
    assert result.exit_code == 1
    assert "does not verify (integrity" in result.output and "it was not signed" in result.output
    assert record.read_bytes() == damaged


def test_a_missing_trust_file_is_one_usage_error(desk: Desk) -> None:
    record = desk.new()
    result = runner.invoke(app, ["verify", "--allowed-signers", "nosuch", str(record), str(record)])
    assert result.exit_code == 2
    assert result.output.count("the trust file cannot be used") == 1

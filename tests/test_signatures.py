"""Signatures and approval through the commands: the threat model's cases, each refused with its reason.

Keys are made with ``smcheck keygen``'s own function; trust comes only from an allowed_signers file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, row, runner
from helpers.records import reseal

from smcheck.cli import app
from smcheck.layout import MARKER


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


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

"""smcheck.trust.policy decides who may sign what; the commands only ask it. ``sign`` refuses and accepts
exactly as it did when it decided for itself, word for word (keys and paths shown as placeholders), and
``trust add`` and ``keygen`` write the lines the policy writes."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, runner

from smcheck.cli import app
from smcheck.record import PROPOSER, REVIEWER
from smcheck.trust.allowed import load_allowed_signers
from smcheck.trust.keys import read_public_key
from smcheck.trust.policy import NotTrusted, grant_line, proposer_to_add
from smcheck.trust.wire import PublicKey

NOW = dt.datetime.now(dt.UTC)
UNKNOWN = (
    "smcheck: error: this key may not sign the record as its proposer (h.marsh@essex.ac.uk): the key"
    " <fp> is not in the trust file <root>/allowed_signers: anyone can make a key, so this says"
    " nothing about who signed; it was not signed\n"
    "  hint: if you are h.marsh@essex.ac.uk, who signed this record off, and this is your key, the"
    " trust file <root>/allowed_signers needs your line: h.marsh@essex.ac.uk"
    ' namespaces="smcheck-record" <attacker.pub>\n'
)
SOMEONE_ELSES = (
    "smcheck: error: this key may not sign the record as its proposer (h.marsh@essex.ac.uk): the key"
    " <fp> is trusted for 'dmo@essex.ac.uk' (line 2), not for 'h.marsh@essex.ac.uk'; it was not"
    " signed\n"
    "  hint: this key is trusted for 'dmo@essex.ac.uk', not for h.marsh@essex.ac.uk, who signed this"
    " record off: h.marsh@essex.ac.uk signs it with their own key\n"
)
REVOKED = (
    "smcheck: error: this key may not sign the record as its proposer (h.marsh@essex.ac.uk): the key"
    " <fp> has been revoked; it was not signed\n"
    "  hint: a revoked key signs nothing: sign with your current key\n"
)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("SMCHECK_ALLOWED_SIGNERS", raising=False)
    monkeypatch.setenv("SMCHECK_CONFIG", str(tmp_path / "no-config.toml"))
    yield from open_desk(tmp_path)


_numbers = itertools.count()


def sign(desk: Desk, key: str, *extra: str) -> tuple[int, str]:
    """``smcheck sign`` on a new unsigned record with one of the desk's keys: the exit code and what
    it said, with keys, fingerprints and the desk's folder as placeholders."""
    record = desk.new(key=None, output=f"r{next(_numbers)}.smcheck.toml")
    before = record.read_bytes()
    result = runner.invoke(app, ["sign", str(record), "--key", str(desk.keys[key]), *extra])
    said = result.stderr
    for name in desk.keys:
        kind, blob = (desk.root / "keys" / f"{name}.pub").read_text().split()[:2]
        said = said.replace(f"{kind} {blob}", f"<{name}.pub>")
    said = re.sub(r"SHA256:[A-Za-z0-9+/]+", "<fp>", said)
    said = said.replace(str(desk.root), "<root>").replace(record.name, "RECORD")
    if result.exit_code != 0:
        assert record.read_bytes() == before  # refused: not a byte written
    return result.exit_code, said


def trusting(desk: Desk) -> tuple[str, ...]:
    return ("--allowed-signers", str(desk.trust))


def only_proposer_line(desk: Desk, options: str) -> None:
    desk.lines = [line for line in desk.lines if not line.startswith(PROPOSER_EMAIL)]
    desk.trust_line(PROPOSER_EMAIL, "proposer", options)


def test_sign_accepts_a_key_trusted_for_the_signoff_email(desk: Desk) -> None:
    assert sign(desk, "proposer", *trusting(desk)) == (
        0,
        "Signed <root>/RECORD (namespace smcheck-record, key <fp>, trusted for"
        " h.marsh@essex.ac.uk).\n",
    )


def test_sign_without_a_trust_file_signs_and_says_it_was_not_checked(desk: Desk) -> None:
    assert sign(desk, "proposer") == (
        0,
        "Signed <root>/RECORD (namespace smcheck-record, key <fp>, not checked against a trust"
        " file: give --allowed-signers FILE to check it).\n",
    )


def test_sign_and_approve_find_the_key_keygen_made_when_none_is_named(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from smcheck.config import default_key_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    record = desk.new(key=None, output="default-key.smcheck.toml")
    result = runner.invoke(app, ["sign", str(record), *trusting(desk)])
    assert result.exit_code == 2
    assert "no signing key given" in result.stderr
    assert "make your key with smcheck keygen" in " ".join(result.stderr.split())
    made = default_key_path()
    assert made.is_relative_to(tmp_path / "data")
    made.parent.mkdir(parents=True)
    for suffix in ("", ".pub"):  # as smcheck keygen leaves it, for the proposer
        shutil.copy(desk.root / "keys" / f"proposer{suffix}", f"{made}{suffix}")
    result = runner.invoke(app, ["sign", str(record), *trusting(desk)])
    assert result.exit_code == 0, result.output
    assert "trusted for h.marsh@essex.ac.uk" in result.stderr + result.stdout
    # The co-signer's step names no key: theirs is where keygen put it on their computer.
    for suffix in ("", ".pub"):
        shutil.copy(desk.root / "keys" / f"reviewer{suffix}", f"{made}{suffix}")
    result = runner.invoke(app, ["approve", str(record), "--yes", *trusting(desk)])
    assert result.exit_code == 0, result.output


def test_sign_refuses_a_key_the_trust_file_does_not_hold(desk: Desk) -> None:
    assert sign(desk, "attacker", *trusting(desk)) == (1, UNKNOWN)


def test_sign_refuses_someone_elses_key_and_never_binds_it_to_the_proposer(desk: Desk) -> None:
    assert sign(desk, "reviewer", *trusting(desk)) == (1, SOMEONE_ELSES)


def test_sign_refuses_a_revoked_key_with_or_without_a_trust_file(desk: Desk) -> None:
    revoked = desk.root / "revoked_keys"
    revoked.write_text((desk.root / "keys" / "proposer.pub").read_text())
    assert sign(desk, "proposer", *trusting(desk), "--revoked", str(revoked)) == (1, REVOKED)
    assert sign(desk, "proposer", "--revoked", str(revoked)) == (1, REVOKED)


def test_sign_refuses_the_proposers_key_trusted_only_to_approve(desk: Desk) -> None:
    only_proposer_line(desk, 'namespaces="smcheck-approval"')
    code, said = sign(desk, "proposer", *trusting(desk))
    assert code == 1
    assert said.startswith(
        "smcheck: error: this key may not sign the record as its proposer (h.marsh@essex.ac.uk):"
    )
    assert said.endswith(
        "; it was not signed\n  hint: if you are h.marsh@essex.ac.uk, who signed this record off,"
        " and this is your key, the trust file <root>/allowed_signers needs your line:"
        ' h.marsh@essex.ac.uk namespaces="smcheck-record" <proposer.pub>\n'
    )


def test_sign_says_when_the_trusted_address_differs_from_the_sign_off_only_in_capitals(
    desk: Desk,
) -> None:
    # A trust file compares addresses exactly, as ssh-keygen does: still refused, but for a reason a
    # proposer can see, with both ways out (never "sign with their own key": it is their own key).
    only_proposer_line(desk, 'namespaces="smcheck-record"')
    desk.lines = [line.replace(PROPOSER_EMAIL, "H.Marsh@Essex.ac.uk") for line in desk.lines]
    desk.trust.write_text("\n".join(desk.lines) + "\n")
    code, said = sign(desk, "proposer", *trusting(desk))
    assert code == 1
    assert (
        "is trusted for 'H.Marsh@Essex.ac.uk' (line 3), not for 'h.marsh@essex.ac.uk': the two"
        " differ only in capital letters, and a trust file compares addresses exactly, as"
        " ssh-keygen does; it was not signed\n" in said
    )
    assert said.endswith(
        "  hint: the record's sign-off email h.marsh@essex.ac.uk is H.Marsh@Essex.ac.uk in the"
        " trust file but for its capitals: make the record again with the address written as"
        " H.Marsh@Essex.ac.uk at sign-off, or ask the reviewer to add this line too:"
        ' h.marsh@essex.ac.uk namespaces="smcheck-record" <proposer.pub>\n'
    )
    assert "their own key" not in said


def test_sign_refuses_a_line_that_ended_before_the_record_was_signed_off(desk: Desk) -> None:
    only_proposer_line(desk, 'namespaces="smcheck-record",valid-before="20200101"')
    code, said = sign(desk, "proposer", *trusting(desk))
    assert code == 1
    assert said.endswith(
        "; it was not signed\n  hint: check the valid-after and valid-before of your line in the"
        " trust file\n"
    )


# --- the policy's own answers, as trust add and keygen ask them ----------------------------------


def test_grant_line_names_the_person_and_the_roles_namespace(desk: Desk) -> None:
    key = read_public_key(desk.root / "keys" / "reviewer.pub")
    assert grant_line("dmo@essex.ac.uk", REVIEWER, key) == (
        f'dmo@essex.ac.uk namespaces="smcheck-approval" {key.openssh()}'
    )
    assert grant_line("p@x.ac.uk", "dean", key).startswith(
        'p@x.ac.uk namespaces="smcheck-cosign-dean" '
    )
    assert grant_line(PROPOSER_EMAIL, PROPOSER, key).split()[1] == 'namespaces="smcheck-record"'


def test_proposer_to_add(desk: Desk) -> None:
    trust = load_allowed_signers(desk.trust)

    def key(name: str) -> PublicKey:
        return read_public_key(desk.root / "keys" / f"{name}.pub")

    def added(name: str, email: str) -> bool:
        return proposer_to_add(
            key(name), email=email, trust=trust, now=NOW, outcome="nothing added"
        )

    assert added("proposer", PROPOSER_EMAIL) is True  # already trusted: nothing to add
    assert added("attacker", "new@essex.ac.uk") is False  # a new proposer's line may be added
    with pytest.raises(NotTrusted) as refused:
        added("reviewer", "new@essex.ac.uk")
    assert refused.value.message.endswith(
        "is already trusted in "
        f"{desk.trust} for 'dmo@essex.ac.uk' (line 2), not for new@essex.ac.uk: a key is one"
        " person's; nothing added"
    )
    assert (
        refused.value.hint
        == "new@essex.ac.uk must sign with a key of their own (smcheck keygen makes one)"
    )
    only_proposer_line(desk, 'namespaces="smcheck-record",valid-before="20200101"')
    with pytest.raises(NotTrusted) as refused:
        proposer_to_add(
            key("proposer"),
            email=PROPOSER_EMAIL,
            trust=load_allowed_signers(desk.trust),
            now=NOW,
            outcome="nothing added",
        )
    assert refused.value.message.startswith(
        f"{desk.trust} already names {PROPOSER_EMAIL} with this key, but does not trust it to sign"
        " records now: "
    )
    assert (
        refused.value.hint
        == f"if {PROPOSER_EMAIL} should sign records again, change line 3 of {desk.trust}"
    )

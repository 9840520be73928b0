"""``smcheck trust check`` and ``smcheck trust add``: the office that keeps the trust file (issue 16, 4)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, row, runner

from smcheck.cli import app
from smcheck.commands import trust as command
from smcheck.text import as_run


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.delenv("SMCHECK_ALLOWED_SIGNERS", raising=False)
    monkeypatch.setenv("SMCHECK_CONFIG", str(tmp_path / "no-config.toml"))
    yield from open_desk(tmp_path)


class Keyboard(io.StringIO):
    """A stdin that says it is a terminal, typing the given lines."""

    def isatty(self) -> bool:
        return True


def trust(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["trust", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def newcomer(desk: Desk) -> Path:
    """A record signed by a proposer whose key the trust file does not hold yet."""
    desk.key("newcomer")
    return desk.new(key="newcomer", output="new.smcheck.toml")


# --- trust check ----------------------------------------------------------------------------------


def test_check_says_who_holds_which_role_and_which_have_nobody(desk: Desk) -> None:
    desk.lines = desk.lines[:2]  # no one for the Advancement Office
    desk.trust_line("*@essex.ac.uk", "attacker", 'namespaces="smcheck-record"')
    code, out = trust("check", "--allowed-signers", str(desk.trust))
    assert code == 0, out
    assert f"{desk.trust}: 3 lines smcheck uses" in out
    assert f"  proposer (smcheck-record): {PROPOSER_EMAIL}, anyone matching *@essex.ac.uk" in out
    assert "  reviewer (smcheck-approval): dmo@essex.ac.uk" in out
    assert "  advancement-office (smcheck-cosign-advancement-office): nobody" in out
    assert "People:\n  dmo@essex.ac.uk: reviewer\n  h.marsh@essex.ac.uk: proposer" in out
    assert "No one may sign as: advancement-office." in out


def test_check_lists_every_note_and_exits_0(desk: Desk) -> None:
    desk.lines[1] = desk.lines[1].replace("smcheck-approval", "smcheck-aproval")
    desk.trust.write_text("\n".join(desk.lines) + "\n")
    code, out = trust("check", "--allowed-signers", str(desk.trust))
    assert code == 0, out
    flat = " ".join(out.split())
    assert (
        f"Notes: {desk.trust}:2: smcheck never signs in the namespace 'smcheck-aproval', so this line"
        " grants nothing in it; did you mean 'smcheck-approval'?"
    ) in flat
    assert "reviewer (smcheck-approval): nobody" in flat


def test_check_exits_1_on_a_wrong_line(desk: Desk) -> None:
    desk.lines.append("jo@essex.ac.uk ssh-ed25519 AAAA-not-a-key")
    desk.trust.write_text("\n".join(desk.lines) + "\n")
    code, out = trust("check", "--allowed-signers", str(desk.trust))
    assert code == 1
    assert f"{desk.trust}:4:" in out


def test_check_without_a_trust_file_is_a_usage_error(desk: Desk) -> None:
    code, out = trust("check")
    assert code == 2
    assert "no trust file is named" in out


# --- trust add ------------------------------------------------------------------------------------


def test_add_with_yes_appends_the_proposers_line_and_verify_then_trusts_them(desk: Desk) -> None:
    record = newcomer(desk)
    assert desk.verify(record)[0] == 1
    before = desk.trust.read_text()
    code, out = trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 0, out
    public = (desk.root / "keys" / "newcomer.pub").read_text().split()
    line = f'{PROPOSER_EMAIL} namespaces="smcheck-record" {public[0]} {public[1]}'
    assert desk.trust.read_text() == before + line + "\n"
    assert "Proposer:    Dr Helen Marsh <h.marsh@essex.ac.uk>" in out
    assert f"Line to add: {line}" in out
    assert f"Added {PROPOSER_EMAIL} to {desk.trust} (namespace smcheck-record)." in out
    code, out = desk.verify(record)
    assert code == 0 and "PASS" in row(out, "signature"), out
    # Twice is once.
    code, out = trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 0 and "already trusts this key" in out
    assert desk.trust.read_text() == before + line + "\n"


def test_add_to_a_file_without_a_final_newline(desk: Desk) -> None:
    desk.trust.write_text(desk.trust.read_text().rstrip("\n"))
    record = newcomer(desk)
    assert trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))[0] == 0
    assert desk.trust.read_text().count("\n") == 4
    assert desk.verify(record)[0] == 0


def test_add_without_a_terminal_or_yes_refuses_and_changes_nothing(desk: Desk) -> None:
    record = newcomer(desk)
    before = desk.trust.read_bytes()
    code, out = trust("add", "--allowed-signers", str(desk.trust), record.name)
    assert code == 2
    flat = " ".join(out.split())
    assert "there is no terminal to ask in: nothing added" in flat
    suggested = as_run(f"smcheck trust add --yes --allowed-signers {desk.trust} new.smcheck.toml")
    assert f"hint: once you have confirmed the key: {suggested}" in flat
    assert desk.trust.read_bytes() == before


@pytest.mark.parametrize(("typed", "added"), [("maybe\nyes\n", True), ("no\n", False), ("", False)])
def test_add_asks_yes_or_no_as_words(
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    typed: str,
    added: bool,
) -> None:
    record = newcomer(desk)
    capsys.readouterr()
    before = desk.trust.read_bytes()
    monkeypatch.setattr("sys.stdin", Keyboard(typed))
    code = command.add_run(record, allowed_signers=desk.trust, yes=False)
    err = capsys.readouterr().err
    assert f"Add {PROPOSER_EMAIL} to the trust file? [y/N] " in err
    assert code == (0 if added else 1)
    assert (desk.trust.read_bytes() != before) == added
    if not added:
        assert err.endswith("Nothing added.\n")


def test_add_refuses_a_key_already_trusted_for_someone_else(desk: Desk) -> None:
    record = desk.new(
        key="reviewer", output="odd.smcheck.toml"
    )  # the reviewer's key, H. Marsh's name
    before = desk.trust.read_bytes()
    code, out = trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 1
    flat = " ".join(out.split())
    assert "is already trusted in" in flat
    assert "for 'dmo@essex.ac.uk' (line 2), not for h.marsh@essex.ac.uk" in flat
    assert desk.trust.read_bytes() == before


def test_add_takes_a_key_from_a_pattern_line(desk: Desk) -> None:
    """A shared key on a pattern line is no one person's: a named line may still be added."""
    desk.key("newcomer")
    desk.trust_line("*@other.ac.uk", "newcomer", 'namespaces="smcheck-record"')
    record = desk.new(key="newcomer", output="new.smcheck.toml")
    assert trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))[0] == 0
    assert desk.verify(record)[0] == 0


@pytest.mark.parametrize("how", ["unsigned", "tampered"])
def test_add_refuses_a_record_that_does_not_verify_or_is_not_signed(desk: Desk, how: str) -> None:
    if how == "unsigned":
        record = desk.new(key=None)
        words = "is not signed by its proposer: there is no key to add"
    else:
        record = newcomer(desk)
        record.write_bytes(record.read_bytes().replace(b"essexhistory", b"essexhistorx", 1))
        words = "does not verify"
    before = desk.trust.read_bytes()
    code, out = trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 1
    assert words in " ".join(out.split())
    assert desk.trust.read_bytes() == before


def test_add_to_a_new_trust_file(desk: Desk) -> None:
    record = newcomer(desk)
    fresh = desk.root / "office" / "allowed_signers"
    code, out = trust("add", "--yes", "--allowed-signers", str(fresh), str(record))
    assert code == 0, out
    assert "(a new file)" in out
    assert fresh.read_text().startswith(
        f'{PROPOSER_EMAIL} namespaces="smcheck-record" ssh-ed25519 '
    )


def test_add_does_not_quietly_undo_a_line_that_ended(desk: Desk) -> None:
    """Someone who moved on (their line's valid-before has passed) is not added back by a second
    line: the office changes their line, if it means to."""
    record = desk.new()
    desk.lines[0] = desk.lines[0].replace(
        'namespaces="smcheck-record"', 'namespaces="smcheck-record",valid-before="20200101Z"'
    )
    desk.trust.write_text("\n".join(desk.lines) + "\n")
    before = desk.trust.read_bytes()
    code, out = trust("add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 1
    flat = " ".join(out.split())
    assert f"already names {PROPOSER_EMAIL} with this key, but does not trust it" in flat
    assert "expired at 2020-01-01 00:00:00 UTC" in flat
    assert "change line 1 of" in flat
    assert desk.trust.read_bytes() == before

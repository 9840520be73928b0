"""No command hides or dresses up a bad record: status, export, show, diff, renew and new --answers
OLD-RECORD each say what verify says, for every file they read (threat model case 20)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.records import EXAMPLE_ANSWERS

from smcheck.checklist import Value
from smcheck.cli import app


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.stdout, result.stderr


def approved(desk: Desk, output: str) -> Path:
    record = desk.new(output=output)
    assert desk.approve(record, "reviewer")[0] == 0
    assert desk.approve(record, "advancement", "--role", "advancement-office")[0] == 0
    return record


def tampered(source: Path, target: Path) -> Path:
    """A copy of a signed record with one answer edited (its signature no longer verifies)."""
    data = source.read_bytes()
    assert b"Tom Reid" in data
    target.write_bytes(data.replace(b"Tom Reid", b"Tim Reid"))
    return target


# --- status -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("good", "bad"),
    [("a.smcheck.toml", "z.smcheck.toml"), ("z.smcheck.toml", "a.smcheck.toml")],
    ids=["good-first", "bad-first"],
)
def test_a_tampered_copy_never_hides_nor_stands_for_the_good_record(
    desk: Desk, good: str, bad: str
) -> None:
    register = desk.root / "register"
    register.mkdir()
    record = approved(desk, f"register/{good}")
    copy = tampered(record, register / bad)
    code, out, _ = invoke("status", "--json", "--allowed-signers", str(desk.trust), str(register))
    assert code == 1
    data = json.loads(out)
    states = {Path(c["path"]).name: c["state"] for c in data["channels"]}
    assert states == {good: "approved", bad: "invalid"}
    (bad_row,) = [c for c in data["channels"] if c["state"] == "invalid"]
    assert "signature" in bad_row["detail"]
    (good_row,) = [c for c in data["channels"] if c["state"] == "approved"]
    assert any(f"{copy}: invalid" in note for note in good_row["notes"])
    code, text, _ = invoke("status", "--allowed-signers", str(desk.trust), str(register))
    assert code == 1
    assert text.startswith("1 channel: 1 approved; 1 file that does not verify")
    assert str(copy) in text


def test_a_draft_never_hides_an_invalid_record(desk: Desk) -> None:
    today = dt.datetime.now(dt.UTC)

    from smcheck import registry
    from smcheck.drafts import save_draft
    from smcheck.interview import Progress

    register = desk.root / "register"
    register.mkdir()
    record = desk.new(output="register/r.smcheck.toml")
    tampered(record, record)
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    answers: dict[str, Value] = {"channel.platform": "instagram", "channel.handle": "@essexhistory"}
    save_draft(
        register / "later.draft.toml",
        checklist,
        Progress(answers=answers),
        today.replace(microsecond=0),
    )
    code, out, _ = invoke("status", "--json", "--allowed-signers", str(desk.trust), str(register))
    assert code == 1
    states = sorted((c["state"], Path(c["path"]).name) for c in json.loads(out)["channels"])
    assert states == [("draft", "later.draft.toml"), ("invalid", "r.smcheck.toml")]


def test_a_co_signers_rejection_is_shown_as_rejected(desk: Desk) -> None:
    record = desk.new(output="register/r.smcheck.toml")
    assert desk.approve(record, "reviewer")[0] == 0
    code, out = desk.approve(
        record, "advancement", "--role", "advancement-office", "--decision", "rejected"
    )
    assert code == 0, out
    code, text, _ = invoke("status", "--allowed-signers", str(desk.trust), str(record.parent))
    assert code == 0
    assert text.startswith("1 channel: 1 rejected")
    assert "rejected by the Advancement Office" in text


def test_without_a_trust_file_status_claims_nothing_signatures_decide(desk: Desk) -> None:
    approved(desk, "register/r.smcheck.toml")
    code, out, _ = invoke("status", "--json", str(desk.root / "register"))
    assert code == 0
    (row,) = json.loads(out)["channels"]
    assert row["state"] == "not-checked"


def test_status_of_a_path_that_does_not_exist_is_a_usage_error(desk: Desk) -> None:
    code, _, err = invoke("status", str(desk.root / "nowhere"))
    assert code == 2 and "nowhere: no such file or folder" in err


# --- export, show, diff -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_export_of_a_tampered_record_opens_with_a_banner_that_says_why(
    desk: Desk, fmt: str
) -> None:
    record = approved(desk, "r.smcheck.toml")
    copy = tampered(record, desk.root / "copy.smcheck.toml")
    code, out, _ = invoke(
        "export", str(copy), "--format", fmt, "--allowed-signers", str(desk.trust)
    )
    assert code == 0
    head = out[: out.index("Tim Reid")]
    assert "DOES NOT VERIFY" in head
    assert "signature" in head and "does not verify" in head
    if fmt == "html":
        assert 'class="banner invalid" role="alert"' in head
    # The good record says so too, with its real state.
    code, out, _ = invoke(
        "export", str(record), "--format", fmt, "--allowed-signers", str(desk.trust)
    )
    body = out[out.index("<body>") :] if fmt == "html" else out
    assert "Approved:" in body[:600] and "approved" in body[:600]


def test_export_shows_each_signatures_real_status(desk: Desk) -> None:
    record = desk.new()
    assert (
        desk.approve(record, "reviewer", "--decision", "rejected", "--comment", "No deputy")[0] == 0
    )
    _, out, _ = invoke("export", str(record), "--allowed-signers", str(desk.trust))
    assert "rejected by dmo@essex.ac.uk" in out and "No deputy" in out
    assert (
        "smcheck verify accepted this record" in out
        and "rejected by the Digital Marketing Officer" in out
    )
    _, out, _ = invoke("export", str(record))  # no trust file: nothing is called trusted
    assert "not checked" in out and "trusted" not in out.replace("not checked", "")


def test_show_says_first_what_verify_says(desk: Desk) -> None:
    record = desk.new()
    copy = tampered(record, desk.root / "copy.smcheck.toml")
    _, out, _ = invoke("show", str(copy))
    assert out.startswith("smcheck verify: DOES NOT VERIFY")
    _, out, _ = invoke("show", str(record))
    assert out.startswith("smcheck verify: VALID")


def test_diff_says_when_either_record_fails(desk: Desk) -> None:
    record = desk.new()
    copy = tampered(record, desk.root / "copy.smcheck.toml")
    code, out, _ = invoke("diff", str(record), str(copy))
    assert code == 1
    assert re.search(r"^old: verifies", out, re.M) and re.search(
        r"^new: DOES NOT VERIFY", out, re.M
    )
    code, out, _ = invoke("diff", "--json", str(record), str(copy))
    data = json.loads(out)
    assert data["old_valid"] is True and data["new_valid"] is False
    assert data["new_state"] == "invalid"
    code, out, _ = invoke("diff", str(record), str(record))
    assert code == 0 and "new: verifies" in out


# --- renew and new --answers OLD-RECORD ---------------------------------------------------------


def test_new_answers_from_a_record_that_fails_verify_is_refused_unless_forced(desk: Desk) -> None:
    record = desk.new()
    copy = tampered(record, desk.root / "copy.smcheck.toml")
    out_path = desk.root / "again.smcheck.toml"
    code, _, err = invoke("new", "--answers", str(copy), "--agree", "--output", str(out_path))
    assert code == 1 and "does not verify" in err and "add --force" in err
    assert not out_path.exists()
    code, _, err = invoke(
        "new", "--answers", str(copy), "--agree", "--output", str(out_path), "--force"
    )
    assert code == 0, err
    assert "going on, as --force asks" in err and out_path.exists()
    # A record that verifies is taken as it is.
    code, _, err = invoke(
        "new", "--answers", str(record), "--agree", "--output", str(desk.root / "b.smcheck.toml")
    )
    assert code == 0, err


def test_renew_refuses_a_record_that_fails_verify(desk: Desk) -> None:
    record = desk.new()
    copy = tampered(record, desk.root / "copy.smcheck.toml")
    before = copy.read_bytes()
    code, _, err = invoke("renew", str(copy))
    assert code == 1 and "does not verify" in err and "--force" in err
    assert copy.read_bytes() == before
    code, _, err = invoke("renew", str(record))  # a good one gets as far as the terminal check
    assert code == 2 and "there is none here" in err


# --- a record's checklist id is an id, never a path --------------------------------------------


def test_a_checklist_id_that_looks_like_a_path_names_no_file(desk: Desk, tmp_path: Path) -> None:
    """A record or answers file naming ``../somewhere`` never makes smcheck read that file."""
    from smcheck import registry

    evil = tmp_path / "evil.toml"
    shutil.copyfile(registry.checklists_dir() / "essex-social-media.toml", evil)
    relative = Path("..") / Path(*[".."] * 10) / str(evil.with_suffix("")).lstrip("/")
    assert registry.by_id(str(relative)) is None
    assert registry.by_id(str(evil.with_suffix(""))) is None
    answers = desk.root / "answers.toml"
    answers.write_text(f'checklist = "{evil}"\n[answers.channel]\nplatform = "instagram"\n')
    code, _, err = invoke("new", "--answers", str(answers))
    assert code == 2 and "no shipped checklist with id" in err


# --- trust files people already have ------------------------------------------------------------


def test_a_trust_file_with_syntax_errors_lists_every_bad_line(desk: Desk) -> None:
    record = desk.new()
    bad = desk.root / "bad_signers"
    bad.write_text(
        desk.trust.read_text()
        + 'x@essex.ac.uk namespaces=git ssh-ed25519 AAAA\n"y@essex.ac.uk ssh-ed25519 A\n'
    )
    code, _, err = invoke("verify", "--allowed-signers", str(bad), str(record))
    assert code == 2
    assert f"  - {bad}:4: " in err and f"  - {bad}:5: " in err


# --- approve refuses up front what verify would refuse ------------------------------------------


def test_approve_refuses_one_key_in_two_roles_and_the_proposers_second_key(desk: Desk) -> None:
    desk.trust_line("dmo@essex.ac.uk", "reviewer", 'namespaces="smcheck-cosign-advancement-office"')
    desk.key("second")
    desk.trust_line("h.marsh@essex.ac.uk", "second", 'namespaces="smcheck-approval"')
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    before = record.read_bytes()
    code, out = desk.approve(record, "reviewer", "--role", "advancement-office")
    assert code == 1 and "already decided on this record as the Digital Marketing Officer" in out
    code, out = desk.approve(record, "second", "--role", "advancement-office")
    assert code == 1
    assert "may not decide as the Advancement Office" in out
    assert record.read_bytes() == before
    fresh = desk.new(output="fresh.smcheck.toml")
    code, out = desk.approve(fresh, "second")
    assert code == 1 and "no one decides on their own record" in out
    assert b'role = "reviewer"' not in fresh.read_bytes()


def test_approve_refuses_before_asking_for_a_passphrase(desk: Desk) -> None:
    """A refusal needs only the public key: a reviewer is never asked to unlock a key for nothing."""
    from smcheck.trust.keys import generate_key_pair

    locked = desk.root / "keys" / "locked"
    generate_key_pair(locked, passphrase=b"correct horse", comment="dmo2")
    desk.keys["locked"] = locked
    desk.trust_line("dmo2@essex.ac.uk", "locked", 'namespaces="smcheck-approval"')
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    code, out = desk.approve(record, "locked")
    assert code == 1 and "already carries a decision" in out and "passphrase" not in out


def test_keygen_prints_the_trust_line_for_the_role(tmp_path: Path) -> None:
    for role, namespace in (
        ("proposer", "smcheck-record"),
        ("reviewer", "smcheck-approval"),
        ("advancement-office", "smcheck-cosign-advancement-office"),
    ):
        code, out, _ = invoke(
            "keygen",
            "--output",
            str(tmp_path / role),
            "--email",
            "p.shah@essex.ac.uk",
            "--role",
            role,
        )
        assert code == 0
        assert out.startswith(f'p.shah@essex.ac.uk namespaces="{namespace}" ssh-ed25519 ')
    code, _, err = invoke("keygen", "--output", str(tmp_path / "x"), "--role", "../x")
    assert code == 2 and "--role takes" in err and not (tmp_path / "x").exists()


def test_show_and_diff_judge_with_the_trust_file_given(desk: Desk) -> None:
    record = approved(desk, "r.smcheck.toml")
    _, out, _ = invoke("show", str(record), "--allowed-signers", str(desk.trust))
    assert out.startswith("smcheck verify: VALID: approved")
    _, out, _ = invoke("show", str(record))
    assert out.startswith("smcheck verify: VALID: signatures not checked")
    code, out, _ = invoke(
        "diff", "--json", str(record), str(record), "--allowed-signers", str(desk.trust)
    )
    assert code == 0 and json.loads(out)["new_state"] == "approved"
    code, _, err = invoke(
        "diff", str(record), str(record), "--allowed-signers", str(desk.root / "none")
    )
    assert code == 2 and "the trust file cannot be used" in err


# --- every command treats every file it is given as hostile -------------------------------------

HOSTILE_FILES = {
    "fifo": None,
    "device": None,
    "link-to-fifo": None,
    "crlf": lambda good: good.replace(b"\n", b"\r\n"),
    "bom": lambda good: b"\xef\xbb\xbf" + good,
    "answers-file": lambda good: EXAMPLE_ANSWERS.read_bytes(),
    "schema-error": lambda good: good.replace(b"schema = 1\nid = ", b"schema = 1\nid = 7\nx = "),
    "empty": lambda good: b"",
    "markup-name": lambda good: good,
}


def hostile(desk: Desk, kind: str) -> Path:
    import os

    good = desk.new(output="good.smcheck.toml").read_bytes()
    name = (
        "x\x1b[31m[bold red]y\u202e.smcheck.toml"
        if kind == "markup-name"
        else f"{kind}.smcheck.toml"
    )
    path = desk.root / name
    if kind in ("fifo", "link-to-fifo"):
        fifo = desk.root / "pipe"
        os.mkfifo(fifo)
        if kind == "fifo":
            fifo.rename(path)
        else:
            path.symlink_to(fifo)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        make = HOSTILE_FILES[kind]
        assert make is not None
        path.write_bytes(make(good))
    return path


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", list(HOSTILE_FILES))
@pytest.mark.parametrize(
    "command",
    [
        "verify",
        "show",
        "show --signed-bytes",
        "sign",
        "approve",
        "export",
        "diff",
        "renew",
        "status",
    ],
)
def test_every_command_refuses_a_hostile_file_cleanly(desk: Desk, kind: str, command: str) -> None:
    """Never a traceback, never exit 3, never a wait; the file name never reaches the terminal raw."""
    path = hostile(desk, kind)
    args = command.split()
    if args[0] == "approve":
        args += ["--key", str(desk.keys["reviewer"]), "--allowed-signers", str(desk.trust)]
    if args[0] == "sign":
        args += ["--key", str(desk.keys["proposer"])]
    if args[0] == "diff":
        args.append(str(desk.root / "good.smcheck.toml"))
    target = str(path.parent) if args[0] == "status" else str(path)
    code, out, err = invoke(*args, target)
    if kind == "markup-name" or (kind == "schema-error" and command == "show --signed-bytes"):
        assert code in (0, 1, 2)  # a good record (or a good layout) under a hostile name
    else:
        assert code in (1, 2), (code, out, err)
    assert "\x1b[31m" not in out + err and "\u202e" not in out + err


@pytest.mark.pty
def test_show_never_writes_bytes_a_terminal_would_obey_to_a_terminal(tmp_path: Path) -> None:
    """--signed-bytes is for a pipe or a file: on a terminal, bytes holding escape sequences are
    refused (not altered: they must stay exact for ssh-keygen), with the command that writes them."""
    import pexpect
    from helpers.records import make_record_bytes
    from helpers.terminal import smcheck_script

    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(b"# \x1b]0;pwned\x07\n" + make_record_bytes())
    child = pexpect.spawn(
        smcheck_script(),
        ["show", str(record), "--signed-bytes"],
        env={"PATH": "/usr/bin:/bin", "SMCHECK_CONFIG": str(tmp_path / "none"), "NO_COLOR": "1"},
        timeout=30,
        encoding="utf-8",
    )
    output = child.read()
    child.close()
    assert child.exitstatus == 2
    assert "\x1b]0;pwned" not in output
    assert "these bytes hold characters a terminal would act on" in output
    assert "--signed-bytes > FILE" in output
    # Redirected, they are written exactly.
    code, _, _ = invoke("show", str(record), "--signed-bytes")
    assert code == 0

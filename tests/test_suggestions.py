"""Every command smcheck suggests works as typed, on the very file it names, whatever that file is called.

Each test makes a file with a hostile name (one that starts with ``-``, one whose bytes are not UTF-8,
spaces, quotes, ``$``, backticks, a newline), drives smcheck (the installed console script, as a person
would), takes the suggested command line from what it printed, runs it with ``bash -c`` (``smcheck`` on
the PATH) and checks that it did its job on that same file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest
from helpers.records import DATA, EXAMPLE_ANSWERS, make_record_bytes
from helpers.terminal import COLUMNS, ROWS, smcheck_script

from smcheck import registry
from smcheck.drafts import save_draft
from smcheck.interview import Progress
from smcheck.outcome import evaluate
from smcheck.text import shell_word, visible

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the suggestions are for bash")

NAMES = {
    "dash": b"-x.smcheck.toml",
    "not-utf8": b"caf\xe9.smcheck.toml",
    "spaces": b"my channel proposal.smcheck.toml",
    "shell": b'it\'s "$HOME" `id` $(id) \\ !x.smcheck.toml',
    "newline": b"two\nlines.smcheck.toml",
    "bidi": "evil\u202ecod.smcheck.toml".encode(),
    "mentions": b"-x smcheck verify.smcheck.toml",
    "dash-not-utf8": b"-\xff\tx.smcheck.toml",
}
"""File names (as bytes, as the file system holds them), by test id."""

SCRIPT = smcheck_script()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """smcheck's environment: on the PATH (so its messages write plain ``smcheck``), no config file."""
    child = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "SMCHECK_DEBUG")}
    child.update(
        PATH=f"{Path(SCRIPT).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        NO_COLOR="1",
        SMCHECK_CONFIG=str(tmp_path / "no-config.toml"),
        SMCHECK_DRAFTS=str(tmp_path / "drafts"),
        HOME=str(tmp_path),
    )
    return child


def smcheck(
    *args: str | bytes, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[bytes]:
    """The installed smcheck, without a terminal."""
    return subprocess.run(
        [SCRIPT, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def text(result: subprocess.CompletedProcess[bytes]) -> str:
    return (result.stdout + result.stderr).decode("utf-8", "replace")


def suggested(output: str, lead: str, *, until: str | None = None) -> str:
    """The command that follows ``lead`` on its line of ``output`` (up to ``until``, when given)."""
    lines = [line for line in output.splitlines() if lead in line]
    assert lines, f"{lead!r} not in:\n{output}"
    command = lines[0].split(lead, 1)[1]
    if until is not None:
        command = command.split(until, 1)[0]
    return command.strip()


def bash(command: str, *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """A suggested command, pasted into bash as it was printed."""
    assert command.isprintable(), command  # it was shown on a screen: nothing hidden in it
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def arg(name: bytes) -> bytes:
    """A file name as an argument to smcheck: a relative one starting with ``-`` is given as ``./-x``."""
    return b"./" + name if name.startswith(b"-") else name


# -- the one rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_shell_word_names_exactly_that_file_and_shows_as_it_is(
    name: bytes, tmp_path: Path
) -> None:
    (tmp_path / os.fsdecode(name)).write_bytes(b"the file's own bytes")
    for given in (Path(os.fsdecode(name)), os.fsdecode(name), tmp_path / os.fsdecode(name)):
        word = shell_word(given)
        assert visible(word) == word  # printed on screen exactly as it is
        assert not word.lstrip("$'").startswith("-")  # never read as an option
        ran = subprocess.run(
            ["bash", "-c", f"cat {word}"], cwd=tmp_path, capture_output=True, check=False
        )
        assert ran.stdout == b"the file's own bytes", (word, ran.stderr)


def test_a_shell_word_is_plain_when_it_can_be_and_an_absolute_name_keeps_its_form() -> None:
    assert shell_word(Path("channel.smcheck.toml")) == "channel.smcheck.toml"
    assert shell_word(Path("-x.smcheck.toml")) == "./-x.smcheck.toml"
    assert shell_word("/tmp/-x.toml") == "/tmp/-x.toml"
    assert shell_word("my file.toml") == "'my file.toml'"
    assert shell_word(os.fsdecode(b"caf\xe9.toml")) == "$'caf\\xe9.toml'"
    assert shell_word("caf\u00e9.toml") == "'caf\u00e9.toml'"  # a letter a terminal shows: as it is
    # An option's value that is not a file name is quoted, never changed.
    assert shell_word("-x", "value") == "-x"
    assert shell_word("a b", "value") == "'a b'"


# -- new: "Anyone can check it with" ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_new_suggests_a_verify_that_checks_the_record_it_wrote(
    name: bytes, tmp_path: Path, env: dict[str, str]
) -> None:
    made = smcheck(
        "new", "--answers", str(EXAMPLE_ANSWERS), "--agree", "--output", arg(name),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert made.returncode == 0, text(made)
    assert (tmp_path / os.fsdecode(name)).is_file()
    command = suggested(text(made), "Anyone can check it with: ")
    checked = bash(command, cwd=tmp_path, env=env)
    assert checked.returncode == 0, (command, text(checked))
    assert "VALID" in text(checked)


def test_a_name_that_mentions_smcheck_stays_whole_when_smcheck_is_not_on_the_path(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # Run by its path: the messages write that path for "smcheck" (as_run), never inside a file name.
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if p and p != str(Path(SCRIPT).parent)
    )
    assert shutil.which("smcheck", path=env["PATH"]) is None
    name = b"-a smcheck verify b.smcheck.toml"
    made = smcheck(
        "new", "--answers", str(EXAMPLE_ANSWERS), "--agree", "--output", arg(name),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert made.returncode == 0, text(made)
    command = suggested(text(made), "Anyone can check it with: ")
    assert command.startswith(f"{shell_word(SCRIPT)} verify ")
    checked = bash(command, cwd=tmp_path, env=env)
    assert checked.returncode == 0, (command, text(checked))
    assert "VALID" in text(checked)


TINY_ANSWERS = """
[answers.club]
name = "Chess Club"
kind = "sport"
has_owner = true
owner_email = "a@example.ac.uk"

[answers.web]
sites = ["insta", "site"]
url = "https://chess.example.ac.uk"

[signoff]
name = "Ann Smith"
email = "ann@example.ac.uk"
role = "Secretary"
department = "Students"
"""

CHECKLISTS = {
    "dash": b"-tiny.toml",
    "not-utf8": b"tiny \xe9 $x.toml",
    "newline": b"-two\nlines.toml",
}
"""Names of a checklist file of one's own (``--checklist FILE``), by test id."""


@pytest.mark.parametrize("checklist", CHECKLISTS.values(), ids=CHECKLISTS.keys())
def test_new_suggests_a_verify_that_names_the_checklist_file_given(
    checklist: bytes, tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / os.fsdecode(checklist)).write_bytes((DATA / "tiny.toml").read_bytes())
    (tmp_path / "tiny.answers.toml").write_text(TINY_ANSWERS, encoding="utf-8")
    made = smcheck(
        "new", "--checklist", arg(checklist), "--answers", "tiny.answers.toml", "--agree",
        "--output", "club.smcheck.toml", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert made.returncode == 0, text(made)
    command = suggested(text(made), "Anyone can check it with: ")
    assert command.startswith("smcheck verify --checklist ")
    checked = bash(command, cwd=tmp_path, env=env)
    assert checked.returncode == 0, (command, text(checked))
    assert "VALID" in text(checked)


# -- verify: the command that restores a file an editor re-saved ------------------------------------


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_verify_suggests_a_restore_command_that_restores_that_file(
    name: bytes, tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / os.fsdecode(name)).write_bytes(make_record_bytes().replace(b"\n", b"\r\n"))
    found = smcheck("verify", arg(name), cwd=tmp_path, env=env)
    assert found.returncode == 1, text(found)
    if "rename the file" in text(found):
        # A name a terminal would not show as it is: the advice is to rename it (no command).
        assert b"\n" in name or not os.fsdecode(name).isprintable()
        return
    command = suggested(text(found), "run: ")
    restored = bash(command, cwd=tmp_path, env=env)
    assert restored.returncode == 0, (command, text(restored))
    again = tmp_path / os.fsdecode(name.replace(b".smcheck.toml", b".restored.smcheck.toml"))
    assert again.read_bytes() == make_record_bytes()


# -- show, sign, export: a file that is not a record -------------------------------------------------


@pytest.mark.parametrize("command", ["show", "sign", "export"])
@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_command_that_cannot_read_a_record_suggests_verify_on_it(
    command: str, name: bytes, tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / os.fsdecode(name)).write_bytes(b"not a record\n")
    refused = smcheck(command, arg(name), cwd=tmp_path, env=env)
    assert refused.returncode in (1, 2), text(refused)
    suggestion = suggested(text(refused), "hint: ")
    assert suggestion.startswith("smcheck verify ")
    checked = bash(suggestion, cwd=tmp_path, env=env)
    # It read that file and found it invalid (exit 1); a name that named nothing would be exit 2.
    assert checked.returncode == 1, (suggestion, text(checked))
    assert "well-formed" in text(checked)


def test_sign_suggests_verify_on_a_record_that_does_not_verify(
    tmp_path: Path, env: dict[str, str]
) -> None:
    name = NAMES["dash-not-utf8"]
    data = make_record_bytes().replace(b"Essex History", b"Essex Histories", 1)
    (tmp_path / os.fsdecode(name)).write_bytes(data)
    refused = smcheck("sign", "--key", "nokey", arg(name), cwd=tmp_path, env=env)
    assert refused.returncode == 1, text(refused)
    suggestion = suggested(text(refused), "hint: see: ")
    checked = bash(suggestion, cwd=tmp_path, env=env)
    assert checked.returncode == 1, (suggestion, text(checked))
    assert "FAIL  integrity" in text(checked)


# -- diff: the record that does not verify ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_diff_names_a_record_that_does_not_verify_by_a_command_that_checks_it(
    name: bytes, tmp_path: Path, env: dict[str, str]
) -> None:
    good = make_record_bytes()
    (tmp_path / "old.smcheck.toml").write_bytes(good)
    tampered = good.replace(b"Essex History", b"Essex Histories", 1)
    (tmp_path / os.fsdecode(name)).write_bytes(tampered)
    compared = smcheck("diff", "old.smcheck.toml", arg(name), cwd=tmp_path, env=env)
    assert compared.returncode == 1, text(compared)
    command = suggested(text(compared), "): ")
    assert command.startswith("smcheck verify ")
    checked = bash(command, cwd=tmp_path, env=env)
    assert checked.returncode == 1, (command, text(checked))
    assert "FAIL  integrity" in text(checked)


# -- renew --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_renew_suggests_commands_that_work_on_the_old_record(
    name: bytes, tmp_path: Path, env: dict[str, str]
) -> None:
    old = tmp_path / os.fsdecode(name)
    old.write_bytes(make_record_bytes())
    # No terminal: renew without prompts, from the old record.
    refused = smcheck("renew", arg(name), cwd=tmp_path, env=env)
    assert refused.returncode == 2, text(refused)
    command = suggested(text(refused), "to renew without prompts: ")
    made = bash(command + " --output renewed.smcheck.toml", cwd=tmp_path, env=env)
    assert made.returncode == 0, (command, text(made))
    assert smcheck("verify", "renewed.smcheck.toml", cwd=tmp_path, env=env).returncode == 0
    # A record that does not verify: check it first.
    old.write_bytes(make_record_bytes().replace(b"Essex History", b"Essex Histories", 1))
    refused = smcheck("renew", arg(name), cwd=tmp_path, env=env)
    assert refused.returncode == 1, text(refused)
    command = suggested(text(refused), "check it with: ", until="; to ")
    checked = bash(command, cwd=tmp_path, env=env)
    assert checked.returncode == 1, (command, text(checked))
    assert "FAIL  integrity" in text(checked)


# -- drafts: discard and resume -----------------------------------------------------------------------

FOLDERS = {
    "dash": b"-drafts",
    "not-utf8": b"brouillons-\xe9t\xe9",
    "shell": b"my \"drafts\" $HOME `id` 'x'",
    "newline": b"two\nlines",
}
"""Drafts folders (``SMCHECK_DRAFTS``, relative to the working folder), by test id."""


def _draft(folder: Path) -> Path:
    """A draft of the Essex interview with its first answer given, saved in ``folder``."""
    essex = registry.by_id("essex-social-media")
    assert essex is not None
    started = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    return save_draft(
        folder / "instagram-essexhistory-20261102-093000.draft.toml",
        essex,
        Progress(answers={"channel.platform": "instagram"}),
        started,
    )


@pytest.mark.parametrize("folder", FOLDERS.values(), ids=FOLDERS.keys())
def test_drafts_discard_suggests_a_command_that_discards_that_draft(
    folder: bytes, tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env["SMCHECK_DRAFTS"] = os.fsdecode(folder)
    monkeypatch.setenv("SMCHECK_DRAFTS", os.fsdecode(folder))
    draft = _draft(Path(os.fsdecode(folder)))
    # The list shows each draft's path as a word to paste.
    listed = smcheck("drafts", cwd=tmp_path, env=env)
    assert listed.returncode == 0, text(listed)
    assert shell_word(draft) in text(listed)
    asked = smcheck("drafts", "discard", arg(os.fsencode(draft)), cwd=tmp_path, env=env)
    assert asked.returncode == 2, text(asked)
    command = suggested(text(asked), "to remove it without asking: ")
    assert draft.exists()
    gone = bash(command, cwd=tmp_path, env=env)
    assert gone.returncode == 0, (command, text(gone))
    assert not draft.exists()


@pytest.mark.parametrize("folder", FOLDERS.values(), ids=FOLDERS.keys())
def test_the_resume_suggestion_resumes_that_draft(
    folder: bytes,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from smcheck import session

    monkeypatch.chdir(tmp_path)
    env["SMCHECK_DRAFTS"] = os.fsdecode(folder)
    monkeypatch.setenv("SMCHECK_DRAFTS", os.fsdecode(folder))
    draft = _draft(Path(os.fsdecode(folder)))
    essex = registry.by_id("essex-social-media")
    assert essex is not None
    outcome = evaluate(essex, {}, today=dt.date(2026, 11, 2))
    assert session.stopped_short(outcome, draft, essex) == 1
    command = suggested(capsys.readouterr().err, "continue with: ")
    assert command.startswith("smcheck new --resume ")
    env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", PYTHONUTF8="1")
    child = pexpect.spawn(
        "bash",
        ["-c", command],
        env=env,
        cwd=str(tmp_path),
        dimensions=(ROWS, COLUMNS),
        timeout=30,
        encoding="utf-8",
        codec_errors="replace",
    )
    try:
        child.expect_exact("Resuming your draft")
        child.expect_exact("display name")  # the first question not answered in the draft
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


def test_every_command_is_written_as_smcheck_was_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # as_run knows the commands by name: a new command must be added to what it rewrites.
    import typer.core
    import typer.main

    from smcheck import text as text_module
    from smcheck.cli import app

    monkeypatch.setattr(text_module, "program", lambda: "'/opt/my tools/smcheck'")
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name in group.commands:
        assert text_module.as_run(f"run: smcheck {name} x") == (
            f"run: '/opt/my tools/smcheck' {name} x"
        )

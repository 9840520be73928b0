"""Modes that stay (issue 17, point 3): every command smcheck suggests during an interview carries the
mode the person used (--plain, a custom --checklist, the output path) and works as typed; plain mode
needs a terminal for input only, so its output may go to a pipe or a file."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from helpers.records import DATA
from helpers.terminal import ENTER, EXPECT_TIMEOUT, Terminal, plain, typed_as

from smcheck import session
from smcheck.checklist import Checklist
from smcheck.errors import Interrupted, UsageError
from smcheck.interview import Progress
from smcheck.outcome import evaluate
from smcheck.text import shell_word

TINY = DATA / "tiny.toml"
CURSOR_MOVES = re.compile(r"\x1b\[[0-9;]*[ABCDGHJK]|\x1b\[\?25[lh]")
"""What a plain, line-by-line mode must never write (testing-interactive.md)."""


class _Stream(io.StringIO):
    def __init__(self, text: str = "", *, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


# -- in process: the commands as built ------------------------------------------------------------


def test_the_resume_command_carries_plain_a_custom_checklist_and_the_output(
    tiny: Checklist,
) -> None:
    draft = Path("drafts/chess club.draft.toml")
    mode = session.Mode(plain=True, checklist=tiny, output=Path("-out.smcheck.toml"))
    assert mode.resume(draft) == (
        f"smcheck new --resume 'drafts/chess club.draft.toml' --plain --checklist"
        f" {shell_word(tiny.path)} --output ./-out.smcheck.toml"
    )
    # A key named with --sign-with is named again (a key in the config file needs no option).
    signed = session.Mode(sign_with=Path("keys/my key"))
    assert signed.resume(draft).endswith(" --sign-with 'keys/my key'")
    # After a taken output name, the command names another one instead (not two --output).
    assert mode.resume(draft, output=Path("OTHER")).endswith(" --output OTHER")
    # The shipped checklist is found without --checklist; the full-screen mode needs no option.
    assert session.Mode().resume(draft) == "smcheck new --resume 'drafts/chess club.draft.toml'"


def test_ctrl_d_in_plain_mode_suggests_a_resume_in_plain_mode(
    tiny: Checklist,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMCHECK_DRAFTS", str(tmp_path / "drafts"))
    monkeypatch.setattr(sys, "stdin", _Stream("Chess Club\n", tty=False))
    monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
    out = tmp_path / "club.smcheck.toml"
    draft = tmp_path / "drafts" / "new.draft.toml"
    with pytest.raises(Interrupted) as stopped:
        session.interview_to_record(
            tiny,
            Progress(),
            draft,
            session.utcnow(),
            out,
            False,
            None,
            resumed=False,
            plain=True,
        )
    hint = stopped.value.hint or ""
    saved = re.search(r"--resume (\S+)", hint)
    assert saved is not None and Path(saved.group(1)).is_file(), hint
    assert hint.endswith(
        f" --plain --checklist {shell_word(tiny.path)} --output {shell_word(out)}"
    ), hint
    # The draft itself says the same, in its first lines.
    assert (
        f"# Resume with: smcheck new --resume {saved.group(1)} --plain --checklist"
        f" {shell_word(tiny.path)} --output {shell_word(out)}\n"
        in Path(saved.group(1)).read_text(encoding="utf-8")
    )


def test_a_blocked_interview_says_how_to_continue_in_the_same_mode(tiny: Checklist) -> None:
    answers = {"club.name": "Chess Club", "club.kind": "sport", "club.has_owner": False}
    outcome = evaluate(tiny, answers, today=session.utcnow().date())  # type: ignore[arg-type]
    assert not outcome.status.can_sign_off  # club.no-owner
    err = _Stream(tty=False)
    saved_err = sys.stderr
    sys.stderr = err
    try:
        session.stopped_short(
            outcome, Path("d.draft.toml"), tiny, session.Mode(plain=True, checklist=tiny)
        )
    finally:
        sys.stderr = saved_err
    assert "continue with: smcheck new --resume d.draft.toml --plain --checklist" in err.getvalue()


@pytest.mark.parametrize(
    ("stdin", "stdout", "plain", "refused"),
    [
        (True, True, False, None),
        (True, False, True, None),  # smcheck new --plain | tee log
        (True, False, False, "add --plain"),
        (False, True, True, "there is none here"),
        (False, False, False, "there is none here"),
    ],
)
def test_plain_mode_needs_a_terminal_for_input_only(
    monkeypatch: pytest.MonkeyPatch, stdin: bool, stdout: bool, plain: bool, refused: str | None
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stream(tty=stdin))
    monkeypatch.setattr(sys, "stdout", _Stream(tty=stdout))
    if refused is None:
        session.need_terminal("smcheck new", plain, "smcheck new --answers FILE")
        return
    with pytest.raises(UsageError) as error:
        session.need_terminal("smcheck new", plain, "without one: smcheck new --answers FILE")
    said = f"{error.value.message} {error.value.hint}"
    assert refused in said


# -- in a real terminal: the installed command, as a person runs it ----------------------------------


def _in_bash(command: str, env: dict[str, str], workdir: Path) -> Terminal:
    """``command`` run by bash in a terminal, as a person pastes it."""
    term = Terminal(
        pexpect.spawn(
            "bash",
            ["-c", command],
            env=env,
            cwd=str(workdir),
            dimensions=(60, 220),
            timeout=EXPECT_TIMEOUT,
            encoding="utf-8",
        )
    )
    term.child.logfile_read = term.log
    return term


@pytest.mark.pty
def test_after_ctrl_c_in_plain_mode_the_suggested_command_continues_in_plain_mode(
    spawn: Callable[..., Terminal], env: dict[str, str], workdir: Path
) -> None:
    term = spawn("new", "--plain", "--checklist", str(TINY), "--output", "club.smcheck.toml")
    term.answer("Answer: ", "Chess Club" + ENTER)
    term.expect("What kind of club?")
    term.expect("Answer: ")
    term.child.sendcontrol("c")
    assert term.finish() == 130
    said = " ".join(term.transcript.split())
    found = re.search(r"continue with: (\S+ new --resume .*? --output club\.smcheck\.toml)", said)
    assert found is not None, said
    command = found.group(1)
    assert command.startswith(typed_as(env) + " new --resume ")
    assert f" --plain --checklist {shell_word(TINY)} " in command

    # Run as typed: it continues line by line (no cursor movement), at the next question.
    again = _in_bash(command, env, workdir)
    before = again.expect("Answer: ")
    assert "What kind of club?" in before
    assert "Club name?" not in before  # answered already
    again.child.sendcontrol("c")
    assert again.finish() == 130
    assert not CURSOR_MOVES.search(again.log.getvalue())


@pytest.mark.pty
def test_a_draft_begun_in_plain_mode_goes_on_in_plain_mode(
    spawn: Callable[..., Terminal], env: dict[str, str], workdir: Path
) -> None:
    """A screen-reader user stops, and later comes back by ``smcheck drafts`` or a bare ``smcheck new
    --resume``: the interview goes on line by line, without --plain typed again."""
    term = spawn("new", "--plain", "--checklist", str(TINY))
    term.answer("Answer: ", "Chess Club" + ENTER)
    term.expect("What kind of club?")
    term.expect("Answer: ")
    term.child.sendcontrol("c")
    assert term.finish() == 130

    # smcheck drafts suggests the command the draft's own first lines give: with --plain.
    listed = _in_bash(f"{typed_as(env)} drafts", env, workdir)
    assert listed.finish() == 0
    said = plain(listed.log.getvalue())
    found = re.search(r"Resume the latest with: (.*?)\r?\n", said)
    assert found is not None, said
    assert f" --plain --checklist {shell_word(TINY.resolve())}" in found.group(1)
    again = _in_bash(found.group(1), env, workdir)
    assert "What kind of club?" in again.expect("Answer: ")
    again.child.sendcontrol("c")
    assert again.finish() == 130
    assert not CURSOR_MOVES.search(again.log.getvalue())

    # A bare --resume (the only draft in progress) goes on in plain mode too, and says so.
    bare = _in_bash(f"{typed_as(env)} new --resume", env, workdir)
    before = plain(bare.expect("Answer: "))
    assert "begun in plain mode: it goes on line by line" in " ".join(before.split())
    assert "What kind of club?" in before
    bare.child.sendcontrol("c")
    assert bare.finish() == 130
    assert not CURSOR_MOVES.search(bare.log.getvalue())

    # SMCHECK_PLAIN=0 turns it off: the full-screen prompts.
    full = _in_bash(f"SMCHECK_PLAIN=0 {typed_as(env)} new --resume", env, workdir)
    full.expect("What kind of club?")
    full.child.sendcontrol("c")
    full.finish()
    assert "begun in plain mode" not in full.log.getvalue()
    assert CURSOR_MOVES.search(full.log.getvalue())


@pytest.mark.pty
def test_plain_mode_asks_with_its_output_going_to_a_pipe(
    env: dict[str, str], workdir: Path
) -> None:
    """``smcheck new --plain | tee log``: stdin is the keyboard (a terminal), stdout a pipe."""
    term = _in_bash(
        f"{typed_as(env)} new --plain --checklist {shell_word(TINY)} | cat > log", env, workdir
    )
    before = term.answer("Answer: ", "Chess Club" + ENTER)
    assert "Club name?" in before
    assert "there is none here" not in before
    term.expect("What kind of club?")
    term.child.sendcontrol("c")
    term.finish()
    assert "Your answers are saved" in plain(term.log.getvalue()).replace("\n", " ")

"""smcheck.errorhandler: the one place a failure becomes an exit code, for every run (the console
script and a test's runner alike): a known error exit 1 or 2 with one line and its hint, output that
cannot be written exit 1, Ctrl-C 130, a bug 3. Nothing else in the package chooses an exit code."""

from __future__ import annotations

import ast
import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.commands import checklist
from smcheck.errorhandler import error_handler
from smcheck.errors import CannotOpen, FileProblem, Interrupted, SmcheckError, UsageError
from smcheck.trust.agent import NotInAgent

PACKAGE = Path(__file__).resolve().parent.parent / "smcheck"
BUG_HINT = "  hint: this is a bug in smcheck; run again with SMCHECK_DEBUG=1 for the details and report it\n"

runner = CliRunner()


def failing(error: BaseException) -> Callable[..., int]:
    def run(**kwargs: object) -> int:
        raise error

    return run


def run_failing(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """``smcheck checklist list``, its command raising ``error``."""
    monkeypatch.setattr(checklist, "run_list", failing(error))
    result = runner.invoke(app, ["checklist", "list"], env=env)
    assert isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("error", "code", "said"),
    [
        (
            SmcheckError("it failed", hint="do this"),
            1,
            "smcheck: error: it failed\n  hint: do this\n",
        ),
        (UsageError("called wrongly"), 2, "smcheck: error: called wrongly\n"),
        (CannotOpen("r.toml", "no such file"), 2, "smcheck: error: r.toml: no such file\n"),
        (
            FileProblem("r.toml", ["r.toml:1: one", "r.toml:2: two"], hint="fix it"),
            1,
            "smcheck: error: r.toml:1: one (and 1 more)\n  - r.toml:1: one\n  - r.toml:2: two\n"
            "  hint: fix it\n",
        ),
        (NotInAgent("not in the agent"), 1, "smcheck: error: not in the agent\n"),
        (
            SmcheckError("[red]x[/] \x1b[31m\u202e"),
            1,
            "smcheck: error: [red]x[/] \\x1b[31m\\u202e\n",
        ),
    ],
    ids=["known", "usage", "cannot-open", "details", "subclass", "hostile"],
)
def test_a_known_error_is_one_line_its_hint_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, error: SmcheckError, code: int, said: str
) -> None:
    assert run_failing(monkeypatch, error) == (code, "", said)


def test_an_interrupted_interview_says_where_the_draft_is_and_exits_130(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = Interrupted("Stopped: your draft is saved.", hint="smcheck new --resume")
    code, out, err = run_failing(monkeypatch, error)
    assert (code, out) == (130, "")
    assert err == "\nStopped: your draft is saved.\n  smcheck new --resume\n"


def test_ctrl_c_exits_130_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_failing(monkeypatch, KeyboardInterrupt()) == (130, "", "")
    with pytest.raises(SystemExit) as stopped, error_handler():
        raise KeyboardInterrupt
    assert stopped.value.code == 130


def test_output_that_cannot_be_written_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    said = "smcheck: cannot write the output (No space left on device)\n"
    assert run_failing(monkeypatch, error) == (1, "", said)


def test_a_bug_is_one_line_asking_for_a_report_and_exit_3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = "smcheck: internal error: ValueError: a bug\n" + BUG_HINT
    assert run_failing(monkeypatch, ValueError("a bug")) == (3, "", said)
    # An OSError that is not about the output is a bug too (smcheck's own files raise known errors).
    said = "smcheck: internal error: FileNotFoundError: [Errno 2] gone\n" + BUG_HINT
    assert run_failing(monkeypatch, FileNotFoundError(errno.ENOENT, "gone")) == (3, "", said)


def test_a_bug_shows_its_traceback_with_smcheck_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checklist, "run_list", failing(ValueError("a bug")))
    result = runner.invoke(app, ["checklist", "list"], env={"SMCHECK_DEBUG": "1"})
    assert isinstance(result.exception, ValueError) and str(result.exception) == "a bug"


def test_a_known_error_outside_a_command_is_told_as_one_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The handler is around the whole program, not only each command's run: here the command line is
    # being parsed when it fails.
    import typer.core

    def refuse(self: object, ctx: object, args: list[str]) -> list[str]:
        raise UsageError("not now", hint="later")

    monkeypatch.setattr(typer.core.TyperGroup, "parse_args", refuse)
    result = runner.invoke(app, ["checklist", "list"])
    assert (result.exit_code, result.stderr) == (2, "smcheck: error: not now\n  hint: later\n")


def test_the_console_script_maps_errors_as_the_runner_does(tmp_path: Path) -> None:
    # From the console script: a file that cannot be opened (known, exit 2) and a bug (exit 3).
    def smcheck(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
        program = f"{code}\nfrom smcheck.cli import main\nmain()"
        return subprocess.run(
            [sys.executable, "-c", program, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env={k: v for k, v in os.environ.items() if k != "SMCHECK_DEBUG"},
        )

    done = smcheck("verify", "missing.smcheck.toml")
    assert done.returncode == 2 and done.stderr.startswith("smcheck: error: missing.smcheck.toml")
    bug = "import smcheck.commands.checklist as c\ndef run_list(**k): raise ValueError('a bug')\n"
    done = smcheck("checklist", "list", code=bug + "c.run_list = run_list")
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == "smcheck: internal error: ValueError: a bug\n" + BUG_HINT


def test_nothing_else_chooses_an_exit_code() -> None:
    """Only the error handler exits (and cli.py's dispatch, with a command's own code); cli.py catches
    nothing."""
    exits: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(PACKAGE))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and name == "cli.py":
                exits.append(f"{name}: try")
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and ast.unparse(called) in (
                "sys.exit",
                "os._exit",
            ):
                exits.append(f"{name}: {ast.unparse(called)}")
            if isinstance(node, ast.Raise) and node.exc is not None:
                raised = ast.unparse(node.exc)
                if raised.startswith(("SystemExit", "typer.Exit")):
                    exits.append(f"{name}: raise {raised}")
    allowed = {"errorhandler.py", "manpage.py"}  # manpage.py: its own script's exit (python -m)
    assert [e for e in exits if e.split(":")[0] not in allowed] == [
        # The entry point's verify without typer: the command's own code, under the handler.
        "__main__.py: raise SystemExit(command.run(**arguments))",
        "cli.py: raise typer.Exit()",  # --version: done
        "cli.py: raise typer.Exit(code)",  # _run: the command's own code
    ]

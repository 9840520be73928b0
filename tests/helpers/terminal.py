"""The installed ``smcheck`` in a real pseudo-terminal (pexpect), for the end-to-end tests.

The child gets ``PROMPT_TOOLKIT_NO_CPR=1`` (no wait for cursor-position replies), ``NO_COLOR=1``, a wide
terminal so nothing wraps, its own drafts folder (``SMCHECK_DRAFTS``) and a temporary working folder.
The fixtures (``workdir``, ``drafts``, ``env``, ``spawn``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pexpect
import pytest

EXPECT_TIMEOUT = 15
ROWS, COLUMNS = 60, 220

ENTER = "\r"
DOWN = "\x1b[B"
CTRL_C = "\x03"

DRAWING_VARIABLES = frozenset(
    {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "SMCHECK_DEBUG"}
)
"""Environment variables of the caller that would change what the child draws (or how it fails)."""

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def plain(text: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return _ESCAPES.sub("", text).replace("\r", "")


def typed_as(env: dict[str, str]) -> str:
    """How smcheck's messages write the command: ``smcheck`` when the child's PATH finds this same
    program, else the path it was run by (so that every command it suggests works as typed)."""
    script = smcheck_script()
    found = shutil.which("smcheck", path=env.get("PATH"))
    return "smcheck" if found and Path(found).samefile(script) else script


def smcheck_script() -> str:
    """The installed console script: beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name("smcheck")
    if beside.is_file():
        return str(beside)
    found = shutil.which("smcheck")
    if found is None:
        pytest.fail("the smcheck console script is not installed (pip install -e .)")
    return found


@dataclass
class Terminal:
    """One spawned ``smcheck`` in a pseudo-terminal, with everything it drew kept in a transcript."""

    child: pexpect.spawn
    log: io.StringIO = field(default_factory=io.StringIO)

    def expect_any(self, texts: list[str]) -> int:
        """Wait for the first of ``texts`` to be drawn; its index. On a timeout or an early end, fail
        with the end of what was drawn (plain), not pexpect's dump of its buffer."""
        try:
            return int(self.child.expect_exact(texts))
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            seen = self.transcript[-3000:]
            pytest.fail(
                f"{type(exc).__name__} waiting for {texts[:3]}{'...' if len(texts) > 3 else ''};"
                f" the terminal ends with:\n{seen}"
            )

    def expect(self, text: str) -> str:
        """Wait for ``text``; return (plain) what was drawn since the last match."""
        self.expect_any([text])
        return plain(self.child.before)

    def answer(self, prompt: str, keys: str) -> str:
        """Wait for a prompt, type ``keys``; return (plain) what was drawn before the prompt."""
        before = self.expect(prompt)
        self.child.send(keys)
        return before

    def finish(self) -> int:
        """Wait for the end; the exit status."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus is not None, f"killed by signal {self.child.signalstatus}"
        return int(self.child.exitstatus)

    @property
    def transcript(self) -> str:
        return plain(self.log.getvalue())


def start_terminal(args: Sequence[str], *, env: dict[str, str], cwd: Path) -> Terminal:
    """The installed smcheck in a real pseudo-terminal, wide enough that prompts do not wrap."""
    log = io.StringIO()
    child = pexpect.spawn(
        smcheck_script(),
        list(args),
        env=env,
        cwd=str(cwd),
        dimensions=(ROWS, COLUMNS),
        timeout=EXPECT_TIMEOUT,
        encoding="utf-8",
        codec_errors="replace",
    )
    child.logfile_read = log
    return Terminal(child, log)


def verify(record: Path, *extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [smcheck_script(), "verify", *extra, str(record)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


def sign_off(term: Terminal) -> None:
    term.answer("Your full name", "Ann Smith" + ENTER)
    term.answer("Your email address", "ann@example.ac.uk" + ENTER)
    term.answer("Your role", "Club secretary" + ENTER)
    term.answer("Your department", "Students" + ENTER)
    term.answer("Do you make this declaration?", "yes" + ENTER)

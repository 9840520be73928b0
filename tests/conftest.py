"""Shared fixtures: the shipped Essex checklist, the tiny second checklist, and valid records to tamper with."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.terminal import DRAWING_VARIABLES, Terminal, start_terminal

from smcheck import registry
from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist
from smcheck.loader import load_checklist
from smcheck.outcome import evaluate
from smcheck.record import MARKER, build_record, render, sha256

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_ANSWERS = ROOT / "checklists" / "examples" / "essex-history-instagram.answers.toml"
FIXED_NOW = dt.datetime(2026, 11, 2, 9, 30, 0, tzinfo=dt.UTC)
FIXED_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
TINY_WARNING_ANSWERS: dict[str, Any] = {
    "club.name": "Chess Club",
    "club.kind": "sport",
    "club.has_owner": True,
    "club.owner_email": "a@example.ac.uk",
    "web.sites": ("insta", "site"),
    "web.url": "https://chess.example.ac.uk",
}
"""Answers to the tiny checklist that are ready, with one warning (web.plain-http)."""


@pytest.fixture(autouse=True)
def no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read the developer's own config file or trust file."""
    monkeypatch.setenv("SMCHECK_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.toml"))
    monkeypatch.delenv("SMCHECK_ALLOWED_SIGNERS", raising=False)


@pytest.fixture(scope="session")
def essex() -> Checklist:
    """The shipped Essex checklist."""
    found = registry.by_id("essex-social-media")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def tiny() -> Checklist:
    """A second, tiny checklist that shares no content with Essex."""
    return load_checklist(DATA / "tiny.toml")


def make_record_bytes(checklist: Checklist | None = None, now: dt.datetime = FIXED_NOW) -> bytes:
    """A valid record made from the shipped example answers, at a fixed time with a fixed id."""
    checklist = checklist or registry.by_id("essex-social-media")
    assert checklist is not None
    file = load_answers_file(EXAMPLE_ANSWERS)
    applied = apply_answers(checklist, file, today=now.date())
    assert not applied.problems, applied.problems
    assert applied.signoff is not None
    outcome = evaluate(checklist, applied.answers, today=now.date())
    record = build_record(
        checklist, applied.answers, outcome, applied.signoff, now=now, record_id=FIXED_ID
    )
    return render(record)


@pytest.fixture
def record_bytes() -> bytes:
    """The bytes of a valid record."""
    return make_record_bytes()


def reseal(data: bytes) -> bytes:
    """Recompute the unsigned digest after editing the content, as anyone who edits a record can.

    Lets a test alter one thing and fail exactly one check rather than the integrity check too.
    """
    start = data.index(MARKER)
    content = data[:start]
    return re.sub(rb'digest = "[0-9a-f]{64}"', f'digest = "{sha256(content)}"'.encode(), data)


def edit(data: bytes, old: bytes, new: bytes, *, count: int = 1) -> bytes:
    """Replace ``old`` by ``new`` in record bytes (asserting it is there) and reseal."""
    assert old in data, old
    return reseal(data.replace(old, new, count))


# -- the pseudo-terminal tests' fixtures (helpers.terminal has the rest) ----------------------------


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    return tmp_path / "drafts"


@pytest.fixture
def env(drafts: Path, tmp_path: Path) -> dict[str, str]:
    """The child's environment: the caller's, without anything that changes what is drawn."""
    child = {k: v for k, v in os.environ.items() if k not in DRAWING_VARIABLES}
    child.update(
        PROMPT_TOOLKIT_NO_CPR="1",
        NO_COLOR="1",
        TERM="xterm",
        PYTHONUTF8="1",
        SMCHECK_DRAFTS=str(drafts),
        HOME=str(tmp_path),
    )
    return child


@pytest.fixture
def spawn(env: dict[str, str], workdir: Path) -> Iterator[Callable[..., Terminal]]:
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        terminal = start_terminal(args, env=env, cwd=workdir)
        started.append(terminal)
        return terminal

    yield start
    for terminal in started:
        if terminal.child.isalive():
            terminal.child.terminate(force=True)

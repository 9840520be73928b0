"""Shared fixtures: the shipped Essex checklist, the tiny second checklist, and valid records to tamper with."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.records import (
    DATA,
    make_record_bytes,
)
from helpers.terminal import DRAWING_VARIABLES, Terminal, start_terminal

from smcheck import registry
from smcheck.checklist import Checklist
from smcheck.loader import load_checklist


@pytest.fixture(autouse=True)
def no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read the developer's own config file, trust file or key (the one ``smcheck keygen``
    makes, in the user's data folder, is found by ``sign`` and ``approve`` when none is named)."""
    monkeypatch.setenv("SMCHECK_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "no-data"))
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


@pytest.fixture
def record_bytes() -> bytes:
    """The bytes of a valid record."""
    return make_record_bytes()


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

"""The user config file: optional, strict, paths resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from smcheck.config import load_config
from smcheck.errors import FileProblem


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("SMCHECK_CONFIG", str(path))
    return path


def test_no_config_file_is_an_empty_config(config_file: Path) -> None:
    assert load_config() == (None, None, None, None)


def test_paths_are_resolved(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config_file.write_text(
        '[signing]\nkey = "~/.ssh/id_ed25519"\n[verify]\nallowed_signers = "trust/allowed"\nrevoked = "/etc/revoked"\n'
    )
    config = load_config()
    assert config.key == tmp_path / "home" / ".ssh" / "id_ed25519"
    assert config.allowed_signers == tmp_path / "trust" / "allowed"
    assert config.revoked == Path("/etc/revoked")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[signing]\nkey = 1\n", "signing.key: must be a string, not an integer"),
        ('[signing]\nkeys = "x"\n', "signing.keys: unknown key"),
        ("[colour]\n", "colour: unknown key"),
        ("[signing\n", "is not valid TOML"),
    ],
)
def test_a_bad_config_names_the_place(config_file: Path, text: str, problem: str) -> None:
    config_file.write_text(text)
    with pytest.raises(FileProblem) as info:
        load_config()
    assert problem in str(info.value)
    assert str(config_file) in str(info.value)

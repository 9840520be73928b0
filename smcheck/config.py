"""The user's config file: defaults for the signing key and the trust files.

``$SMCHECK_CONFIG`` names it, else ``config.toml`` in the user's config folder (``~/.config/smcheck/`` on
Linux). Every key is optional::

    [signing]
    key = "~/.ssh/id_ed25519"          # smcheck new --sign-with, sign, approve

    [verify]
    allowed_signers = "~/.config/smcheck/allowed_signers"
    revoked = "~/.config/smcheck/revoked_keys"

Paths may start with ``~``; relative paths are taken from the config file's folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from smcheck.errors import CannotOpen, FileProblem
from smcheck.fsutil import read_regular
from smcheck.tomlread import Problems, Table, TomlProblem, loads_guarded

MAX_CONFIG_BYTES = 64 * 1024

ALLOWED_SIGNERS_ENV = "SMCHECK_ALLOWED_SIGNERS"
"""An environment variable naming the trust file (between --allowed-signers and the config file)."""


class Config(NamedTuple):
    """What the config file says (None where it says nothing)."""

    path: Path | None
    key: Path | None
    allowed_signers: Path | None
    revoked: Path | None


def config_path() -> Path:
    """Where the config file is looked for."""
    override = os.environ.get("SMCHECK_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path("smcheck", appauthor=False) / "config.toml"


def load_config() -> Config:
    """Read the config file strictly; an absent file is an empty config."""
    path = config_path()
    if not path.exists() and not path.is_symlink():
        return Config(None, None, None, None)
    try:
        data = read_regular(path, MAX_CONFIG_BYTES)
    except CannotOpen as exc:
        raise FileProblem(str(path), [exc.message]) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise FileProblem(str(path), [f"{path}: larger than {MAX_CONFIG_BYTES} bytes"])
    problems = Problems(str(path))
    try:
        doc = loads_guarded(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise FileProblem(str(path), [f"{path}: not UTF-8 text"]) from None
    except TomlProblem as exc:
        raise FileProblem(str(path), [f"{path}: {exc.message}"]) from None
    top = Table(doc, "", problems)
    signing = top.table("signing", required=False)
    verify = top.table("verify", required=False)
    top.finish()
    key = signing.string("key", required=False) if signing else None
    if signing:
        signing.finish()
    allowed = verify.string("allowed_signers", required=False) if verify else None
    revoked = verify.string("revoked", required=False) if verify else None
    if verify:
        verify.finish()
    if problems:
        raise FileProblem(
            str(path),
            problems.lines,
            hint="the config file has [signing] key and [verify] allowed_signers, revoked",
        )

    def resolve(value: str | None) -> Path | None:
        if value is None:
            return None
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else path.parent / candidate

    return Config(path, resolve(key), resolve(allowed), resolve(revoked))

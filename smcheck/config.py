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

_WHERE = "the config file is $SMCHECK_CONFIG when it is set, else config.toml in your config folder"

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


def default_key_path() -> Path:
    """Where ``smcheck keygen`` writes a key when it is given no ``--output``, and where ``sign`` and
    ``approve`` look for one when neither ``--key`` nor this file names one (as ssh looks for its
    ``~/.ssh/id_ed25519``): the user's data folder."""
    from platformdirs import user_data_path

    return user_data_path("smcheck", appauthor=False) / "keys" / "id_ed25519"


def signing_key_path(flag: Path | None = None) -> Path | None:
    """The key to sign with, as ``sign`` and ``approve`` find it: ``flag`` (``--key``), else the config
    file's ``[signing] key``, else the one ``smcheck keygen`` made (:func:`default_key_path`) when there
    is one; None when there is none."""
    made = default_key_path()
    return flag or load_config().key or (made if made.is_file() else None)


def load_config() -> Config:
    """Read the config file strictly; an absent file is an empty config."""
    path = config_path()
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return Config(None, None, None, None)
    except (OSError, ValueError) as exc:
        # A name too long, or one the system refuses (the variable is anyone's to set): said, not a
        # crash. ValueError is an embedded NUL, which no environment variable can hold but a test can.
        reason = exc.strerror if isinstance(exc, OSError) else "not a file name"
        raise FileProblem(str(path), [f"{path}: cannot read ({reason})"], hint=_WHERE) from None
    try:
        data = read_regular(path, MAX_CONFIG_BYTES)
    except CannotOpen as exc:
        raise FileProblem(str(path), [exc.message], hint=_WHERE) from None
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

    def resolve(value: str | None, where: str) -> Path | None:
        if value is None:
            return None
        try:
            candidate = Path(value).expanduser()
        except RuntimeError:
            # ~name for a user this machine does not know, or no home folder at all: pathlib raises.
            user = value[1:].split("/", 1)[0].split("\\", 1)[0]
            raise FileProblem(
                str(path),
                [
                    f"{path}: {where}: {value!r} starts with ~{user}, but"
                    f" {'no home folder is known' if not user else f'there is no user {user!r}'}"
                    " on this computer"
                ],
                hint="write the path in full, or start it with ~/ for your own home folder",
            ) from None
        return candidate if candidate.is_absolute() else path.parent / candidate

    return Config(
        path,
        resolve(key, "signing.key"),
        resolve(allowed, "verify.allowed_signers"),
        resolve(revoked, "verify.revoked"),
    )

"""Where the reviewer's trust comes from: ``--allowed-signers``, ``$SMCHECK_ALLOWED_SIGNERS`` or the
config file, and the revoked keys. Kept apart from :mod:`smcheck.trust.allowed` so that a command can
hold a loader at no cost and read the file (and load ``cryptography``) only for a signed record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from smcheck.errors import SmcheckError, UsageError

if TYPE_CHECKING:
    from smcheck.trust.allowed import TrustFile

Loaded: TypeAlias = "tuple[TrustFile | None, frozenset[bytes]]"
"""The reviewer's trust file (None when none is given) and the revoked keys' wire blobs."""


def resolve_trust(flag: Path | None, revoked_flag: Path | None = None) -> Loaded:
    """The trust file from ``--allowed-signers``, then ``$SMCHECK_ALLOWED_SIGNERS``, then the config
    file; the revoked keys from ``--revoked``, then the config file."""
    import os

    from smcheck.config import ALLOWED_SIGNERS_ENV, load_config
    from smcheck.trust.allowed import load_allowed_signers, load_revoked

    config = load_config()
    env = os.environ.get(ALLOWED_SIGNERS_ENV)
    path = flag or (Path(env) if env else None) or config.allowed_signers
    trust = load_allowed_signers(path) if path is not None else None
    revoked_path = revoked_flag or config.revoked
    revoked = load_revoked(revoked_path) if revoked_path is not None else frozenset()
    return trust, revoked


def trust_loader(
    flag: Path | None,
    revoked_flag: Path | None = None,
    *,
    notify: Callable[[str], None] | None = None,
) -> Callable[[], Loaded]:
    """The trust file and revoked keys, loaded on the first call and kept.

    verify calls it only for a signed record, so the config and cryptography stay unloaded for unsigned
    ones. A trust file that cannot be used is one usage error (every bad line listed), not a bad record.
    ``notify`` is given each note about a skipped line, once.
    """
    loaded: list[Loaded] = []

    def load() -> Loaded:
        if not loaded:
            try:
                result = resolve_trust(flag, revoked_flag)
            except SmcheckError as exc:
                raise UsageError(
                    f"the trust file cannot be used: {exc.message}",
                    hint=exc.hint,
                    details=exc.details,
                ) from None
            loaded.append(result)
            if notify is not None and result[0] is not None:
                for note in result[0].notes:
                    notify(note)
        return loaded[0]

    return load


def reviewer_loader(
    flag: Path | None, revoked_flag: Path | None, *, notify: Callable[[str], None] | None
) -> Callable[[], Loaded]:
    """:func:`trust_loader` for a command given ``--allowed-signers`` / ``--revoked``: a file named on
    the command line is checked at once, even when no record turns out to be signed."""
    load = trust_loader(flag, revoked_flag, notify=notify)
    if flag is not None or revoked_flag is not None:
        load()
    return load

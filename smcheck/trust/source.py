"""Where the reviewer's trust comes from: ``--allowed-signers``, ``$SMCHECK_ALLOWED_SIGNERS`` or the
config file, and the revoked keys. Kept apart from :mod:`smcheck.trust.allowed` so that a command can
hold a loader at no cost and read the file (and load ``cryptography``) only for a signed record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from smcheck.errors import SmcheckError, UsageError

if TYPE_CHECKING:
    from smcheck.trust.allowed import TrustFile

Loaded: TypeAlias = "tuple[TrustFile | None, frozenset[bytes]]"
"""The reviewer's trust file (None when none is given) and the revoked keys' wire blobs."""


def resolve_trust(
    flag: Path | None, revoked_flag: Path | None = None, *, cosigner_roles: Iterable[str] = ()
) -> Loaded:
    """The trust file from ``--allowed-signers``, then ``$SMCHECK_ALLOWED_SIGNERS``, then the config
    file; the revoked keys from ``--revoked``, then the config file.

    The trust file's notes hold, besides the lines smcheck skipped, the policy's notes on lines that
    grant less than they seem to (:func:`smcheck.trust.policy.trust_notes`), judged against the
    shipped checklists' co-signer roles and ``cosigner_roles`` (a checklist given on the command
    line)."""
    import os

    from smcheck.config import ALLOWED_SIGNERS_ENV, load_config
    from smcheck.trust.allowed import load_allowed_signers, load_revoked

    config = load_config()
    env = os.environ.get(ALLOWED_SIGNERS_ENV)
    path = flag or (Path(env) if env else None) or config.allowed_signers
    trust = load_allowed_signers(path) if path is not None else None
    if trust is not None:
        trust = with_policy_notes(trust, cosigner_roles)
    revoked_path = revoked_flag or config.revoked
    revoked = load_revoked(revoked_path) if revoked_path is not None else frozenset()
    return trust, revoked


def known_cosigner_roles(extra: Iterable[str] = ()) -> frozenset[str]:
    """The co-signer roles of the shipped checklists, and ``extra`` (a given checklist's). The
    checklists are loaded as verify loads them, so a run parses each once."""
    from smcheck.registry import cosigner_roles

    return cosigner_roles() | frozenset(extra)


def with_policy_notes(trust: TrustFile, cosigner_roles: Iterable[str] = ()) -> TrustFile:
    """``trust`` with the policy's notes (:func:`smcheck.trust.policy.trust_notes`) after its own."""
    import datetime as dt

    from smcheck.trust.policy import trust_notes

    notes = trust_notes(
        trust, now=dt.datetime.now(dt.UTC), cosigner_roles=known_cosigner_roles(cosigner_roles)
    )
    return trust._replace(notes=trust.notes + notes)


def trust_loader(
    flag: Path | None,
    revoked_flag: Path | None = None,
    *,
    notify: Callable[[str], None] | None = None,
    cosigner_roles: Iterable[str] = (),
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
                result = resolve_trust(flag, revoked_flag, cosigner_roles=cosigner_roles)
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
    flag: Path | None,
    revoked_flag: Path | None,
    *,
    notify: Callable[[str], None] | None,
    cosigner_roles: Iterable[str] = (),
) -> Callable[[], Loaded]:
    """:func:`trust_loader` for a command given ``--allowed-signers`` / ``--revoked``: a file named on
    the command line is checked at once (its notes shown above any report), even when no record
    turns out to be signed."""
    load = trust_loader(flag, revoked_flag, notify=notify, cosigner_roles=cosigner_roles)
    if flag is not None or revoked_flag is not None:
        load()
    return load

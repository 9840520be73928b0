"""What still has to happen before a channel may launch, in the person's words, from verify's verdict.

The steps are read off the :class:`~smcheck.verify.Report` that ``verify`` gives for the record (its state,
the roles still awaited and the co-signers its answers require, all decided by
:mod:`smcheck.trust.policy`): nothing here re-derives who must act. ``new`` and ``renew`` end with the list;
``show`` and ``export`` open with it for a record that is not yet approved.

Every command in a step is written so that it works as typed (:func:`smcheck.text.shell_word` for the
record's name, the options the person used); a co-signer's command names no key: ``approve`` finds
theirs where ``smcheck keygen`` made it, or in their config file. Commands start with ``smcheck``: what prints them on this computer passes them through
:func:`smcheck.text.as_run` (``console.say`` does), while an export, read elsewhere, keeps ``smcheck``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, assert_never

from smcheck.record import REVIEWER
from smcheck.text import shell_word
from smcheck.trust.policy import State

if TYPE_CHECKING:
    from smcheck.verify import Report

HEADING = "Before the channel may launch:"
"""The line that introduces the numbered steps."""
RENEWAL_HEADING = "Before the re-review is complete:"
"""The same line for a record that renews a live channel (:attr:`smcheck.verify.Report.renewal`)."""


def heading(report: Report) -> str:
    """The line that introduces the numbered steps for this record."""
    return RENEWAL_HEADING if report.renewal else HEADING


class SigningKey(NamedTuple):
    """Which key the proposer would sign with, for the ``smcheck sign`` step."""

    path: Path | None
    """The key to name with ``--key``; None when there is none to name."""
    configured: bool
    """True when the config file's ``[signing] key`` names it (so ``smcheck sign RECORD`` finds it)."""


def proposer_key() -> SigningKey:
    """The proposer's key as far as this computer knows: the config file's, else the one ``smcheck
    keygen`` writes by default when it exists. A config file that cannot be read names no key here (the
    command that needs it says why)."""
    from smcheck.config import default_key_path, signing_key_path
    from smcheck.errors import SmcheckError

    try:
        found = signing_key_path()  # as sign finds it
    except SmcheckError:
        found = None
    return SigningKey(found, found is not None and found != default_key_path())


def steps(
    report: Report,
    record: Path,
    *,
    key: SigningKey | None = None,
    options: str = "",
    to_proposer: bool = True,
) -> tuple[str, ...]:
    """Each step still needed before the channel may launch, in order; () for an approved record.

    ``to_proposer``: the steps speak to the proposer who just made the record (``new``, ``renew``), and
    the signing step names their ``key`` (default: :func:`proposer_key`) or how to make one; else they
    speak of the proposer (``show``, an export read on another computer) and name no local key.
    ``options`` are the words a suggested ``smcheck verify``/``show`` needs besides the record
    (``--checklist FILE`` for a checklist that is not shipped).
    """
    name = shell_word(record)
    roles = report.roles
    reviewer = roles.reviewer
    state = report.state
    decided = {d.role for d in report.judged.decisions} if report.judged is not None else set()
    match state:
        case State.APPROVED:
            return ()
        case State.INVALID:
            return (
                (
                    "Do not act on this file: it does not verify. See why with: smcheck verify"
                    f" {options}{name}"
                ),
                "Ask the proposer for the record exactly as they signed it, or make a new one.",
            )
        case State.REJECTED:
            rejected_by = report.standing.rejected_by if report.standing is not None else ()
            who = " and ".join(roles.title(r) for r in rejected_by) or "an approver"
            return (
                (f"Read why {who} rejected it: smcheck show {options}{name}"),
                (
                    "Change what they ask for and sign off a new record (your answers are filled"
                    f" in): smcheck renew {name}"
                ),
                f"Send the new record to {reviewer}.",
            )
        case State.UNSIGNED:
            signer = report.record.signoff.email if report.record is not None else None
            first = (
                _sign_step(name, key if key is not None else proposer_key(), signer, reviewer)
                if to_proposer
                else (
                    f"The proposer signs the record with their key: smcheck sign --key KEY {name}",
                )
            )
            return (
                *first,
                *_approvals(report, name, (REVIEWER, *roles.needed), send=True),
            )
        case State.NOT_CHECKED:
            # Signed, but with no trust file verify gives no standing to read "awaiting" from: the
            # roles still to decide are those with no decision in the file (verify with the
            # reviewer's trust file says whose the decisions are).
            waiting = tuple(r for r in (REVIEWER, *roles.needed) if r not in decided)
            return _approvals(report, name, waiting, send=REVIEWER in waiting)
        case State.AWAITING_REVIEWER | State.AWAITING_COSIGN:
            waiting = report.standing.awaiting if report.standing is not None else ()
            return _approvals(report, name, waiting, send=REVIEWER in waiting)
        case _:
            assert_never(state)


def _sign_step(name: str, key: SigningKey, email: str | None, reviewer: str) -> tuple[str, ...]:
    """Sign with the key there is, or make one first (and have the reviewer trust it)."""
    from smcheck.config import default_key_path

    if key.configured:
        return (f"Sign the record with your key: smcheck sign {name}",)
    if key.path is not None:
        return (f"Sign the record with your key: smcheck sign --key {shell_word(key.path)} {name}",)
    address = shell_word(email, "value") if email else "YOUR-EMAIL"
    return (
        f"Make your signing key and send the line it prints to {reviewer}:"
        f" smcheck keygen --email {address}",
        f"Sign the record with it: smcheck sign --key {shell_word(default_key_path())} {name}",
    )


def _approvals(
    report: Report, name: str, waiting: tuple[str, ...], *, send: bool
) -> tuple[str, ...]:
    """Send it to the reviewer (when they have yet to decide), then each decision still awaited."""
    roles = report.roles
    out: list[str] = []
    if send:
        out.append(f"Send the record, unchanged, to {roles.reviewer} to approve.")
    for role in waiting:
        if role == REVIEWER:
            continue
        out.append(
            f"{_capital(roles.title(role))} must {'then ' if send else ''}co-sign it:"
            f" smcheck approve {name} --role {shell_word(role, 'value')}"
        )
    return tuple(out)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def numbered(items: tuple[str, ...], title: str = HEADING) -> list[str]:
    """The steps as numbered lines under ``title`` (:func:`heading`); [] when there is none."""
    if not items:
        return []
    return [title, *(f"  {number}. {item}" for number, item in enumerate(items, start=1))]

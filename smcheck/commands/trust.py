"""``smcheck trust``: for the office that keeps the trust file (an OpenSSH ``allowed_signers`` file).

``trust check`` says what the file grants: every line smcheck skips or that grants less than it seems
to (a misspelt namespace, a role no checklist defines, a line past its valid-before, one key under two
names), each certificate authority and whom it vouches for, which roles have nobody, and who holds
which role. ``trust add RECORD`` adds a new proposer
from a record whose signature verifies as bytes: their email and key, in ``smcheck-record`` only, once
the office has confirmed the key with them.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console
from smcheck.errors import SmcheckError, UsageError
from smcheck.text import shell_word

if TYPE_CHECKING:
    from smcheck.record import Record
    from smcheck.trust.wire import PublicKey


def _trust_path(flag: Path | None) -> Path:
    """The trust file from ``--allowed-signers``, then ``$SMCHECK_ALLOWED_SIGNERS``, then the config
    file, as every command finds it; a usage error (exit 2) when none is named."""
    import os

    from smcheck.config import ALLOWED_SIGNERS_ENV, load_config

    env = os.environ.get(ALLOWED_SIGNERS_ENV)
    path = flag or (Path(env) if env else None) or load_config().allowed_signers
    if path is None:
        raise UsageError(
            "no trust file is named",
            hint="give --allowed-signers FILE (or set $SMCHECK_ALLOWED_SIGNERS, or allowed_signers"
            " in the config file)",
        )
    return path


def check_run(allowed_signers: Path | None) -> int:
    """Load the trust file and say what it grants. Exit 1 when a line is wrong (every wrong line is
    listed, as verify would refuse the file), 0 when it loads, notes or not."""
    from smcheck.trust.allowed import load_allowed_signers
    from smcheck.trust.policy import authority_grants, role_holders
    from smcheck.trust.source import known_cosigner_roles, with_policy_notes

    path = _trust_path(allowed_signers)
    trust = with_policy_notes(load_allowed_signers(path))
    now = dt.datetime.now(dt.UTC)
    roles = known_cosigner_roles()
    used = len(trust.signers) + len(trust.authorities)
    lines = [f"{path}: {used} line{'s' if used != 1 else ''} smcheck uses"]
    if trust.notes:
        lines += ["", "Notes:"]
        lines += [f"  {note}" for note in trust.notes]
    if trust.authorities:
        lines += ["", "Certificate authorities (cert-authority lines):"]
        lines += [f"  {authority_grants(line, now)}" for line in trust.authorities]
    held = role_holders(trust, now=now, cosigner_roles=roles)
    lines += ["", "Roles (who may sign in each, now):"]
    for holders in held:
        who = [*holders.people, *(f"anyone matching {p}" for p in holders.patterns)]
        lines.append(f"  {holders.role} ({holders.namespace}): {', '.join(who) or 'nobody'}")
    people: dict[str, list[str]] = {}
    for holders in held:
        for person in holders.people:
            people.setdefault(person, []).append(holders.role)
    if people:
        lines += ["", "People:"]
        lines += [f"  {person}: {', '.join(people[person])}" for person in sorted(people)]
    console.show_lines(lines, out=True)
    nobody = [h.role for h in held if not h.people and not h.patterns]
    if nobody:
        console.say(f"No one may sign as: {', '.join(nobody)}.", style="yellow")
    return 0


def add_run(record: Path, *, allowed_signers: Path | None, yes: bool) -> int:
    """Show the proposer of ``record`` (name, email, key fingerprint), ask, and append their line
    (``namespaces="smcheck-record"``) to the trust file, atomically. Exit 0 when added (or already
    there), 1 when the answer is no or the key is someone else's; without a terminal and without
    ``--yes`` it refuses (exit 2)."""
    from smcheck.fsutil import atomic_write
    from smcheck.record import PROPOSER
    from smcheck.trust.allowed import MAX_TRUST_FILE_BYTES, load_allowed_signers
    from smcheck.trust.policy import NAMESPACE_RECORD, grant_line, proposer_to_add

    path = _trust_path(allowed_signers)
    exists = path.exists() or path.is_symlink()
    trust = load_allowed_signers(path) if exists else None
    signed, key = _proposer(record)
    email = signed.signoff.email
    line = grant_line(email, PROPOSER, key)
    # Whether the line may be added is the trust policy's to say, as verify would judge it.
    now = dt.datetime.now(dt.UTC)
    if trust is not None and proposer_to_add(
        key, email=email, trust=trust, now=now, outcome="nothing added"
    ):
        console.say(f"{path} already trusts this key for {email}: nothing to add.")
        return 0
    console.show_lines(
        [
            f"Proposer:    {signed.signoff.name} <{email}>",
            f"Key:         {key.fingerprint()}",
            f"Trust file:  {path}{'' if exists else ' (a new file)'}",
            f"Line to add: {line}",
        ]
    )
    console.say(
        "Confirm the key's fingerprint with them (in person or by phone, not by replying to the"
        " e-mail that brought the record): anyone can make a key and sign a record in any name."
    )
    if not yes:
        named = f" --allowed-signers {shell_word(path)}" if allowed_signers is not None else ""
        if not sys.stdin.isatty():
            raise UsageError(
                "smcheck trust add asks before it changes the trust file, and there is no terminal"
                " to ask in: nothing added",
                hint=f"once you have confirmed the key: smcheck trust add --yes{named}"
                f" {shell_word(record)}",
            )
        if not console.confirm(
            f"Add {email} to the trust file? [y/N]", stopped="Stopped: nothing added."
        ):
            console.say("Nothing added.")
            return 1
    before = _read(path, MAX_TRUST_FILE_BYTES) if exists else b""
    if before and not before.endswith(b"\n"):
        before += b"\n"
    atomic_write(path, before + line.encode("utf-8") + b"\n", overwrite=exists)
    console.say(f"Added {email} to {path} (namespace {NAMESPACE_RECORD}).", style="bold green")
    return 0


def _read(path: Path, limit: int) -> bytes:
    from smcheck.fsutil import read_regular

    return read_regular(path, limit)


def _proposer(record: Path) -> tuple[Record, PublicKey]:
    """The record, once it verifies as bytes (no trust file: whose key it is, is what is asked), and
    its proposer's key; :class:`SmcheckError` otherwise."""
    from smcheck import registry
    from smcheck.recordfile import read_limited
    from smcheck.verify import Verdict, verify_bytes

    data = read_limited(record)
    today = dt.datetime.now(dt.UTC).date()
    report = verify_bytes(data, str(record), lookup=registry.lookup(), today=today)
    if not report.valid or report.record is None:
        failed = next(c for c in report.checks if c.verdict is Verdict.FAIL)
        raise SmcheckError(
            f"{record} does not verify ({failed.title}: {failed.summary}); nothing added",
            hint=f"see: smcheck verify {shell_word(record)}",
        )
    judged = report.judged
    if judged is None or judged.proposer_key is None:
        raise SmcheckError(
            f"{record} is not signed by its proposer: there is no key to add",
            hint=f"the proposer signs it with their own key: smcheck sign {shell_word(record)}",
        )
    certificate = judged.proposer_certificate
    if certificate is not None:
        raise SmcheckError(
            f"{record} is signed with a {certificate.describe()}: a line for the key would not make"
            " it verify, as a certified signature is judged by cert-authority lines only; nothing"
            " added",
            hint="trust the University's CA with one line, once: *@DOMAIN"
            ' cert-authority,namespaces="smcheck-record" followed by the CA\'s public key (ask the'
            " CA for it, and check its fingerprint with them)",
        )
    return report.record, judged.proposer_key

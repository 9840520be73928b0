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
from smcheck.text import quoted, shell_word

if TYPE_CHECKING:
    from smcheck.record import Record
    from smcheck.trust.allowed import Authority, TrustFile
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
    from smcheck.trust.policy import role_holders
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
        lines += [f"  {_authority(line, now)}" for line in trust.authorities]
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


def _authority(line: Authority, now: dt.datetime) -> str:
    """What one ``cert-authority`` line allows, in words."""
    from smcheck.trust.allowed import is_wildcard
    from smcheck.trust.policy import NAMESPACE_RECORD

    def when(moment: dt.datetime) -> str:
        return f"{moment.date().isoformat()} {moment:%H:%M:%S} UTC"

    who = ", ".join(
        f"not {quoted(p[1:])}"
        if p.startswith("!")
        else (f"anyone matching {quoted(p)}" if is_wildcard(p) else quoted(p))
        for p in line.principals
    )
    if line.namespaces is None:
        what = "in any namespace (a record only: an approving role is granted by name)"
    else:
        what = f"in {', '.join(line.namespaces)}"
        named = [n for n in line.namespaces if n != NAMESPACE_RECORD and not is_wildcard(n)]
        if named and all(is_wildcard(p) for p in line.principals if not p.startswith("!")):
            what += " (approving roles only for a person the line names: none here)"
    window = ""
    if line.valid_before is not None and line.valid_before < now:
        window = f"; ended at {when(line.valid_before)}"
    elif line.valid_before is not None:
        window = f"; until {when(line.valid_before)}"
    if line.valid_after is not None and line.valid_after > now:
        window += f"; not before {when(line.valid_after)}"
    return (
        f"line {line.line}: the {line.ca_kind} CA {line.ca_fingerprint} vouches for {who}, each"
        f" with a user certificate that lists them, {what}{window}"
    )


def add_run(record: Path, *, allowed_signers: Path | None, yes: bool) -> int:
    """Show the proposer of ``record`` (name, email, key fingerprint), ask, and append their line
    (``namespaces="smcheck-record"``) to the trust file, atomically. Exit 0 when added (or already
    there), 1 when the answer is no or the key is someone else's; without a terminal and without
    ``--yes`` it refuses (exit 2)."""
    from smcheck.fsutil import atomic_write
    from smcheck.trust.allowed import MAX_TRUST_FILE_BYTES, load_allowed_signers
    from smcheck.trust.policy import NAMESPACE_RECORD

    path = _trust_path(allowed_signers)
    exists = path.exists() or path.is_symlink()
    trust = load_allowed_signers(path) if exists else None
    signed, key = _proposer(record)
    email = signed.signoff.email
    line = f'{email} namespaces="{NAMESPACE_RECORD}" {key.openssh()}'
    if trust is not None:
        if _already(trust, key, email, path):
            console.say(f"{path} already trusts this key for {email}: nothing to add.")
            return 0
        _refuse_someone_elses(trust, key, email, path)
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
    from smcheck.record import read_limited
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
            hint=f"the proposer signs it: smcheck sign {shell_word(record)} --key THEIR-KEY",
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


def _already(trust: TrustFile, key: PublicKey, email: str, path: Path) -> bool:
    """Whether the file trusts ``key`` for ``email`` in ``smcheck-record`` now, as verify would.

    A line that names them with this key but does not trust it now (its valid-before has passed:
    they moved on; or it lacks the namespace) is the office's own decision, to be changed on that
    line: :class:`SmcheckError`, rather than a second line that would quietly undo it."""
    from smcheck.trust.allowed import Trust, decide_trust, is_wildcard
    from smcheck.trust.policy import NAMESPACE_RECORD

    decision = decide_trust(
        key,
        trust=trust,
        revoked=frozenset(),
        principal=email,
        namespace=NAMESPACE_RECORD,
        at=dt.datetime.now(dt.UTC),
    )
    if decision.status is Trust.TRUSTED:
        return True
    named = [
        line.line
        for line in trust.signers
        if line.public_key.raw == key.raw
        and any(p.casefold() == email.casefold() and not is_wildcard(p) for p in line.principals)
    ]
    if named:
        raise SmcheckError(
            f"{path} already names {email} with this key, but does not trust it to sign records"
            f" now: {decision.message}; nothing added",
            hint=f"if {email} should sign records again, change line {named[0]} of {path}",
        )
    return False


def _refuse_someone_elses(trust: TrustFile, key: PublicKey, email: str, path: Path) -> None:
    """A key the file holds for another person by name is theirs: adding it under ``email`` would make
    two people one (and let one sign in the other's name)."""
    from smcheck.trust.allowed import is_wildcard

    others = sorted(
        {
            (principal, line.line)
            for line in trust.signers
            if line.public_key.raw == key.raw
            for principal in line.principals
            if not is_wildcard(principal) and principal.casefold() != email.casefold()
        }
    )
    if others:
        who = ", ".join(f"{quoted(p)} (line {n})" for p, n in others)
        raise SmcheckError(
            f"the key {key.fingerprint()} is already trusted in {path} for {who}, not for {email}:"
            " a key is one person's; nothing added",
            hint=f"{email} must sign with a key of their own (smcheck keygen makes one)",
        )

"""``smcheck keygen``: make an Ed25519 signing key and print the trust line to send to the reviewer."""

from __future__ import annotations

import getpass
import re
import sys
from pathlib import Path

from smcheck import console
from smcheck.choices import cosigner_roles
from smcheck.config import default_key_path
from smcheck.errors import UsageError
from smcheck.record import PROPOSER, REVIEWER
from smcheck.trust.keys import generate_key_pair
from smcheck.trust.policy import COSIGN_PREFIX, NAMESPACE_APPROVAL, grant_line


def signoff_email(email: str) -> str:
    """``--email`` in normal form, once the sign-off's email question accepts it: the same validator,
    with the same institutional domains (the default checklist's ``[signoff] email_domains``), that the
    interview and ``verify`` apply to the email a record is signed off with. So the trust line printed
    below names one person's address, never a pattern (``*@essex.ac.uk``, a list, a ``!`` negation) or
    a look-alike domain. A usage error (exit 2) names the problem otherwise."""
    import datetime as dt

    from smcheck import registry
    from smcheck.signoff import SIGNOFF_SECTION, signoff_questions
    from smcheck.text import quoted
    from smcheck.values import AnswerError, check_typed

    checklist = registry.by_id(registry.DEFAULT_CHECKLIST)
    question = next(q for q in signoff_questions(checklist) if q.id == f"{SIGNOFF_SECTION}.email")
    try:
        normal = check_typed(question, email, today=dt.datetime.now(dt.UTC).date())
    except AnswerError as exc:
        domains = question.validate.domains
        at = f" at {' or '.join(domains)}" if domains else ""
        raise UsageError(
            f"--email {quoted(email)} {exc}",
            hint=f"give the one address you sign records off with{at}, e.g. --email name@{domains[0]}"
            if domains
            else "give the one address you sign records off with",
        ) from None
    assert isinstance(normal, str)
    return normal


def _whose_line(role: str) -> str:
    """Who the trust line goes to: the reviewer keeps the trust file, so a proposer or a co-signer
    sends it to them, and a reviewer adds their own line to it."""
    if role == REVIEWER:
        return (
            "Add this line to your own trust file (allowed_signers), as the reviewer, so that"
            " verify and status know your approvals; give it to anyone else who checks them:"
        )
    if role == PROPOSER:
        return "Send this line to the reviewer, for their trust file (allowed_signers):"
    return (
        f"Send this line to the reviewer, for their trust file (allowed_signers): it lets you"
        f" co-sign as {role}:"
    )


def run(output: Path | None, *, passphrase: bool, email: str | None, role: str = "proposer") -> int:
    """Make an Ed25519 key pair; print the line a reviewer adds to their trust file, granting ``role``."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", role):
        # A role is data (a checklist's [[cosign]] role), so any well-formed one is taken; the shipped
        # checklists' roles are named to help.
        known = ", ".join(name for name, _ in cosigner_roles()) or "none"
        raise UsageError(
            f"--role takes proposer, reviewer or a co-signer's role (lower-case letters, digits and"
            f" dashes), not {role!r}",
            hint=f"the shipped checklists' co-signer roles: {known}",
        )
    if email is not None:
        email = signoff_email(email)
    path = output or default_key_path()
    secret: bytes | None = None
    if passphrase:
        if not sys.stdin.isatty():
            raise UsageError("a passphrase is typed at a terminal, and there is none here")
        first = getpass.getpass("Passphrase for the new key: ")
        if not first:
            raise UsageError("an empty passphrase: leave out --passphrase for a key without one")
        if getpass.getpass("Same passphrase again: ") != first:
            raise UsageError("the two passphrases differ; no key was written")
        secret = first.encode("utf-8")
    comment = email or f"{getpass.getuser()}@smcheck"
    public = generate_key_pair(path, passphrase=secret, comment=comment)
    console.say(f"Private key: {path} (keep it to yourself; mode 0600)", style="bold green")
    console.say(f"Public key:  {path}.pub   fingerprint {public.fingerprint()}")
    principal = email or "YOUR-EMAIL"
    console.say(_whose_line(role))
    console.show_lines([grant_line(principal, role, public)], out=True)
    if role == PROPOSER:
        console.say(
            f'(For a reviewer\'s key the line grants namespaces="{NAMESPACE_APPROVAL}", for a'
            f' co-signer\'s namespaces="{COSIGN_PREFIX}ROLE": smcheck keygen --role ROLE prints it.)',
            style="dim",
        )
    _certificate_advice(path, principal)
    return 0


def _certificate_advice(path: Path, principal: str) -> None:
    """Where the University runs an SSH certificate authority, the reviewer trusts it with one line,
    and the key needs a certificate instead of a line of its own: say how to ask for one."""
    from smcheck.text import shell_word
    from smcheck.trust.keys import certificate_path

    public = path.with_name(path.name + ".pub")
    cert = certificate_path(path)
    console.say(
        "If your University's SSH certificate authority certifies staff keys, send it the public key"
        f" ({public}) instead; the CA runs:"
    )
    # On stderr, as every line but the trust line: `smcheck keygen >> allowed_signers` adds that alone.
    console.say(
        f"  ssh-keygen -s CA_KEY -I {shell_word(principal)} -n {shell_word(principal)}"
        f" -V +52w {shell_word(public.name)}"
    )
    console.say(
        f"and returns {cert.name}: save it beside the key, as {cert}; smcheck signs with the"
        " certificate from then on (new --sign-with, sign and approve use it, through ssh-agent"
        " too), and the reviewer trusts the CA with one cert-authority line."
    )

"""``smcheck keygen``, ``sign``, ``approve`` and ``show``: keys, signatures and approvals on records."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import sys
from pathlib import Path

from smcheck import console, registry
from smcheck.config import ALLOWED_SIGNERS_ENV, load_config
from smcheck.errors import SmcheckError, UsageError
from smcheck.fsutil import atomic_write
from smcheck.record import PROPOSER, REVIEWER, Seal, append_seal, read_layout, read_limited
from smcheck.signing import (
    NAMESPACE_APPROVAL,
    NAMESPACE_RECORD,
    Ed25519PrivateKey,
    KeyProblem,
    PublicKey,
    Trust,
    TrustFile,
    decide_trust,
    generate_key_pair,
    load_allowed_signers,
    load_private_key,
    load_revoked,
    sign,
)


def default_key_path() -> Path:
    """Where ``smcheck keygen`` puts a key by default: the user's data folder."""
    from platformdirs import user_data_path

    return user_data_path("smcheck", appauthor=False) / "keys" / "id_ed25519"


def resolve_trust(
    flag: Path | None, revoked_flag: Path | None = None
) -> tuple[TrustFile | None, frozenset[bytes]]:
    """The trust file from ``--allowed-signers``, then ``$SMCHECK_ALLOWED_SIGNERS``, then the config;
    the revoked keys from ``--revoked``, then the config."""
    config = load_config()
    env = os.environ.get(ALLOWED_SIGNERS_ENV)
    path = flag or (Path(env) if env else None) or config.allowed_signers
    trust = load_allowed_signers(path) if path is not None else None
    revoked_path = revoked_flag or config.revoked
    revoked = load_revoked(revoked_path) if revoked_path is not None else frozenset()
    return trust, revoked


def resolve_key(flag: Path | None) -> Ed25519PrivateKey:
    """The signing key from ``--key``/``--sign-with``, else the config's; asks for a passphrase if needed."""
    path = flag or load_config().key
    if path is None:
        raise UsageError(
            "no signing key given",
            hint="pass --key PATH (smcheck keygen makes one), or name it in the config file's [signing] key",
        )
    try:
        return load_private_key(path)
    except KeyProblem as exc:
        if "passphrase" not in exc.message or not sys.stdin.isatty():
            raise
    secret = getpass.getpass(f"Passphrase for {path}: ").encode("utf-8")
    return load_private_key(path, secret)


def blob_of(armoured: str) -> str:
    """The base64 SSHSIG blob inside an armoured signature (what a record stores, on one line)."""
    lines = armoured.strip().splitlines()
    return "".join(lines[1:-1])


def proposer_seal(key: Ed25519PrivateKey, content: bytes) -> Seal:
    """The proposer's signature over the exact content bytes, as a trailing entry."""
    return Seal("sshsig", role=PROPOSER, sshsig=blob_of(sign(key, content, NAMESPACE_RECORD)))


def write_if_unchanged(path: Path, before: bytes, after: bytes) -> None:
    """Replace ``path`` atomically, refusing if it changed since ``before`` was read."""
    if read_limited(path) != before:
        raise SmcheckError(
            f"{path} changed while smcheck was working on it; nothing was written",
            hint="run the command again",
        )
    atomic_write(path, after, overwrite=True)


def run_keygen(output: Path | None, *, passphrase: bool, email: str | None) -> int:
    """Make an Ed25519 key pair; print the line a reviewer adds to their trust file."""
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
    public: PublicKey = generate_key_pair(path, passphrase=secret, comment=comment)
    console.say(f"Private key: {path} (keep it to yourself; mode 0600)", style="bold green")
    console.say(f"Public key:  {path}.pub   fingerprint {public.fingerprint()}")
    principal = email or "YOUR-EMAIL"
    console.say("Send this line to the reviewer, for their allowed_signers file:")
    console.show_lines(
        [f'{principal} namespaces="{NAMESPACE_RECORD}" {public.openssh()}'], out=True
    )
    console.say(
        f"(A reviewer's or co-signer's own line uses namespaces=\"{NAMESPACE_APPROVAL}\".)",
        style="dim",
    )
    return 0


def run_sign(record: Path, *, key_path: Path | None) -> int:
    """Sign a record made without a key."""
    before = read_limited(record)
    content, seals = read_layout(before)
    if any(s.role == PROPOSER for s in seals):
        raise UsageError(
            f"{record} is already signed", hint="smcheck show --signature proposer shows it"
        )
    from smcheck.verify import Verdict, verify_bytes

    report = verify_bytes(before, str(record), lookup=registry.by_id, today=dt.date.today())
    if not report.valid:
        failed = next(c for c in report.checks if c.verdict is Verdict.FAIL)
        raise SmcheckError(
            f"{record} does not verify ({failed.title}: {failed.summary}); it was not signed",
            hint=f"see: smcheck verify {record}",
        )
    key = resolve_key(key_path)
    write_if_unchanged(record, before, append_seal(before, proposer_seal(key, content)))
    console.say(f"Signed {record} (namespace {NAMESPACE_RECORD}).", style="bold green")
    return 0


def run_show(
    record: Path, *, signed_bytes: bool, signature: str | None, statement: str | None
) -> int:
    """Show a record for a person, or write the exact bytes a signature covers, or the signature itself
    in OpenSSH's armoured form, so that anyone can check it with stock ``ssh-keygen -Y verify``."""
    data = read_limited(record)
    content, seals = read_layout(data)
    if signed_bytes:
        sys.stdout.buffer.write(content)
        return 0
    if statement is not None:
        found = [s for s in seals if s.role == statement and s.statement is not None]
        if not found or found[0].statement is None:
            raise UsageError(f"{record} has no statement signed by role {statement!r}")
        sys.stdout.buffer.write(found[0].statement.encode("utf-8"))
        return 0
    if signature is not None:
        from smcheck.sigcheck import armour

        found = [s for s in seals if s.method == "sshsig" and s.role == signature]
        if not found or found[0].sshsig is None:
            raise UsageError(f"{record} has no {signature} signature")
        sys.stdout.write(armour(found[0].sshsig))
        if found[0].statement is not None:
            sys.stderr.write(f"(it signs a statement: write it with --statement {signature})\n")
        return 0
    from smcheck.checklist import format_value
    from smcheck.record import parse_content
    from smcheck.values import as_text

    parsed = parse_content(content)
    checklist = registry.by_id(parsed.checklist_id)
    lines = [
        f"Record {parsed.id}",
        f"  made {parsed.created:%Y-%m-%d %H:%M} UTC with smcheck {parsed.smcheck_version}",
        f"  checklist {parsed.checklist_id} {parsed.checklist_version}; review by {parsed.review_by}",
        f"  outcome: {parsed.status}",
        f"  signed off by {parsed.signoff.name} <{parsed.signoff.email}>, {parsed.signoff.role},"
        f" {parsed.signoff.department}",
        "",
    ]
    for qid, value in parsed.answers.items():
        question = checklist.question(qid) if checklist else None
        label = question.prompt if question else qid
        lines.append(f"  {label}")
        shown = as_text(question, value) if question is not None else format_value(value)  # type: ignore[arg-type]
        lines.append(f"      {shown}")
    lines.append("")
    for action in parsed.actions:
        lines.append(f"  {action.level.value}: {action.action} ({', '.join(action.clauses)})")
    for seal in seals:
        if seal.method == "sshsig":
            what = "approval statement" if seal.statement else "content"
            lines.append(
                f"  signature by role {seal.role} over the {what} (smcheck verify says whose)"
            )
    console.show_lines(lines, out=True)
    return 0


def run_approve(
    record: Path,
    *,
    key_path: Path | None,
    decision: str,
    comment: str,
    role: str,
    allowed_signers: Path | None,
    revoked: Path | None = None,
) -> int:
    """Append the reviewer's (or a co-signer's) countersignature to a record that verifies."""
    from smcheck.approval import DECISIONS, Approval, render_statement
    from smcheck.sigcheck import blob_sha256, decode
    from smcheck.verify import Demands, Verdict, verify_bytes

    if decision not in DECISIONS:
        raise UsageError(f"--decision must be approved or rejected, not {decision!r}")
    before = read_limited(record)
    trust, revoked_keys = resolve_trust(allowed_signers, revoked)
    if trust is None:
        raise UsageError(
            "approving needs your trust file, to check the proposer's signature and find your own name",
            hint=f"pass --allowed-signers FILE, set {ALLOWED_SIGNERS_ENV}, or name it in the config file",
        )
    cache: dict[str, object] = {}

    def lookup(checklist_id: str) -> object:
        if checklist_id not in cache:
            cache[checklist_id] = registry.by_id(checklist_id)
        return cache[checklist_id]

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = verify_bytes(
        before,
        str(record),
        lookup=lookup,  # type: ignore[arg-type]
        today=now.date(),
        demands=Demands(trust=trust, revoked=revoked_keys, require="signed", now=now),
    )
    if not report.valid:
        failed = [c for c in report.checks if c.verdict is Verdict.FAIL]
        raise SmcheckError(
            f"{record} does not verify ({failed[0].title}: {failed[0].summary}); nothing was approved",
            hint=f"see: smcheck verify --allowed-signers {trust.path} {record}",
        )
    content, seals = read_layout(before)
    proposer = next(s for s in seals if s.role == PROPOSER)
    if any(s.role == role for s in seals):
        raise UsageError(f"{record} already carries a signature for role {role!r}")
    from smcheck.record import parse_content

    parsed = parse_content(content)
    checklist = registry.by_id(parsed.checklist_id)
    if role != REVIEWER and (
        checklist is None or role not in {c.role for c in checklist.cosigners}
    ):
        raise UsageError(f"the checklist has no co-signer role {role!r}")
    key = resolve_key(key_path)
    public = PublicKey(key.public_key().public_bytes_raw())
    if decode(proposer).public_key == public:
        raise SmcheckError("this key signed the record: no one approves their own record")
    # Who the trust file says this key is, decided exactly as verify will decide it (namespace
    # patterns, validity window, revocation), so that approve never writes an approval verify refuses.
    candidates = [
        p
        for signer in trust.signers
        if signer.public_key == public
        for p in signer.principals
        if "*" not in p and "?" not in p and not p.startswith("!")
    ]
    decisions = [
        decide_trust(
            public,
            trust=trust,
            revoked=revoked_keys,
            principal=p,
            namespace=NAMESPACE_APPROVAL,
            at=now,
        )
        for p in candidates
    ]
    principals = [
        p for p, d in zip(candidates, decisions, strict=True) if d.status is Trust.TRUSTED
    ]
    if not principals:
        why = (
            decisions[0].message if decisions else f"your key ({public.fingerprint()}) is not in it"
        )
        raise SmcheckError(
            f"{trust.path} does not let your key approve: {why}",
            hint=f"your own line must name you, with namespace {NAMESPACE_APPROVAL}, valid now",
        )
    approval = Approval(
        record_id=parsed.id,
        content_sha256=hashlib.sha256(content).hexdigest(),
        proposer_signature_sha256=blob_sha256(proposer),
        role=role,
        decision=decision,
        approver=principals[0],
        time=now,
        comment=comment,
    )
    statement = render_statement(approval)
    seal = Seal(
        "sshsig",
        role=role,
        statement=statement,
        sshsig=blob_of(sign(key, statement.encode("utf-8"), NAMESPACE_APPROVAL)),
    )
    write_if_unchanged(record, before, append_seal(before, seal))
    console.say(
        f"{decision.capitalize()} {record} as {role} ({principals[0]}).", style="bold green"
    )
    return 0

"""From answers to a written record: the parts ``new``, ``new --resume`` and ``renew`` share.

The interview (or an answers file) gives answers and a sign-off; this module turns them into the record's
bytes, signs them when a key is given, writes the file atomically without overwriting, and tells the
person what to do next.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from smcheck import console, registry
from smcheck.checklist import Checklist, Value
from smcheck.errors import Interrupted, SmcheckError
from smcheck.fsutil import atomic_write
from smcheck.interview import Interview, Progress, blocking
from smcheck.outcome import Outcome
from smcheck.record import SUFFIX, build_record, render
from smcheck.signoff import SignOff
from smcheck.text import shell_word


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def slug(text: str, limit: int = 60) -> str:
    """A safe file-name part: ASCII letters, digits and single dashes, never starting with a dot."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def default_output(checklist: Checklist, answers: dict[str, Value], now: dt.datetime) -> Path:
    """``<platform>-<handle>-<date>.smcheck.toml`` from the checklist's ``name_from`` answers, made safe,
    with ``-2``, ``-3``... when the name is taken (a default name never overwrites)."""
    parts = [slug(str(answers[q])) for q in checklist.name_from if q in answers]
    stem = "-".join(p for p in parts if p) or checklist.id
    stem = f"{stem}-{now:%Y-%m-%d}"
    path = Path(stem + SUFFIX)
    number = 2
    while path.exists():
        path = Path(f"{stem}-{number}{SUFFIX}")
        number += 1
    return path


Signer = Callable[[bytes], bytes]
"""Turns a record's bytes into the same record signed by the proposer."""


def signer_for(key_path: Path | None) -> Signer | None:
    """With --sign-with, or a key named in the config: open it now (asking for a passphrase before the
    questions, not after them) and return what signs the finished record."""
    from smcheck.config import load_config

    if key_path is None and load_config().key is None:
        return None
    from smcheck.record import append_seal, read_layout
    from smcheck.trust.keys import open_key
    from smcheck.trust.policy import seal_record

    key = open_key(key_path)

    def signed(data: bytes) -> bytes:
        content, _ = read_layout(data)
        return append_seal(data, seal_record(key, content))

    return signed


def write(
    record_bytes: bytes,
    output: Path | None,
    checklist: Checklist,
    answers: dict[str, Value],
    now: dt.datetime,
    force: bool,
) -> Path:
    path = output if output is not None else default_output(checklist, answers, now)
    atomic_write(path, record_bytes, overwrite=force)
    return path


def next_steps(path: Path, checklist: Checklist, outcome: Outcome) -> None:
    console.say(f"Record written: {path}", style="bold green")
    if outcome.findings:
        console.say("The reviewer will see these warnings:", style="yellow")
        console.show_outcome(outcome)
    reviewer = f" for {checklist.policy.reviewer}" if checklist.policy.reviewer else ""
    console.say(f"Next: attach this file, unchanged, to your proposal{reviewer}.")
    option = "" if registry.is_shipped(checklist) else f"--checklist {shell_word(checklist.path)} "
    console.show_lines(
        [f"Anyone can check it with: smcheck verify {option}{shell_word(path)}"], style="dim"
    )


def blocked(outcome: Outcome, resume: str | None) -> int:
    console.say("")
    console.say("Sign-off is not possible yet.", style="bold red")
    for finding in blocking(outcome):
        line = f"  - {finding.action}" + (
            f" ({', '.join(finding.clauses)})" if finding.clauses else ""
        )
        if finding.refer_to:
            line += f" Referred to: {finding.refer_to}."
        console.show_lines([line])
    if resume:
        console.say(
            f"Your answers are saved. When this is done, resume with: {resume}", style="bold"
        )
    return 1


def interview_to_record(
    checklist: Checklist,
    progress: Progress,
    draft_path: Path,
    started: dt.datetime,
    output: Path | None,
    force: bool,
    signer: Signer | None,
    *,
    resumed: bool,
) -> int:
    """The interview from ``progress`` to a written record (shared by new, --resume and renew)."""
    from smcheck.drafts import save_draft
    from smcheck.prompts import QuestionaryAsker

    resume_hint = f"smcheck new --resume {shell_word(draft_path)}"

    def save(state: Progress) -> None:
        save_draft(draft_path, checklist, state, started)

    console.show_title(checklist, resumed=resumed)
    interview = Interview(checklist, QuestionaryAsker(checklist), progress, save=save)
    try:
        outcome = interview.run()
        if not outcome.status.can_sign_off:
            return blocked(outcome, resume_hint)
        signoff: SignOff | None = interview.sign_off()
    except (KeyboardInterrupt, EOFError):
        raise Interrupted(
            f"Stopped. Your answers are saved in {draft_path}", hint=f"resume with: {resume_hint}"
        ) from None
    if signoff is None:
        console.say("You did not make the declaration, so no record was written.", style="bold red")
        console.say(f"Your answers are saved. Resume with: {resume_hint}", style="bold")
        return 1
    now = utcnow()
    record = build_record(checklist, interview.progress.answers, outcome, signoff, now=now)
    try:
        data = render(record) if signer is None else signer(render(record))
        written = write(data, output, checklist, interview.progress.answers, now, force)
    except SmcheckError as exc:
        exc.hint = f"{exc.hint or ''}; your answers are kept: {resume_hint} --output OTHER".lstrip(
            "; "
        )
        raise
    draft_path.unlink(missing_ok=True)
    next_steps(written, checklist, outcome)
    return 0


def refuse_unverified(path: Path, checklist: Checklist, *, force: bool, action: str) -> None:
    """An old record whose answers are carried into a new sign-off (``renew``, ``new --answers
    RECORD``) must verify, unless ``force``: else a tampered file would be signed off afresh.

    Only a checklist that moved on since (another version) is no reason to refuse: that is what a
    renewal is for, and the new interview checks every answer against the new checklist.
    """
    from smcheck.verify import Verdict, verify_path

    report = verify_path(path, lookup=registry.lookup(checklist), today=utcnow().date())
    failed = [
        f"{c.title} ({c.summary})"
        for c in report.checks
        if c.verdict is Verdict.FAIL and c.check != "checklist"
    ]
    if not failed:
        return
    if not force:
        raise SmcheckError(
            f"{path} does not verify (fails {'; '.join(failed)}): its answers may not be the ones"
            " that were signed off",
            hint=f"check it with: smcheck verify {shell_word(path)}; to {action} anyway, add --force",
        )
    console.say(
        f"{path} does not verify (fails {'; '.join(failed)}); going on, as --force asks.",
        style="bold yellow",
    )

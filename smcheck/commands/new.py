"""``smcheck new``: the interview (or an answers file) to a signed-off record."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from smcheck import console, registry
from smcheck.checklist import Checklist, Value
from smcheck.errors import Interrupted, OutputExists, SmcheckError, UsageError
from smcheck.fsutil import atomic_write
from smcheck.interview import Interview, Progress, blocking
from smcheck.outcome import Outcome, evaluate
from smcheck.record import SUFFIX, build_record, render
from smcheck.signoff import SignOff


def _now() -> dt.datetime:
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


def _signer(key_path: Path | None) -> Signer | None:
    """With --sign-with, or a key named in the config: load it now (asking for a passphrase before the
    questions, not after them) and return what signs the finished record."""
    from smcheck.config import load_config

    if key_path is None and load_config().key is None:
        return None
    from smcheck.commands.signatures import proposer_seal, resolve_key
    from smcheck.record import append_seal, read_layout

    key = resolve_key(key_path)

    def signed(data: bytes) -> bytes:
        content, _ = read_layout(data)
        return append_seal(data, proposer_seal(key, content))

    return signed


def _write(
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


def _next_steps(path: Path, checklist: Checklist, outcome: Outcome) -> None:
    console.say(f"Record written: {path}", style="bold green")
    if outcome.findings:
        console.say("The reviewer will see these warnings:", style="yellow")
        console.show_outcome(outcome)
    reviewer = f" for {checklist.policy.reviewer}" if checklist.policy.reviewer else ""
    console.say(f"Next: attach this file, unchanged, to your proposal{reviewer}.")
    option = "" if registry.is_shipped(checklist) else f"--checklist {checklist.path} "
    console.show_lines([f"Anyone can check it with: smcheck verify {option}{path}"], style="dim")


def _blocked(outcome: Outcome, resume: str | None) -> int:
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


def run(
    *,
    checklist_ref: str | None,
    answers: Path | None,
    output: Path | None,
    force: bool,
    resume: bool,
    draft: Path | None,
    agree: bool,
    sign_with: Path | None = None,
) -> int:
    """Dispatch to the answers-file run or the interactive interview."""
    if draft is not None and not resume:
        raise UsageError("a DRAFT is only given with --resume", hint="smcheck new --resume DRAFT")
    if output is not None and output.exists() and not force:
        raise OutputExists(
            f"{output} already exists", hint="choose another --output, or add --force"
        )
    if answers is not None:
        if resume:
            raise UsageError("--answers and --resume cannot be used together")
        return _run_answers(checklist_ref, answers, output, force, agree, _signer(sign_with))
    if agree:
        raise UsageError(
            "--agree goes with --answers", hint="in the interview you make the declaration yourself"
        )
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "smcheck new asks its questions in a terminal, and there is none here",
            hint="to run without prompts, give the answers in a file: smcheck new --answers FILE"
            " (smcheck checklist template prints one to fill in)",
        )
    return _run_interactive(checklist_ref, output, force, resume, draft, _signer(sign_with))


def _run_answers(
    checklist_ref: str | None,
    path: Path,
    output: Path | None,
    force: bool,
    agree: bool,
    signer: Signer | None,
) -> int:
    from smcheck.answers import apply_answers, load_answers_file

    file = load_answers_file(path)
    checklist = registry.resolve(checklist_ref or file.checklist_id or registry.DEFAULT_CHECKLIST)
    if file.checklist_id is not None and file.checklist_id != checklist.id:
        raise UsageError(
            f"{path} is for checklist {file.checklist_id!r}, not {checklist.id!r}",
            hint="drop --checklist, or give the answers file for that checklist",
        )
    now = _now()
    applied = apply_answers(checklist, file, today=now.date(), agree=agree)
    if applied.problems:
        count = len(applied.problems)
        console.say(f"{path}: {count} answer{'s' if count != 1 else ''} to fix:", style="bold red")
        console.show_lines([f"  - {p}" for p in applied.problems])
        raise SmcheckError(
            f"no record written: {count} missing or invalid answer{'s' if count != 1 else ''} in {path}",
            hint=f"smcheck checklist show {checklist.id} lists every question with its id and type",
        )
    outcome = evaluate(checklist, applied.answers)
    if not outcome.status.can_sign_off:
        _blocked(outcome, None)
        raise SmcheckError(
            f"no record written: the answers are {outcome.status}",
            hint="change the answers above and run again",
        )
    assert applied.signoff is not None
    record = build_record(checklist, applied.answers, outcome, applied.signoff, now=now)
    data = render(record) if signer is None else signer(render(record))
    written = _write(data, output, checklist, applied.answers, now, force)
    _next_steps(written, checklist, outcome)
    return 0


def _run_interactive(
    checklist_ref: str | None,
    output: Path | None,
    force: bool,
    resume: bool,
    draft: Path | None,
    signer: Signer | None,
) -> int:
    from smcheck.drafts import latest_draft, load_draft, new_draft_path, other_drafts

    now = _now()
    if resume:
        draft_path = draft if draft is not None else latest_draft()
        loaded = load_draft(draft_path)
        remembered = str(loaded.checklist_file) if loaded.checklist_file else None
        checklist = registry.resolve(checklist_ref or remembered or loaded.checklist_id)
        if checklist.id != loaded.checklist_id:
            raise UsageError(
                f"{draft_path} is a draft for checklist {loaded.checklist_id!r}, not {checklist.id!r}"
            )
        if checklist.sha256 != loaded.checklist_sha256:
            console.say(
                f"The checklist changed since this draft was saved ({loaded.checklist_version} ->"
                f" {checklist.version}): your answers are checked again, and any that no longer fit are"
                " asked again.",
                style="yellow",
            )
        progress, started = loaded.progress, loaded.started
    else:
        checklist = registry.resolve(checklist_ref or registry.DEFAULT_CHECKLIST)
        draft_path = new_draft_path(checklist, now)
        progress, started = Progress(), now.replace(microsecond=0)
        waiting = other_drafts()
        if waiting:
            console.say(
                f"You have an unfinished draft ({waiting[0]}); to continue it instead: smcheck new --resume",
                style="yellow",
            )
    return interview_to_record(
        checklist, progress, draft_path, started, output, force, signer, resumed=resume
    )


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

    resume_hint = f"smcheck new --resume {draft_path}"

    def save(state: Progress) -> None:
        save_draft(draft_path, checklist, state, started)

    console.show_title(checklist, resumed=resumed)
    interview = Interview(checklist, QuestionaryAsker(checklist), progress, save=save)
    try:
        outcome = interview.run()
        if not outcome.status.can_sign_off:
            return _blocked(outcome, resume_hint)
        signoff: SignOff | None = interview.sign_off()
    except (KeyboardInterrupt, EOFError):
        raise Interrupted(
            f"Stopped. Your answers are saved in {draft_path}", hint=f"resume with: {resume_hint}"
        ) from None
    if signoff is None:
        console.say("You did not make the declaration, so no record was written.", style="bold red")
        console.say(f"Your answers are saved. Resume with: {resume_hint}", style="bold")
        return 1
    now = _now()
    record = build_record(checklist, interview.progress.answers, outcome, signoff, now=now)
    try:
        data = render(record) if signer is None else signer(render(record))
        written = _write(data, output, checklist, interview.progress.answers, now, force)
    except SmcheckError as exc:
        exc.hint = f"{exc.hint or ''}; your answers are kept: {resume_hint} --output OTHER".lstrip(
            "; "
        )
        raise
    draft_path.unlink(missing_ok=True)
    _next_steps(written, checklist, outcome)
    return 0

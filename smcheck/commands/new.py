"""``smcheck new``: the interview (or an answers file) to a signed-off record."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry, session
from smcheck.errors import SmcheckError, UsageError
from smcheck.fsutil import refuse_existing
from smcheck.interview import Progress
from smcheck.layout import render
from smcheck.outcome import evaluate
from smcheck.record import build_record
from smcheck.recordfile import note_unfound_name
from smcheck.text import as_run, shell_word

if TYPE_CHECKING:
    from smcheck.drafts import Draft


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
    plain: bool = False,
) -> int:
    """Dispatch to the answers-file run or the interactive interview."""
    if draft is not None and not resume:
        raise UsageError("a DRAFT is only given with --resume", hint="smcheck new --resume DRAFT")
    if output is not None:  # before the interview: its answers are not lost to a taken name
        refuse_existing(output, overwrite=force, links=force)
        note_unfound_name(output)
    if answers is not None:
        if resume:
            raise UsageError("--answers and --resume cannot be used together")
        return _run_answers(
            checklist_ref, answers, output, force, agree, session.signer_for(sign_with)
        )
    if agree:
        raise UsageError(
            "--agree goes with --answers", hint="in the interview you make the declaration yourself"
        )
    plain = session.plain_mode(plain)
    named: Draft | None = None
    if resume and draft is not None:
        from smcheck.drafts import load_draft

        # Read first: a record, an answers file or a broken draft is said before anything else
        # (even "no terminal"), and the draft is read once.
        named = load_draft(draft)
        if not plain and _goes_on_plain(named.resume.plain):
            plain = session.plain_mode(True)
            console.say(_GOES_ON_PLAIN)
    elif resume and not plain and _begun_plain():
        plain = session.plain_mode(True)
    session.need_terminal(
        "smcheck new",
        plain,
        "to run without prompts, give the answers in a file: smcheck new --answers FILE"
        " (smcheck checklist template prints one to fill in)",
    )
    return _run_interactive(
        checklist_ref,
        output,
        force,
        resume,
        draft,
        session.signer_for(sign_with),
        plain,
        sign_with,
        named=named,
    )


def _run_answers(
    checklist_ref: str | None,
    path: Path,
    output: Path | None,
    force: bool,
    agree: bool,
    signer: session.Signer | None,
) -> int:
    from smcheck.answers import apply_answers, load_answers_file

    file = load_answers_file(path)
    name = file.name
    if checklist_ref is not None:
        checklist = registry.resolve(checklist_ref)
    elif file.checklist_id is not None:
        checklist = registry.shipped_by_id(file.checklist_id, named_in=name)
    else:
        checklist = registry.resolve(registry.DEFAULT_CHECKLIST)
    if file.is_record:
        session.refuse_unverified(
            path, checklist, force=force, action="take its answers", data=file.data
        )
    if file.checklist_id is not None and file.checklist_id != checklist.id:
        raise UsageError(
            f"{name} is for checklist {file.checklist_id!r}, not {checklist.id!r}",
            hint="drop --checklist, or give the answers file for that checklist",
        )
    now = session.utcnow()
    session.refuse_out_of_force(
        checklist, now, again=f"smcheck new --answers {shell_word(path)} --checklist {checklist.id}"
    )
    applied = apply_answers(checklist, file, today=now.date(), agree=agree)
    if applied.problems:
        count = len(applied.problems)
        console.say(f"{name}: {count} answer{'s' if count != 1 else ''} to fix:", style="bold red")
        console.show_lines([f"  - {p}" for p in applied.problems])
        raise SmcheckError(
            f"no record written: {count} missing or invalid answer{'s' if count != 1 else ''} in {name}",
            hint=f"smcheck checklist show {checklist.id} lists every question with its id and type",
        )
    outcome = evaluate(checklist, applied.answers, today=now.date())
    if not outcome.status.can_sign_off:
        session.stopped_short(outcome, None, checklist)
        raise SmcheckError(
            f"no record written: the answers are {outcome.status}",
            hint="change the answers above and run again",
        )
    assert applied.signoff is not None
    record = build_record(checklist, applied.answers, outcome, applied.signoff, now=now)
    data = render(record) if signer is None else signer(render(record))
    written = session.write(data, output, checklist, applied.answers, now, force)
    session.next_steps(written, checklist, outcome, applied.answers, data, now)
    return 0


def _run_interactive(
    checklist_ref: str | None,
    output: Path | None,
    force: bool,
    resume: bool,
    draft: Path | None,
    signer: session.Signer | None,
    plain: bool,
    sign_with: Path | None = None,
    *,
    named: Draft | None = None,
) -> int:
    from smcheck.drafts import in_progress, load_draft, new_draft_path

    now = session.utcnow()
    if resume:
        draft_path = draft if draft is not None else _choose_draft(plain, checklist_ref)
        loaded = named if named is not None else load_draft(draft_path)
        if not plain and _goes_on_plain(loaded.resume.plain):  # a draft picked from several
            plain = session.plain_mode(True)
            console.say(_GOES_ON_PLAIN)
        remembered = str(loaded.checklist_file) if loaded.checklist_file else None
        if checklist_ref or remembered:
            checklist = registry.resolve(checklist_ref or str(remembered))
        else:
            checklist = registry.shipped_by_id(loaded.checklist_id, named_in=str(draft_path))
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
        waiting = in_progress()
        if waiting:
            count = len(waiting)
            console.say(
                as_run(
                    f"You have {count} unfinished draft{'s' if count != 1 else ''}"
                    f" (latest: {waiting[0].channel or 'channel not given yet'}); to continue"
                    f" {'it' if count == 1 else 'one'} instead: smcheck new --resume"
                    f"{session.Mode(plain, checklist, output, sign_with).options()}"
                ),
                style="yellow",
            )
    return session.interview_to_record(
        checklist,
        progress,
        draft_path,
        started,
        output,
        force,
        signer,
        resumed=resume,
        plain=plain,
        sign_with=sign_with,
    )


_GOES_ON_PLAIN = (
    "This draft was begun in plain mode: it goes on line by line (SMCHECK_PLAIN=0 for the"
    " full-screen prompts)."
)


def _goes_on_plain(begun_plain: bool) -> bool:
    """Whether a draft begun in plain mode goes on in it: unless ``SMCHECK_PLAIN`` turns it off."""
    import os

    from smcheck.plain import turned_off

    return begun_plain and not turned_off(os.environ)


def _begun_plain() -> bool:
    """Whether the only draft in progress, the one ``--resume`` goes on with, was begun in plain mode
    and goes on in it (:func:`_goes_on_plain`): said before anything is asked. Drafts that cannot be
    listed are not: resuming says why, as ever."""
    from smcheck.drafts import in_progress

    try:
        waiting = in_progress()
        begun = len(waiting) == 1 and waiting[0].resume.plain
    except SmcheckError:
        return False
    if _goes_on_plain(begun):
        console.say(_GOES_ON_PLAIN)
        return True
    return False


def _choose_draft(plain: bool, checklist_ref: str | None) -> Path:
    """``--resume`` without a draft: the only draft in progress, or the person picks one (newest first)."""
    from smcheck.drafts import drafts_folder, how_far, in_progress, saved_words, state_words

    waiting = in_progress()
    if not waiting:
        raise UsageError(
            f"no draft in progress to continue in {drafts_folder()}",
            hint=as_run(
                "smcheck drafts lists every draft; start a new interview with: smcheck new"
                + (" --plain" if plain else "")
                + (f" --checklist {shell_word(checklist_ref)}" if checklist_ref else "")
            ),
        )
    if len(waiting) == 1:
        return waiting[0].path
    options = [
        (
            str(number),
            f"{info.channel or 'channel not given yet'}: {how_far(info)}, {state_words(info)},"
            f" saved {saved_words(info)}",
        )
        for number, info in enumerate(waiting)
    ]
    picked = session.pick(
        session.make_asker(None, plain=plain),
        "Which draft do you want to continue?",
        "Your drafts in progress, the most recently saved first.",
        options,
    )
    return waiting[int(picked)].path

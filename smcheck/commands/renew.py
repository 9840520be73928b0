"""``smcheck renew RECORD``: the periodic re-review (GG-7) as a new interview filled in from an old record.

Every answer of the old record is offered again. The interview asks only what it must: questions the
checklist has added since, and answers that no longer fit (a changed choice list, say); then the review
table shows everything for the person to confirm or change, and they sign off afresh. The new record is
a new file; the old one is never touched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from smcheck import console, registry, session
from smcheck.checklist import Checklist, Value
from smcheck.fsutil import refuse_existing
from smcheck.interview import Progress
from smcheck.record import Record
from smcheck.recordfile import note_unfound_name, open_record
from smcheck.text import shell_word


class ChecklistChanges(NamedTuple):
    """How the checklist moved on since a record was made."""

    old_version: str
    new_version: str
    added: tuple[str, ...]
    """Required questions, shown under the record's answers, that it has no answer for: new since."""
    dropped: tuple[str, ...]
    """Answers to questions the checklist no longer has."""

    @property
    def changed(self) -> bool:
        """Whether the checklist is another version than the record's."""
        return self.old_version != self.new_version


def checklist_changes(record: Record, checklist: Checklist) -> ChecklistChanges:
    """Which questions are new and which answers have no question any more."""
    from smcheck.outcome import visible

    known = {q.id for q in checklist.questions}
    shown = visible(checklist, record.answers)  # type: ignore[arg-type]
    renewed = checklist.renewal_answers()
    added = tuple(
        q.id for q in shown if q.required and q.id not in record.answers and q.id not in renewed
    )
    dropped = tuple(qid for qid in record.answers if qid not in known)
    return ChecklistChanges(record.checklist_version, checklist.version, added, dropped)


def progress_from(record: Record, checklist: Checklist | None = None) -> Progress:
    """The old record's answers and sign-off details, as a starting point (checked again by the engine),
    with the answers a renewal gives (the checklist's ``renewal`` answers: the channel is live)."""
    answers: dict[str, Value] = {qid: value for qid, value in record.answers.items()}  # type: ignore[misc]
    if checklist is not None:
        answers.update(checklist.renewal_answers())
    identity: dict[str, Value] = {
        "name": record.signoff.name,
        "email": record.signoff.email,
        "role": record.signoff.role,
        "department": record.signoff.department,
    }
    return Progress(answers=answers, signoff=identity)


def run(
    path: Path, *, output: Path | None, force: bool, sign_with: Path | None, plain: bool = False
) -> int:
    """Renew a record interactively."""
    from smcheck.drafts import new_draft_path
    from smcheck.session import interview_to_record, signer_for

    # The old record is judged first: a tampered one is refused with or without a terminal.
    record = open_record(path)[1].record
    checklist = registry.shipped_by_id(record.checklist_id, named_in=str(path))
    session.refuse_unverified(path, checklist, force=force, action="renew from it")
    if output is not None:  # before the interview: its answers are not lost to a taken name
        refuse_existing(output, overwrite=force, links=force)
        note_unfound_name(output)
    plain = session.plain_mode(plain)
    session.need_terminal(
        "smcheck renew",
        plain,
        f"to renew without prompts: smcheck new --answers {shell_word(path)} --agree",
    )
    signer = signer_for(sign_with)
    changes = checklist_changes(record, checklist)
    console.say(
        f"Renewing {path} (signed off {record.created:%Y-%m-%d}, review due {record.review_by}).",
        style="bold",
    )
    if changes.changed:
        console.say(
            f"The checklist changed since then ({changes.old_version} -> {changes.new_version}): new"
            " questions, and answers that no longer fit, are asked; everything else is filled in.",
            style="yellow",
        )
        if changes.added:
            console.show_lines([f"  new: {', '.join(changes.added)}"])
        if changes.dropped:
            console.show_lines([f"  no longer asked: {', '.join(changes.dropped)}"])
    else:
        console.say(
            "Your answers are filled in: check each in the review table, change what has changed."
        )
    now = dt.datetime.now(dt.UTC)
    return interview_to_record(
        checklist,
        progress_from(record, checklist),
        new_draft_path(checklist, now),
        now.replace(microsecond=0),
        output,
        force,
        signer,
        resumed=False,
        plain=plain,
        sign_with=sign_with,
    )

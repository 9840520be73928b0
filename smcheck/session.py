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
from typing import TYPE_CHECKING, NamedTuple

from smcheck import console, registry
from smcheck.checklist import Answers, Checklist, Level, Value, version_key
from smcheck.errors import Interrupted, SmcheckError, UsageError
from smcheck.fsutil import atomic_write
from smcheck.interview import Asker, Interview, Progress, blocking
from smcheck.layout import render
from smcheck.outcome import Outcome, evaluate
from smcheck.record import SUFFIX, build_record
from smcheck.signoff import SignOff
from smcheck.text import as_run, shell_word

if TYPE_CHECKING:
    from smcheck.drafts import Resume


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
    while path.exists() or path.is_symlink():  # a link, even to nothing, takes the name too
        path = Path(f"{stem}-{number}{SUFFIX}")
        number += 1
    return path


class Mode(NamedTuple):
    """How the person ran the interview: every command smcheck suggests to them carries it, so that it
    works as typed and goes on the way they started (plain mode stays plain)."""

    plain: bool = False
    """Plain, line-by-line mode (``--plain``, or the environment that turned it on)."""
    checklist: Checklist | None = None
    """The checklist answered: named with ``--checklist FILE`` when it is not a shipped one."""
    output: Path | None = None
    """Where the record is to be written (``--output``), when the person said."""
    sign_with: Path | None = None
    """The key the record is to be signed with (``--sign-with``), when the person named one."""

    def options(self, *, output: Path | None = None) -> str:
        """The options that carry the mode, each a shell word, with a space before each; ``output``
        names another output than the mode's (``OTHER``, after a name was taken)."""
        return self.kept(output=output).options()

    def resume(self, draft: Path, *, output: Path | None = None) -> str:
        """The command that continues ``draft`` in this mode."""
        return self.kept(output=output).command(draft)

    def kept(self, *, output: Path | None = None) -> Resume:
        """The mode as a draft keeps it."""
        from smcheck.drafts import Resume

        custom = self.checklist is not None and not registry.is_shipped(self.checklist)
        return Resume(
            self.plain,
            self.checklist.path if custom and self.checklist is not None else None,
            output if output is not None else self.output,
            self.sign_with,
        )


Signer = Callable[[bytes], bytes]
"""Turns a record's bytes into the same record signed by the proposer."""


def signer_for(key_path: Path | None) -> Signer | None:
    """With --sign-with, or a key named in the config: open it now (asking for a passphrase before the
    questions, not after them) and return what signs the finished record."""
    from smcheck.config import load_config

    if key_path is None and load_config().key is None:
        return None
    from smcheck.layout import append_seal, read_layout
    from smcheck.trust.keys import open_key
    from smcheck.trust.signing import seal_record

    key = open_key(key_path)
    from smcheck.trust.keys import CertifiedKey

    if isinstance(key, CertifiedKey):  # KEY-cert.pub beside the key: say which certificate signs
        console.note(
            f"the record will be signed with the {key.certificate.describe()} ({key.path}); a"
            " reviewer who trusts your key itself, not the CA, needs it moved aside"
        )

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
    atomic_write(path, record_bytes, overwrite=force, links=force)
    return path


def next_steps(
    path: Path,
    checklist: Checklist,
    outcome: Outcome,
    answers: Answers,
    data: bytes,
    now: dt.datetime,
) -> None:
    """What the person does with the record just written (never "ready for sign-off": it is signed):
    the warnings the reviewer will read, then, numbered, each step still needed before the channel may
    launch, read off verify's verdict on the very bytes written (:mod:`smcheck.nextsteps`)."""
    from smcheck.nextsteps import heading, steps
    from smcheck.verify import Demands, verify_bytes

    console.say(f"Record written: {path}", style="bold green")
    warnings = [f for f in outcome.findings if f.level is Level.WARNING]
    if warnings:
        console.say(
            f"The reviewer will look at {len(warnings)} warning{'s' if len(warnings) != 1 else ''}:",
            style="yellow",
        )
        for finding in warnings:
            line = f"  - {finding.message}"
            said = answers.get(finding.explained_by) if finding.explained_by else None
            if isinstance(said, str):
                line += f" You explain: {said}"
            console.show_lines([line])
    option = "" if registry.is_shipped(checklist) else f"--checklist {shell_word(checklist.path)} "
    # No trust file: the proposer's own view of what they just wrote (signed, or integrity only).
    report = verify_bytes(
        data,
        str(path),
        lookup=registry.lookup(checklist),
        today=now.date(),
        demands=Demands(now=now),
    )
    todo = steps(report, path, options=option)
    if todo:
        console.say(heading(report), style="bold")
        for number, step in enumerate(todo, start=1):
            console.say_item(f"  {number}. ", step)
    console.show_lines(
        [as_run(f"Anyone can check it with: smcheck verify {option}{shell_word(path)}")],
        style="dim",
    )


def stopped_short(
    outcome: Outcome,
    draft: Path | None,
    checklist: Checklist | None = None,
    mode: Mode | None = None,
) -> int:
    """Why there is no record yet, what to do, and (for a saved draft) how to come back in the same
    ``mode``; exit 1.

    A referral is not something to fix and come back from: it says where to go instead.
    """
    console.say("")
    referrals = [f for f in outcome.findings if f.level is Level.REFERRAL]
    if referrals:
        for finding in referrals:
            console.show_lines([f"This channel is not for this process: {finding.message}"])
            console.show_lines([f"Where to go instead: {finding.refer_to}. {finding.action}"])
        if draft is not None:
            console.say(
                f"No record was written. Your answers are kept as a referred draft: {draft}"
            )
            console.say("To see your drafts: smcheck drafts")
            console.say(f"To remove this one: smcheck drafts discard {shell_word(draft)}")
        return 1
    console.say("Sign-off is not possible yet.", style="bold red")
    for finding in blocking(outcome):
        line = f"  - {finding.action}" + (
            f" ({', '.join(finding.clauses)})" if finding.clauses else ""
        )
        question = checklist.question(finding.question) if checklist is not None else None
        if question is not None:
            line += f' The answer that changes it: "{question.prompt}"'
        console.show_lines([line])
    if draft is not None:
        console.say(
            as_run(
                "Your answers are saved. When you have done this, continue with:"
                f" {(mode or Mode(checklist=checklist)).resume(draft)}"
            ),
            style="bold",
        )
    return 1


def need_terminal(command: str, plain: bool, instead: str) -> None:
    """Refuse an interview with no terminal to ask in (``instead``: the hint, how to do without one).
    The full-screen prompts need one for input and output; plain mode draws nothing, so it needs one
    for input only and its output may go to a pipe or a file (``smcheck new --plain | tee log``, as
    some screen-reader and braille set-ups do)."""
    import sys

    if sys.stdin.isatty() and (plain or sys.stdout.isatty()):
        return
    if not sys.stdin.isatty():
        raise UsageError(
            f"{command} asks its questions in a terminal, and there is none here",
            hint=as_run(instead),
        )
    raise UsageError(
        f"{command} draws its questions on the terminal, and its output is not one",
        hint="to send the interview's output to a pipe or a file, ask line by line: add --plain",
    )


def plain_mode(flag: bool) -> bool:
    """Whether to ask line by line: ``--plain``, ``SMCHECK_PLAIN=1``, ``ACCESSIBLE=1`` or ``TERM=dumb``.
    When it is on, smcheck's own messages are bare text too (no colour, no bold, no boxes)."""
    import os

    from smcheck.plain import wanted

    on = wanted(flag, os.environ)
    if on:
        os.environ["NO_COLOR"] = "1"
        console.use_plain()
    return on


def make_asker(checklist: Checklist | None, *, plain: bool) -> Asker:
    """The line-by-line asker (``--plain``, for screen readers) or the full-screen one."""
    if plain:
        from smcheck.plain import PlainAsker

        return PlainAsker()
    from smcheck.prompts import QuestionaryAsker

    return QuestionaryAsker(checklist, today=lambda: utcnow().date())


def pick(asker: Asker, prompt: str, help_text: str, options: list[tuple[str, str]]) -> str:
    """Ask the person to pick one of ``options`` (value, label) through an asker, outside the
    checklist (which draft to continue, say); the same prompts, keys and validators as any question."""
    from smcheck.checklist import Choice, QType, Question, Validators
    from smcheck.interview import Position
    from smcheck.values import check_typed, parse_text

    question = Question(
        id="smcheck.pick",
        section="smcheck",
        type=QType.CHOICE,
        prompt=prompt,
        help=help_text,
        clauses=(),
        required=True,
        default=None,
        choices=tuple(Choice(value, label) for value, label in options),
        validate=Validators(),
        when=None,
        rules=(),
    )
    today = utcnow().date()
    error = None
    while True:
        answer = asker.ask(
            question,
            position=Position(0, 0, "", 1, 1),
            current=None,
            error=error,
            parse=lambda text: parse_text(question, text, today=today),
            check=lambda value: check_typed(question, value, today=today),
        )
        if isinstance(answer, str) and any(answer == value for value, _ in options):
            return answer
        error = "choose one of the drafts listed"


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
    plain: bool = False,
    sign_with: Path | None = None,
) -> int:
    """The interview from ``progress`` to a written record (shared by new, --resume and renew);
    ``plain`` and ``sign_with`` (the ``--sign-with`` given) are the run's mode, which every command it
    suggests carries.

    The draft is written at the first answer (not before), and renamed for the channel once its
    platform and handle are known; the messages name it wherever it is now.
    """
    from smcheck.drafts import save_draft

    mode = Mode(plain, checklist, output, sign_with)
    plain_word = " --plain" if plain else ""
    refuse_out_of_force(
        checklist,
        utcnow(),
        again=f"smcheck new --resume {shell_word(draft_path)} --checklist {checklist.id}{plain_word}"
        if resumed
        else f"smcheck new --checklist {checklist.id}{plain_word}",
    )
    asker = make_asker(checklist, plain=plain)
    where = {"draft": draft_path}
    saved = {"any": resumed}

    def save(state: Progress) -> None:
        where["draft"] = save_draft(where["draft"], checklist, state, started, resume=mode.kept())
        saved["any"] = True

    def resume_hint(output: Path | None = None) -> str:
        return as_run(mode.resume(where["draft"], output=output))

    console.show_title(checklist, resumed=resumed)
    interview = Interview(checklist, asker, progress, save=save, today=lambda: utcnow().date())
    try:
        outcome = interview.run()
        if not outcome.status.can_sign_off:
            return stopped_short(outcome, where["draft"] if saved["any"] else None, checklist, mode)
        signoff: SignOff | None = interview.sign_off()
    except (KeyboardInterrupt, EOFError):
        if not saved["any"]:
            raise Interrupted("Stopped before the first answer: nothing was saved.") from None
        raise Interrupted(
            f"Stopped. Your answers are saved in {where['draft']}",
            hint=f"continue with: {resume_hint()}",
        ) from None
    if signoff is None:
        console.say("You did not make the declaration, so no record was written.", style="bold red")
        console.say(f"Your answers are saved. Continue with: {resume_hint()}", style="bold")
        return 1
    now = utcnow()
    answers = interview.progress.answers
    outcome = evaluate(checklist, answers, today=now.date())  # as of the moment it is signed
    if not outcome.status.can_sign_off:  # (a rule on today's date turned at midnight)
        return stopped_short(outcome, where["draft"], checklist, mode)
    record = build_record(checklist, answers, outcome, signoff, now=now)
    refuse_unsound(render(record), checklist, now, where["draft"], mode)
    try:
        data = render(record) if signer is None else signer(render(record))
        written = write(data, output, checklist, answers, now, force)
    except SmcheckError as exc:
        exc.hint = f"{exc.hint or ''}; your answers are kept: {resume_hint(Path('OTHER'))}".lstrip(
            "; "
        )
        raise
    where["draft"].unlink(missing_ok=True)
    next_steps(written, checklist, outcome, answers, data, now)
    return 0


def refuse_out_of_force(checklist: Checklist, now: dt.datetime, *, again: str) -> None:
    """Refuse a new sign-off under a checklist version no longer in force: a later version took effect
    and its grace period is over (verify would refuse the record: ``checklist-superseded``). Asked
    before any question, so that nobody answers a checklist whose record cannot stand. ``again`` is
    the command that answers the checklist in force instead."""
    late = registry.refused_at(checklist.id, checklist.version, now)
    if late is None:
        later = registry.superseded_on(checklist.id, checklist.version, now.date())
        if later is not None:  # in its grace period: accepted, but nobody should be surprised later
            # The first grace to end is the one that counts (1.1.0 is refused when 1.2.0's grace ends,
            # whatever 1.3.0 gives the version before it).
            own = version_key(checklist.version) or ()
            until = min(
                (
                    t.accepted_until
                    for t in registry.takes(checklist.id)
                    if (version_key(t.version) or ()) > own
                ),
                default=later.accepted_until,
            )
            console.note(
                f"{checklist.id} {checklist.version} is superseded: {later.version} took effect on"
                f" {later.effective}; a sign-off under {checklist.version} is accepted until"
                f" {until}, and the register asks for a re-review under {later.version}"
            )
        return
    raise SmcheckError(
        f"{checklist.id} {checklist.version} is no longer accepted for new sign-offs: {late.version}"
        f" took effect on {late.effective}, and {checklist.version} was accepted until"
        f" {late.accepted_until}",
        hint=as_run(f"answer the checklist in force: {again}"),
    )


def refuse_unsound(
    data: bytes, checklist: Checklist, now: dt.datetime, draft: Path, mode: Mode | None = None
) -> None:
    """Check a record's content as ``verify`` will, before it is written: whatever a draft held, no
    record is written that verify would refuse for its answers, outcome or sign-off."""
    from smcheck.verify import Demands, Verdict, verify_bytes

    # An interview that ran past the end of its version's grace: said in words, with the command that
    # carries the answers over to the checklist in force.
    mode = mode or Mode(checklist=checklist)
    refuse_out_of_force(
        checklist,
        now,
        again=f"smcheck new --resume {shell_word(draft)} --checklist {checklist.id}"
        + (" --plain" if mode.plain else ""),
    )
    report = verify_bytes(
        data,
        "the new record",
        lookup=registry.lookup(checklist),
        today=now.date(),
        demands=Demands(now=now),
    )
    failed = [
        f"{c.title} ({c.summary})"
        for c in report.checks
        if c.verdict is Verdict.FAIL and c.check in ("answers", "outcome", "signoff", "checklist")
    ]
    if failed:
        raise SmcheckError(
            f"no record written: it would not verify ({'; '.join(failed)})",
            hint=as_run(f"your answers are kept; continue with: {mode.resume(draft)}"),
        )


def refuse_unverified(
    path: Path, checklist: Checklist, *, force: bool, action: str, data: bytes | None = None
) -> None:
    """An old record whose answers are carried into a new sign-off (``renew``, ``new --answers
    RECORD``) must verify, unless ``force``: else a tampered file would be signed off afresh.

    Only a checklist that moved on since (another version) is no reason to refuse: that is what a
    renewal is for, and the new interview checks every answer against the new checklist.
    """
    from smcheck.verify import Demands, Verdict, verify_bytes, verify_path

    # One clock for the day and the moment (a sign-off "in the future" is judged against it too).
    now = utcnow()
    lookup, today, demands = registry.lookup(checklist), now.date(), Demands(now=now)
    report = (
        verify_path(path, lookup=lookup, today=today, demands=demands)
        if data is None
        else verify_bytes(data, str(path), lookup=lookup, today=today, demands=demands)
    )
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

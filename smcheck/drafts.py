"""Drafts: the interview's progress on disk, saved atomically after every answer, and found again.

A draft is TOML with the same ``[answers]`` shape as a record, so it can also be read by a person. Its
``[draft]`` table also says where it stands (``status``, ``channel``, ``answered``, ``about``), so that
``smcheck drafts`` can list drafts without loading their checklists. Drafts live in :func:`drafts_folder`
and are named by the channel as soon as it is known; a draft is removed once the record is written.

The drafts folder is the user's own, but what it holds is still read as untrusted: a draft can be edited by
hand, copied from elsewhere, or be a FIFO or a link. Only regular files are read, at most
:data:`MAX_DRAFT_BYTES`, and a draft that cannot be read is listed as such, never a crash.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, assert_never

import tomli_w

from smcheck import __version__, qtypes, registry
from smcheck.asking import Progress
from smcheck.checklist import Checklist, Value
from smcheck.errors import FileProblem, OutputExists, SmcheckError, UsageError
from smcheck.fsutil import atomic_write
from smcheck.layout import MAX_RECORD_BYTES
from smcheck.loader import decode_toml
from smcheck.outcome import Outcome, Status, evaluate, visible
from smcheck.record import DRAFT_SUFFIX
from smcheck.recordfile import read_limited
from smcheck.text import as_run, shell_word
from smcheck.text import visible as visible_text
from smcheck.timeutil import EARLIEST, utc_moment
from smcheck.tomlread import Problems, Table, flatten, nest

MAX_DRAFT_BYTES = MAX_RECORD_BYTES
"""A draft holds no more than a record does."""
_HINT = "is this a draft made by smcheck new?"


class DraftStatus(StrEnum):
    """Where a draft stands, as ``smcheck drafts`` shows it."""

    IN_PROGRESS = "in-progress"
    """Questions remain to be answered, and nothing stops sign-off so far."""
    BLOCKED = "blocked"
    """A blocker must be fixed before sign-off."""
    REFERRED = "referred"
    """Not for this process: the proposer was referred elsewhere."""
    READY = "ready"
    """Every shown question is answered and nothing stops sign-off: it only needs signing off."""


def drafts_folder() -> Path:
    """Where drafts go by default: ``$SMCHECK_DRAFTS``, else the user's data folder."""
    override = os.environ.get("SMCHECK_DRAFTS")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("smcheck", appauthor=False) / "drafts"


# -- names --------------------------------------------------------------------------------------------


def _slug(text: str, limit: int = 60) -> str:
    """A safe file-name part: ASCII letters, digits and single dashes, never starting with a dot (the
    rule of :func:`smcheck.session.slug`, copied: session imports this module)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def _channel_known(checklist: Checklist, progress: Progress) -> bool:
    """Whether every ``name_from`` question has been answered (or left blank), one at least answered."""
    names = checklist.name_from
    return (
        bool(names)
        and all(q in progress.answers or q in progress.skipped for q in names)
        and any(q in progress.answers for q in names)
    )


def channel_label(checklist: Checklist, progress: Progress) -> str | None:
    """A short label for the channel, from the ``name_from`` answers (``Instagram @essexhistory``: a
    choice shows its label); None until every one of them is answered."""
    if not _channel_known(checklist, progress):
        return None
    parts: list[str] = []
    for qid in checklist.name_from:
        if qid not in progress.answers:
            continue
        value = progress.answers[qid]
        question = checklist.question(qid)
        labelled = question is not None and qtypes.spec(question.type).has_choices
        if isinstance(value, tuple):
            parts.append(
                ", ".join(
                    question.label_of(str(v)) if question and labelled else str(v) for v in value
                )
            )
        elif question is not None and labelled:
            parts.append(question.label_of(str(value)))
        else:
            parts.append(str(value))
    return " ".join(p for p in parts if p) or None


def _stem(checklist: Checklist, progress: Progress, started: dt.datetime) -> str:
    parts: list[str] = []
    if _channel_known(checklist, progress):
        parts = [
            _slug(str(progress.answers[q])) for q in checklist.name_from if q in progress.answers
        ]
    name = "-".join(p for p in parts if p) or checklist.id
    return f"{name}-{started:%Y%m%d-%H%M%S}"


def draft_path_for(checklist: Checklist, progress: Progress, started: dt.datetime) -> Path:
    """The name a draft should have in :func:`drafts_folder`: ``<checklist-id>-<started>.draft.toml``
    until the channel is known, then ``<platform>-<handle>-<started>.draft.toml`` (from the checklist's
    ``name_from`` answers, made safe). :func:`save_draft` adds ``-2``, ``-3`` when it is taken."""
    return drafts_folder() / f"{_stem(checklist, progress, started)}{DRAFT_SUFFIX}"


def new_draft_path(checklist: Checklist, now: dt.datetime) -> Path:
    """A fresh draft file name for a new interview (the channel is not known yet)."""
    return draft_path_for(checklist, Progress(), now)


def _named_by_smcheck(name: str, started: dt.datetime) -> bool:
    """Whether ``name`` is one smcheck gives a draft of the interview started at ``started``."""
    stamp = re.escape(f"-{started:%Y%m%d-%H%M%S}")
    return re.fullmatch(rf"[a-z0-9-]+{stamp}(-[0-9]+)?{re.escape(DRAFT_SUFFIX)}", name) is not None


def _named_for(name: str, stem: str) -> bool:
    """Whether ``name`` is ``stem`` itself, or ``stem`` with the ``-N`` a taken name got."""
    return re.fullmatch(re.escape(stem) + r"(-[0-9]+)?" + re.escape(DRAFT_SUFFIX), name) is not None


# -- where a draft stands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Where a set of answers stands, as a draft records it."""

    status: DraftStatus
    channel: str | None
    """The channel's label (:func:`channel_label`); None while it is not known."""
    answered: int
    """Questions answered (or deliberately left blank), as the interview counts them: not those
    filled in from earlier answers."""
    about: int
    """The "about M" of the interview's "question N of about M" (:func:`smcheck.counting.expected`):
    the questions the answers so far lead to, those still to come counted as their likeliest answers
    would have them."""
    outcome: Outcome


def summary(checklist: Checklist, progress: Progress, *, today: dt.date | None = None) -> Summary:
    """Where ``progress`` stands against ``checklist``, judged on ``today`` (default: today, UTC)."""
    day = today if today is not None else dt.datetime.now(dt.UTC).date()
    from smcheck import counting

    outcome = evaluate(checklist, progress.answers, today=day)
    answers, skipped = progress.answers, progress.skipped
    shown = visible(checklist, answers)
    complete = all(q.id in answers or q.id in skipped for q in shown)
    # The numbers the interview shows ("question N of about M"), so that the list and the interview
    # that resumes the draft say the same.
    asked = counting.expected(checklist, progress, counting.filled_in(checklist, answers))
    answered = sum(1 for q in asked if q.id in answers or q.id in skipped)
    status: DraftStatus
    match outcome.status:
        case Status.REFERRED:
            status = DraftStatus.REFERRED
        case Status.BLOCKED:
            status = DraftStatus.BLOCKED
        case Status.READY | Status.WARNINGS:
            status = DraftStatus.READY if complete else DraftStatus.IN_PROGRESS
        case _:
            assert_never(outcome.status)
    return Summary(status, channel_label(checklist, progress), answered, len(asked), outcome)


# -- writing and reading ----------------------------------------------------------------------------


class Resume(NamedTuple):
    """How an interview was begun, as the command that continues it says: a draft keeps it, so that
    every command suggested for the draft (its own first lines, the Ctrl-C message, ``smcheck drafts``)
    continues it the same way (plain mode stays plain)."""

    plain: bool = False
    """Plain, line-by-line mode (``--plain``, or the environment that turned it on)."""
    checklist_file: Path | None = None
    """The checklist's file, when it is not one smcheck ships (``--checklist FILE``)."""
    output: Path | None = None
    """Where the record is to be written (``--output``), when the person said."""
    sign_with: Path | None = None
    """The key the record is to be signed with (``--sign-with``), when the person named one."""

    def options(self) -> str:
        """The options that carry the mode, each a shell word, with a space before each."""
        words = []
        if self.plain:
            words.append("--plain")
        if self.checklist_file is not None:
            words.append(f"--checklist {shell_word(self.checklist_file)}")
        if self.sign_with is not None:
            words.append(f"--sign-with {shell_word(self.sign_with)}")
        if self.output is not None:
            words.append(f"--output {shell_word(self.output)}")
        return "".join(" " + word for word in words)

    def command(self, draft: Path) -> str:
        """The command that continues ``draft`` this way."""
        return f"smcheck new --resume {shell_word(draft)}{self.options()}"


FULL_SCREEN = Resume()
"""The interview begun with no option: full-screen, a shipped checklist (a draft that says nothing of
how it was begun was begun so: drafts did not keep it before)."""


@dataclass(frozen=True)
class Draft:
    """A draft as read back."""

    path: Path
    checklist_id: str
    checklist_version: str
    checklist_sha256: str
    checklist_file: Path | None
    """The checklist's file when it is not one smcheck ships, so a resume finds it again."""
    started: dt.datetime
    progress: Progress
    saved: dt.datetime | None = None
    """When it was last saved (as the draft says)."""
    status: DraftStatus | None = None
    """None in a draft written before drafts said where they stand (as are the next three)."""
    channel: str | None = None
    answered: int | None = None
    about: int | None = None
    resume: Resume = FULL_SCREEN
    """How the interview was begun."""


def _render(
    path: Path,
    checklist: Checklist,
    progress: Progress,
    started: dt.datetime,
    now: dt.datetime,
    resume: Resume,
) -> bytes:
    where = summary(checklist, progress)
    lines = [
        "# smcheck draft: unfinished answers. Nothing here is sent anywhere.",
        # One line: shell words hold no line break.
        as_run(f"# Resume with: {visible_text(resume.command(path))}"),
    ]
    todo = [f for f in where.outcome.findings if f.level.value != "warning"]
    if todo:
        lines.append("# Before you can sign off:")
        lines.extend(f"#  - {f.action} ({', '.join(f.clauses)})".replace("\n", " ") for f in todo)
    meta: dict[str, object] = {
        "checklist": checklist.id,
        "checklist_version": checklist.version,
        "checklist_sha256": checklist.sha256,
    }
    if not registry.is_shipped(checklist):
        meta["checklist_file"] = str(checklist.path.resolve())
    meta |= {
        "started": started,
        "saved": now,
        "smcheck_version": __version__,
        "skipped": sorted(progress.skipped),
        "status": where.status.value,
        **({"channel": where.channel} if where.channel is not None else {}),
        "answered": where.answered,
        "about": where.about,
        # How the interview was begun, for the commands that continue it (each only when it was so).
        **({"plain": True} if resume.plain else {}),
        **({"output": str(resume.output)} if resume.output is not None else {}),
        **({"sign_with": str(resume.sign_with)} if resume.sign_with is not None else {}),
    }
    doc: dict[str, object] = {
        "draft": meta,
        "answers": nest(progress.answers),
        "signoff": dict(progress.signoff),
    }
    return ("\n".join(lines) + "\n\n" + tomli_w.dumps(doc)).encode("utf-8")


LINKED_DRAFT = (
    "remove the link: smcheck saves a draft only in a file of its own, never through a link"
)
"""The hint when a draft's name is a symbolic link (an autosave never writes through one)."""


def save_draft(
    path: Path,
    checklist: Checklist,
    progress: Progress,
    started: dt.datetime,
    *,
    resume: Resume = FULL_SCREEN,
) -> Path:
    """Write the draft atomically (mode 0600: it holds personal details); return the path written.
    ``resume`` is how the interview was begun: the draft keeps it, and its first lines suggest the
    command that continues it so.

    That is ``path`` while its name fits the answers. Once the channel is known (or changes) a draft
    smcheck named (its name ends with the interview's start, as :func:`draft_path_for` makes it) takes
    the channel's name, in ``path``'s folder: the new file is written first, never over another file
    (``-2``, ``-3``... when the name is taken), and only then is ``path`` removed. A name a person gave
    the file (``later.draft.toml``) is kept. The caller keeps the returned path for its messages and the
    next save.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stem = _stem(checklist, progress, started)
    if _named_for(path.name, stem) or not _named_by_smcheck(path.name, started):
        atomic_write(
            path,
            _render(path, checklist, progress, started, now, resume),
            overwrite=True,
            mode=0o600,
            hint=LINKED_DRAFT,
        )
        return path
    folder = path.parent
    number = 1
    while True:
        target = folder / (
            f"{stem}{DRAFT_SUFFIX}" if number == 1 else f"{stem}-{number}{DRAFT_SUFFIX}"
        )
        number += 1
        data = _render(target, checklist, progress, started, now, resume)
        if _same_interview(target, checklist, started):
            atomic_write(target, data, overwrite=True, mode=0o600, hint=LINKED_DRAFT)
            break
        try:
            atomic_write(target, data, overwrite=False, mode=0o600)
        except OutputExists:
            if number > 1000:
                raise
            continue
        break
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise SmcheckError(
            f"your answers are saved in {target}, but the old draft {path} could not be removed:"
            f" {exc.strerror}",
            hint=f"remove it with: smcheck drafts discard {shell_word(path)}",
        ) from exc
    return target


def _same_interview(path: Path, checklist: Checklist, started: dt.datetime) -> bool:
    """Whether ``path`` is a regular file holding a draft of this very interview (same checklist, same
    start): an earlier save of it under the wanted name, which it may replace. Anything else at that
    name (another draft, a link, a FIFO, a file that does not read as a draft) is left alone."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        found = load_draft(path)
    except (OSError, SmcheckError):
        return False
    return found.checklist_id == checklist.id and found.started == started


def load_draft(path: Path) -> Draft:
    """Read a draft back strictly (the keys that say where it stands are optional: older drafts lack
    them). Raises :class:`FileProblem`, or :class:`~smcheck.errors.CannotOpen` for what is not a
    regular file."""
    data = read_limited(path, MAX_DRAFT_BYTES)
    if len(data) > MAX_DRAFT_BYTES:
        raise FileProblem(str(path), [f"{path}: larger than {MAX_DRAFT_BYTES} bytes"], hint=_HINT)
    problems = Problems(str(path))
    raw = decode_toml(data, problems)
    if raw is None:
        raise FileProblem(str(path), problems.lines, hint=_HINT)
    if "draft" not in raw:
        _not_a_draft(path, raw)
    top = Table(raw, "", problems)
    meta = top.table("draft")
    answers = top.table("answers")
    signoff = top.table("signoff")
    top.finish()
    if meta is None or answers is None or signoff is None:
        raise FileProblem(str(path), problems.lines, hint=_HINT)
    cid = meta.nonempty("checklist")
    version = meta.nonempty("checklist_version")
    sha = meta.nonempty("checklist_sha256")
    checklist_file = meta.nonempty("checklist_file", required=False)
    started = meta.moment("started")
    saved = meta.moment("saved")
    meta.string("smcheck_version")
    skipped = meta.strings("skipped")
    status = meta.member("status", DraftStatus, required=False)
    channel = meta.nonempty("channel", required=False)
    answered = _count(meta, "answered")
    about = _count(meta, "about")
    plain = meta.boolean("plain", required=False)
    output = meta.nonempty("output", required=False)
    sign_with = meta.nonempty("sign_with", required=False)
    meta.finish()
    flat = flatten(answers.data)
    identity: dict[str, Value] = {}
    for key in ("name", "email", "role", "department"):
        value = signoff.string(key, required=False)
        if value is not None:
            identity[key] = value
    signoff.finish()
    if problems or not (cid and version and sha and started and saved and skipped is not None):
        raise FileProblem(str(path), problems.lines, hint=_HINT)
    progress = Progress(
        answers={k: v for k, v in flat.items()},  # type: ignore[misc]
        skipped=set(skipped),
        signoff=identity,
    )
    return Draft(
        path,
        cid,
        version,
        sha,
        Path(checklist_file) if checklist_file else None,
        started,
        progress,
        saved=saved,
        status=status,
        channel=channel,
        answered=answered,
        about=about,
        resume=Resume(
            plain=bool(plain),
            checklist_file=Path(checklist_file) if checklist_file else None,
            output=Path(output) if output else None,
            sign_with=Path(sign_with) if sign_with else None,
        ),
    )


def _not_a_draft(path: Path, raw: dict[str, object]) -> None:
    """A record or an answers file (answers, but no ``[draft]`` table) given for a draft: said as such,
    with the command that takes it (anything else is refused by the strict reading, key by key)."""
    from smcheck.filekinds import Kind, of_document

    word = shell_word(path)
    kind = of_document(raw)
    if kind is Kind.RECORD:
        raise UsageError(
            f"{path}: {kind}, not a draft",
            hint=as_run(
                f"to re-review its channel from its answers: smcheck renew {word}; to see it:"
                f" smcheck show {word}"
            ),
        )
    if kind is Kind.ANSWERS:
        raise UsageError(
            f"{path}: {kind}, not a draft",
            hint=as_run(f"to make a record from it: smcheck new --answers {word}"),
        )


def _count(meta: Table, key: str) -> int | None:
    value = meta.integer(key, required=False)
    if value is not None and value < 0:
        meta.problems.add(meta.at(key), f"must not be negative, not {value}")
        return None
    return value


# -- finding drafts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftInfo:
    """One draft of the drafts folder, as ``smcheck drafts`` lists it."""

    path: Path
    checklist_id: str | None
    """None when the draft cannot be read."""
    channel: str | None
    """The channel's label; None while it is not known (or the draft cannot be read)."""
    status: DraftStatus | None
    """None when the draft cannot be read."""
    answered: int | None
    about: int | None
    """How many questions the answers show; None when the draft does not say (an older draft)."""
    saved: dt.datetime
    """When it was last saved: as the draft says, or the file's time when it cannot be read."""
    started: dt.datetime | None
    problem: str | None = None
    """Why the draft cannot be read (one line), or None."""
    resume: Resume = FULL_SCREEN
    """How its interview was begun (:attr:`Draft.resume`)."""

    @property
    def readable(self) -> bool:
        """Whether the draft could be read."""
        return self.problem is None


def state_words(draft: DraftInfo) -> str:
    """A draft's state in words: in progress, blocked, referred, ready to sign off, or unreadable."""
    status = draft.status
    if status is None:
        return "unreadable"
    match status:
        case DraftStatus.IN_PROGRESS:
            return "in progress"
        case DraftStatus.BLOCKED:
            return "blocked"
        case DraftStatus.REFERRED:
            return "referred"
        case DraftStatus.READY:
            return "ready to sign off"
        case _:
            assert_never(status)


def how_far(draft: DraftInfo) -> str:
    """``12 of about 45 answered`` (``12 answered`` when an older draft does not say how many are
    shown; ``-`` when it cannot be read)."""
    if draft.answered is None:
        return "-"
    if draft.about is None:
        return f"{draft.answered} answered"
    return f"{draft.answered} of about {draft.about} answered"


def saved_words(draft: DraftInfo) -> str:
    """When it was last saved, in local time to the minute: ``2026-12-02 14:05``."""
    return f"{draft.saved.astimezone():%Y-%m-%d %H:%M}"


def _file_time(path: Path) -> dt.datetime:
    """The file's modification time (of a link itself, so a dangling link has one too), or the start
    of :mod:`smcheck.timeutil`'s range when it has none smcheck can use: some file systems (tmpfs) keep
    a time in the year 33658, which a datetime cannot hold, and this file's own time is not checked."""
    try:
        return utc_moment(dt.datetime.fromtimestamp(os.lstat(path).st_mtime, dt.UTC))
    except (OSError, OverflowError, ValueError):  # OutOfRange is a ValueError
        return EARLIEST


def _reason(exc: SmcheckError, path: Path) -> str:
    """The one line that says why, without the path the listing shows anyway."""
    text = exc.message.split("\n", 1)[0]
    return text.removeprefix(f"{path}: ")


def _shipped_summary(draft: Draft) -> Summary | None:
    """For a draft that does not say where it stands: ask the shipped checklist, if there is one (a
    checklist file the draft names is not read to list it)."""
    try:
        checklist = registry.by_id(draft.checklist_id)
        return summary(checklist, draft.progress) if checklist is not None else None
    except (SmcheckError, TypeError, ValueError):  # hand-edited answers of the wrong shape
        return None


def info(path: Path) -> DraftInfo:
    """What :func:`list_drafts` says of one file (never raises for what the file holds)."""
    try:
        draft = load_draft(path)
    except SmcheckError as exc:
        return DraftInfo(
            path, None, None, None, None, None, _file_time(path), None, _reason(exc, path)
        )
    status, channel, answered, about = draft.status, draft.channel, draft.answered, draft.about
    if status is None:
        found = _shipped_summary(draft)
        if found is not None:
            status, channel, answered, about = (
                found.status,
                found.channel,
                found.answered,
                found.about,
            )
        else:
            status, answered = DraftStatus.IN_PROGRESS, len(draft.progress.answers)
    return DraftInfo(
        path,
        draft.checklist_id,
        channel,
        status,
        answered,
        about,
        draft.saved or _file_time(path),
        draft.started,
        resume=draft.resume,
    )


def _draft_files(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if e.name.endswith(DRAFT_SUFFIX)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise SmcheckError(f"cannot read the drafts folder {folder}: {exc.strerror}") from exc


def list_drafts() -> list[DraftInfo]:
    """Every draft in :func:`drafts_folder`, newest saved first; one that cannot be read is listed with
    the reason (a FIFO, a device, a dangling link, bad TOML...)."""
    found = [info(p) for p in _draft_files(drafts_folder())]
    return sorted(found, key=lambda d: (d.saved, d.path.name), reverse=True)


def in_progress() -> list[DraftInfo]:
    """The drafts a person may want to resume, newest first: readable, and in progress, blocked or
    ready to sign off (a referred draft has nowhere to go, and one that cannot be read cannot resume)."""
    return resumable(list_drafts())


def resumable(drafts: list[DraftInfo]) -> list[DraftInfo]:
    """Those of ``drafts`` that ``smcheck new --resume`` can continue (see :func:`in_progress`)."""
    keep = {DraftStatus.IN_PROGRESS, DraftStatus.BLOCKED, DraftStatus.READY}
    return [d for d in drafts if d.readable and d.status in keep]


def find_draft(given: Path) -> Path:
    """The draft a person named: the path as given, or a bare file name found in the drafts folder."""
    if os.path.lexists(given):
        return given
    folder = drafts_folder()
    if len(given.parts) == 1 and os.path.lexists(folder / given):
        return folder / given
    raise UsageError(f"{given}: no such draft", hint=f"smcheck drafts lists the drafts in {folder}")


def _in_folder(path: Path, folder: Path) -> bool:
    """Whether ``path`` is an entry of ``folder`` itself (a link is judged by where it is, not by what
    it points to: removing it removes the link)."""
    try:
        return Path(os.path.realpath(path.absolute().parent)) == Path(os.path.realpath(folder))
    except OSError:
        return False


def check_discardable(path: Path) -> None:
    """Refuse (:class:`~smcheck.errors.UsageError`, with a hint) anything :func:`discard` must not
    remove: only a ``*.draft.toml`` entry of the drafts folder (readable or not: removing a broken draft
    is the point), or a file elsewhere that reads as a draft, may go."""
    folder = drafts_folder()
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such draft", hint=f"smcheck drafts lists the drafts in {folder}"
        ) from None
    except OSError as exc:
        raise SmcheckError(f"{path}: cannot read ({exc.strerror})") from exc
    if stat.S_ISDIR(mode):
        raise UsageError(
            f"{path} is a folder, not a draft: nothing removed",
            hint=f"smcheck drafts lists the drafts in {folder}",
        )
    if not (_in_folder(path, folder) and path.name.endswith(DRAFT_SUFFIX)):
        try:
            load_draft(path)
        except SmcheckError as exc:
            raise UsageError(
                f"{path} is not in the drafts folder and does not read as a draft"
                f" ({_reason(exc, path)}): nothing removed",
                hint=f"smcheck drafts lists the drafts in {folder}",
            ) from None


def discard(path: Path) -> None:
    """Remove one draft, after :func:`check_discardable`; anything else is refused and left alone."""
    check_discardable(path)
    try:
        path.unlink()
    except FileNotFoundError:
        pass  # gone meanwhile: what was asked is done
    except OSError as exc:
        raise SmcheckError(f"cannot remove {path}: {exc.strerror}") from exc

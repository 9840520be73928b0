"""The register of channels: every file in a register folder accounted for, one row per channel.

``status`` and its HTML page are views of what ``verify`` established, never kinder:

- every file is verified exactly as ``verify`` would (each read and parsed once);
- every file that does not verify, or cannot be read (a FIFO, a device, a broken draft), is a row of its
  own, with its path and the reason; it never disappears into a channel's row;
- a channel's state comes from its latest *valid* record (by its sign-off time, then its path); every
  other file for the channel is named in that row's notes, so no file hides another by its name, its
  order or a time it declares about itself;
- a draft stands for a channel only when the channel has no valid record, and is noted otherwise;
- every row says who must act next (:func:`who_acts`): the reviewer or the co-signer by title, the role
  that rejected it, the date a re-review is due; and which roles must act (``acting``), by which
  ``status --todo`` and ``--role`` narrow it (:func:`narrowed`);
- every warning verify gives and every decision's comment is in the row's notes;
- a folder that was not searched is a row of its own, said as a folder, never counted as a record.

Nothing here reads or parses a file a second time: a record is read once and verified once, and its
row is made from the :class:`~smcheck.verify.Report` (its ``record``); a checklist comes from the one
cached lookup of the run. The one exception is copies of one record that carry different signatures
(signed by different people): those few files are read and verified again, with their union, so that
their row says what verify would say of the merged record (:mod:`smcheck.merge`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, assert_never

from smcheck.channel import channel_of
from smcheck.checklist import Checklist, format_value
from smcheck.choices import Worded
from smcheck.errors import CannotOpen, SmcheckError
from smcheck.record import DRAFT_SUFFIX, PROPOSER, REVIEWER, Record
from smcheck.registry import Lookup
from smcheck.report import unlocal, unsearched
from smcheck.timeutil import EARLIEST
from smcheck.trust.policy import Roles, SigStatus, State
from smcheck.verify import Demands, Report


class RowState(Worded):
    """A register row's state, most urgent first (the register's sort order): verify's
    :class:`~smcheck.trust.policy.State` of a record, an approved record's review overdue or due, or a
    draft. ``status --format json`` gives these strings (a published schema: they do not change)."""

    INVALID = "invalid"
    REVIEW_OVERDUE = "review-overdue"
    REJECTED = "rejected"
    REVIEW_DUE = "review-due"
    AWAITING_REVIEWER = "awaiting-reviewer"
    AWAITING_COSIGN = "awaiting-cosign"
    UNSIGNED = "unsigned"
    NOT_CHECKED = "not-checked"
    DRAFT = "draft"
    APPROVED = "approved"


STATES: tuple[RowState, ...] = tuple(RowState)
"""Every state of a register row, most urgent first (the register's sort order)."""
_URGENCY = {state: rank for rank, state in enumerate(STATES)}

DUE_WITHIN = dt.timedelta(days=30)


class Entry(NamedTuple):
    """One row of the register: a channel, or a file that does not verify."""

    path: str
    channel: str
    columns: tuple[str, ...]
    state: RowState
    review_by: dt.date | None
    when: dt.datetime | None
    """When the record was signed off (or the draft started)."""
    detail: str
    """Why (for an invalid file), or who decided or must act next."""
    labels: tuple[str, ...] = ()
    """The register's column labels, from this file's checklist."""
    notes: tuple[str, ...] = ()
    """The other files for this channel: nothing is hidden."""
    keys: tuple[bytes, ...] = ()
    """The keys the channel is known by (:func:`smcheck.channel.channel_of`), each as its
    :func:`key_digest` (rows are only ever compared by them, and a register holds one row per file).
    Rows that share one are one channel, however each file spells it."""

    copy_key: bytes | None = None
    """For a valid record, what its copies share (:func:`smcheck.merge.copy_key`, as its 16 bytes):
    files with the same key are one record, signed by different people, and are judged together."""
    rereview: str | None = None
    """For a valid record made under a checklist version superseded since, the version in force now:
    the channel is to be re-reviewed under it."""
    platform: str | None = None
    """The channel's platform in words (the ``name_from`` answer with choices, by its label)."""
    handle: str | None = None
    """The channel's handle (the ``name_from`` answer without choices), as the file writes it."""
    unsearched: bool = False
    """A folder that was not searched (too deep, or unreadable): a row of its own, not a record."""
    acting: tuple[str, ...] = ()
    """The roles that must act on this row, the first first (``proposer``, ``reviewer`` or a co-signer
    role): empty for a channel approved with nothing to do. ``status --todo`` lists the rows that have
    one, ``status --role ROLE`` those where ROLE is one of them."""

    @property
    def identities(self) -> tuple[bytes, ...]:
        """:attr:`keys`, or, for a file that names no channel, its own label's digest
        (``record ID``)."""
        return self.keys or (key_digest(f"shown {self.channel}"),)


DIGEST = 16
"""The bytes of a :func:`key_digest`."""


def key_digest(key: str) -> bytes:
    """A channel key as a register row holds it: 16 bytes of its BLAKE2b digest, a third of the key's
    size (two keys are the same exactly when their digests are, but for a 2**-128 chance)."""
    import hashlib

    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=DIGEST).digest()


class Register(NamedTuple):
    """The rows, most urgent first, with their column labels and the counts."""

    rows: tuple[Entry, ...]
    columns: tuple[str, ...]
    counts: dict[str, int]

    @property
    def invalid(self) -> int:
        """How many files do not verify or cannot be read."""
        return self.counts[RowState.INVALID.value]

    @property
    def rereview(self) -> int:
        """How many channels stand on a record made under a checklist version superseded since."""
        return sum(
            1 for e in self.rows if e.state is not RowState.INVALID and e.rereview is not None
        )


def _labels(checklist: Checklist | None) -> tuple[str, ...]:
    return tuple(c.label for c in checklist.register) if checklist is not None else ()


def _columns(checklist: Checklist | None, answers: Mapping[str, object]) -> tuple[str, ...]:
    if checklist is None:
        return ()
    cells = []
    for column in checklist.register:
        question = checklist.question(column.question)
        value = answers.get(column.question)
        if value is None:
            cells.append("")
        elif question is not None and question.choices and isinstance(value, str):
            cells.append(question.label_of(value))
        else:
            cells.append(format_value(value))
    return tuple(cells)


def _identity(
    checklist: Checklist | None, answers: Mapping[str, object]
) -> tuple[str | None, str | None]:
    """The channel's platform (by its label) and handle, from the checklist's ``name_from``
    questions: the one with choices is the platform, the other the handle."""
    found: dict[str, str | None] = {"platform": None, "handle": None}
    for qid in checklist.name_from if checklist is not None else ():
        question = checklist.question(qid) if checklist is not None else None
        value = answers.get(qid)
        if question is None or not isinstance(value, str):
            continue
        if question.choices:
            found["platform"] = question.label_of(value)
        else:
            found["handle"] = value
    return found["platform"], found["handle"]


def _channel(
    checklist: Checklist | None, answers: Mapping[str, object], otherwise: str
) -> tuple[str, tuple[bytes, ...]]:
    """The channel as the file writes it (else ``otherwise``), and the keys it is known by (as
    :attr:`Entry.keys` holds them)."""
    named = channel_of(checklist, answers)
    if named is None:
        return otherwise, ()
    return named.shown, tuple(key_digest(key) for key in named.keys)


NOT_TO_BE_ACTED_ON = "nobody should act on it"
"""How every invalid row's detail begins: it does not verify, so no one approves or relies on it."""


def _invalid(path: str, reason: str) -> Entry:
    return Entry(
        path,
        path,
        (),
        RowState.INVALID,
        None,
        None,
        f"{NOT_TO_BE_ACTED_ON}: {reason}",
        acting=(REVIEWER,),
    )


NOT_SEARCHED = "folder not searched"
"""A folder below the search's depth limit is no record: its row's channel column says this."""


def problem_entry(problem: CannotOpen) -> Entry:
    """The row of what could not be opened: a folder not searched, or a file that cannot be read."""
    return _unsearched(problem) if unsearched(problem) else _invalid(problem.path, problem.reason)


def _unsearched(problem: CannotOpen) -> Entry:
    """The row of a folder that was not searched (more than 64 folders deep, or unreadable): a folder,
    not a record; whatever lies below it is not in the register, and the reviewer must look at it."""
    return Entry(
        problem.path,
        NOT_SEARCHED,
        (),
        RowState.INVALID,
        None,
        None,
        f"{NOT_SEARCHED}: {problem.reason.removesuffix(': not searched')}; the records below it,"
        f" if any, are not in this register{f': {problem.hint}' if problem.hint else ''}",
        unsearched=True,
        acting=(REVIEWER,),
    )


def _compact(entry: Entry, shared: dict[object, object]) -> Entry:
    """The row with its repeated text held once for the whole register: a register of 10,000 records
    repeats the same labels, departments, administrators and "approved; re-review by ..." on most rows
    (rows made in worker processes arrive as fresh copies of each)."""

    def one(value: object) -> Any:
        return shared.setdefault(value, value)

    return entry._replace(
        columns=tuple(one(cell) for cell in entry.columns),
        detail=one(entry.detail),
        review_by=one(entry.review_by),
        labels=one(entry.labels),
        notes=tuple(one(note) for note in entry.notes),
        platform=one(entry.platform),
        rereview=one(entry.rereview),
        acting=one(entry.acting),
    )


def who_acts(report: Report, shown: RowState, review_by: dt.date) -> str:
    """A valid record's state in words that say who must act next (the detail of its row)."""
    standing = report.standing
    roles = report.roles
    if shown is RowState.REVIEW_OVERDUE:
        return f"approved; re-review was due {review_by}: the proposer must send a new record"
    if shown is RowState.REVIEW_DUE:
        return f"approved; re-review due {review_by}: the proposer must send a new record by then"
    if standing is None:  # a valid report always has a standing; said plainly all the same
        return shown.replace("-", " ")
    match standing.state:
        case State.APPROVED:
            return f"approved; re-review by {review_by}"
        case State.AWAITING_REVIEWER:
            cosigns = [_cosignature(roles, r) for r in standing.awaiting if r != REVIEWER]
            then = f", then {' and '.join(cosigns)}" if cosigns else ""
            return f"awaiting {roles.title(REVIEWER)}{then}"
        case State.AWAITING_COSIGN:
            return "awaiting " + " and ".join(_cosignature(roles, r) for r in standing.awaiting)
        case State.REJECTED:
            who = " and ".join(roles.title(r) for r in standing.rejected_by) or "an approver"
            return f"rejected by {who}: the proposer must submit a new record"
        case State.UNSIGNED:
            return "unsigned (integrity only): the proposer must sign it before it can be approved"
        case State.NOT_CHECKED:
            return (
                "signatures not checked: no trust file, so whose they are is not known; the reviewer"
                " must give --allowed-signers FILE"
            )
        case State.INVALID:  # not reached for a valid report: its signatures stand
            return standing.summary
        case _:
            assert_never(standing.state)


def _moved_on(report: Report) -> str:
    """Who signed while their trust line was valid and has since moved on (its ``valid-before`` has
    passed): what they signed stands, but the office may plan a re-review."""
    judged = report.judged
    if judged is None:
        return ""
    said = [
        f"{'signed off' if s.role == PROPOSER else s.approval.decision if s.approval else 'signed'}"
        f" by {s.principal}, whose role ended on {s.ended.date().isoformat()}"
        for s in (*((judged.proposer,) if judged.proposer else ()), *judged.decisions)
        if s.ended is not None and s.principal is not None
    ]
    return "".join(f"; {words}" for words in said)


def _cosignature(roles: Roles, role: str) -> str:
    return f"{roles.title(role)}'s co-signature"


def record_entry(report: Report, *, lookup: Lookup, today: dt.date, data: bytes = b"") -> Entry:
    """The row of one verified record.

    A record that does not verify is a row of its own, ``invalid``, with every failed check's reason;
    what it claims (its channel and columns) is shown beside, when its content can be read at all,
    so the reviewer knows which channel a bad file is about.
    """
    from smcheck.verify import TRUST_ADD_COMMAND, Verdict

    record = report.record
    if not report.valid or record is None:
        failed = [c for c in report.checks if c.verdict is Verdict.FAIL]
        reason = "; ".join(f"{c.title}: {c.summary}" for c in failed) or "does not verify"
        # verify gives the record whenever it parsed the content. It gives none when the content could
        # not be parsed (parsing again would fail again: not tried) or was never read, refused at its
        # signature: only then is the content parsed here, once, to say which channel it claims.
        content_read = any(c.check in ("well-formed", "schema-version") for c in failed)
        claimed = record or (None if content_read else _claimed(data))
        checklist = lookup(claimed.checklist_id) if claimed is not None else None
        answers = claimed.answers if claimed is not None else {}
        shown, keys = _channel(checklist, answers, report.path)
        # Signed by a key the trust file does not hold, and nothing else wrong: verify's words name
        # the person and the command that adds them; the office acts on it, once it has checked.
        newcomer = len(failed) == 1 and any(d.code == TRUST_ADD_COMMAND for d in failed[0].details)
        clean = unlocal(report)
        platform, handle = _identity(checklist, answers)
        return Entry(
            report.path,
            shown,
            _columns(checklist, answers),
            RowState.INVALID,
            None,
            None,
            clean(
                f"not trusted yet: {failed[0].summary}"
                if newcomer
                else f"{NOT_TO_BE_ACTED_ON}: fails {reason}"
            ),
            _labels(checklist),
            keys=keys,
            acting=(REVIEWER,),
            platform=platform,
            handle=handle,
        )
    checklist = lookup(record.checklist_id)
    shown = RowState.of(report.state)
    if report.state is State.APPROVED:
        if record.review_by < today:
            shown = RowState.REVIEW_OVERDUE
        elif record.review_by - today <= DUE_WITHIN:
            shown = RowState.REVIEW_DUE
    detail = who_acts(report, shown, record.review_by) + _moved_on(report)
    if report.rereview is not None:
        detail += f"; re-review under {report.rereview} (made under {record.checklist_version})"
    clean = unlocal(report)
    channel, keys = _channel(checklist, record.answers, f"record {record.id}")
    platform, handle = _identity(checklist, record.answers)
    return Entry(
        report.path,
        channel,
        _columns(checklist, record.answers),
        shown,
        record.review_by,
        record.created,
        clean(detail),
        _labels(checklist),
        tuple(clean(note) for note in _to_act_on(report)),
        keys,
        bytes.fromhex(report.copy_key) if report.copy_key is not None else None,
        rereview=report.rereview,
        acting=_acting(report, shown),
        platform=platform,
        handle=handle,
    )


def _to_act_on(report: Report) -> list[str]:
    """What a reviewer needs on the row to act: every warning verify gives (the outcome's, each with
    the proposer's explanation when there is one, and every other check that warns), and each
    decision's comment (a rejection's reason above all)."""
    from smcheck.verify import Verdict

    said: list[str] = []
    for check in report.checks:
        if check.verdict is not Verdict.WARN or check.code == "rejected":
            continue  # a rejection is the row's state; its comment follows
        if check.code != "outcome-warnings":
            said.append(f"warning: {check.title}: {check.summary}")
            continue
        # The outcome's warnings as verify judged them, each followed by the proposer's explanation
        # (or that they gave none where the checklist asks for one).
        for detail in check.details:
            if detail.code == "outcome-warning":
                said.append(f"warning: {detail.where}: {detail.message}")
            elif detail.code in ("outcome-explanation", "outcome-unexplained") and said:
                said[-1] += f" ({detail.message})"
        if not any(d.code == "outcome-warning" for d in check.details):
            said.append(f"warning: {check.summary}")
    judged = report.judged
    for decision in judged.decisions if judged is not None else ():
        approval = decision.approval
        if approval is not None and approval.comment:
            who = report.roles.title(decision.role)
            # A signature verify does not accept says so beside its words (as diff does).
            status = (
                f" ({decision.status.words})" if decision.status is not SigStatus.TRUSTED else ""
            )
            said.append(f"{approval.decision} by {who}{status}: {approval.comment}")
    return said


def _acting(report: Report, shown: RowState) -> tuple[str, ...]:
    """Who must act on a valid record's row, the first first."""
    standing = report.standing
    if shown in (RowState.REVIEW_OVERDUE, RowState.REVIEW_DUE):
        return (PROPOSER,)
    if standing is None:
        return ()
    match standing.state:
        case State.APPROVED:
            return (PROPOSER,) if report.rereview is not None else ()
        case State.AWAITING_REVIEWER | State.AWAITING_COSIGN:
            return standing.awaiting
        case State.REJECTED | State.UNSIGNED:
            return (PROPOSER,)
        case State.NOT_CHECKED | State.INVALID:
            return (REVIEWER,)
        case _:
            assert_never(standing.state)


def _claimed(data: bytes) -> Record | None:
    """What a file that does not verify says of itself, read as strictly as any record (None if it
    cannot be read at all)."""
    from smcheck.layout import parse_record
    from smcheck.record import RecordError

    try:
        return parse_record(data).record
    except RecordError:
        return None


def draft_entry(path: Path, *, lookup: Lookup) -> Entry:
    """The row of one draft (a draft that cannot be read is an invalid row)."""
    from smcheck.drafts import load_draft

    draft = load_draft(path)
    checklist = lookup(draft.checklist_id)
    answers: Mapping[str, object] = draft.progress.answers
    shown, keys = _channel(checklist, answers, f"draft {path.name}")
    platform, handle = _identity(checklist, answers)
    return Entry(
        str(path),
        shown,
        _columns(checklist, answers),
        RowState.DRAFT,
        None,
        draft.started,
        "unfinished: the proposer must finish the interview and sign it off",
        _labels(checklist),
        keys=keys,
        acting=(PROPOSER,),
        platform=platform,
        handle=handle,
    )


def build(
    files: Iterable[Path | CannotOpen], *, lookup: Lookup, today: dt.date, demands: Demands
) -> Register:
    """Verify every file and make the register (on every core for a large one: smcheck.batch)."""
    from smcheck import batch

    entries: list[Entry] = []
    records: list[str | CannotOpen] = []
    for item in files:
        if isinstance(item, CannotOpen) or not item.name.endswith(DRAFT_SUFFIX):
            records.append(item if isinstance(item, CannotOpen) else str(item))
            continue
        try:
            entries.append(draft_entry(item, lookup=lookup))
        except CannotOpen as exc:
            entries.append(_invalid(str(item), exc.reason))
        except SmcheckError as exc:
            entries.append(_invalid(str(item), exc.message))

    def entry(report: Report, data: bytes) -> Entry:
        return record_entry(report, lookup=lookup, today=today, data=data)

    shared: dict[object, object] = {}
    for given, made in batch.results(records, entry, lookup=lookup, today=today, demands=demands):
        if isinstance(made, CannotOpen):
            entries.append(problem_entry(made))
        else:
            # The file list's own string for its path: a row made in a worker arrives with a copy.
            path = given if isinstance(given, str) and given == made.path else made.path
            entries.append(_compact(made._replace(path=path), shared))
    del records, shared  # the rows hold what they need of them: freed before the rows are arranged
    entries = _copies_as_one(entries, lookup=lookup, today=today, demands=demands)
    rows = arrange(entries)
    columns = next((e.labels for e in rows if e.labels), ())
    return Register(tuple(rows), columns, count(rows))


def _copies_as_one(
    entries: list[Entry], *, lookup: Lookup, today: dt.date, demands: Demands
) -> list[Entry]:
    """Valid records that are copies of one record (the same signed content and proposer signature,
    signed by different people) made one row: the state verify gives their union
    (:func:`smcheck.merge.union_of_paths`, which reads and verifies those few files again), naming
    every copy and the command that merges them. Two decisions by one role across the copies are a
    conflict: an invalid row, never resolved by file name or order. A copy that does not verify is
    not among them: it keeps its own invalid row."""
    # The first valid record of each key, and the groups of more than one: a list for every record
    # was most of the memory this took.
    first: dict[bytes, Entry] = {}
    groups: dict[bytes, list[Entry]] = {}
    for entry in entries:
        if entry.copy_key is not None and entry.state is not RowState.INVALID:
            seen = first.setdefault(entry.copy_key, entry)
            if seen is not entry:
                groups.setdefault(entry.copy_key, [seen]).append(entry)
    del first
    copies = list(groups.values())
    if not copies:
        return entries
    from smcheck.merge import merge_command, union_of_paths

    joined: set[str] = set()
    made: list[Entry] = []
    for group in copies:
        union = union_of_paths([e.path for e in group], lookup=lookup, today=today, demands=demands)
        if union is None:
            continue  # changed since: each file keeps its own row
        joined.update(union.paths)
        others = ", ".join(union.paths[1:])
        row = record_entry(union.report, lookup=lookup, today=today, data=union.data)
        if union.conflicts:
            row = row._replace(
                state=RowState.INVALID,
                detail=f"{NOT_TO_BE_ACTED_ON}: copies of one record ({', '.join(union.paths)})"
                f" carry {'; and '.join(union.conflicts)}: a conflict",
            )
        if not union.valid:  # together they do not verify: nothing to merge
            made.append(row._replace(notes=(*row.notes, f"same record as {others}")))
            continue
        note = (
            f"same record as {others}, signed by different people: judged together;"
            f" to make one file of them: {merge_command(union.paths)}"
        )
        made.append(row._replace(notes=(*row.notes, note)))
    return [e for e in entries if e.path not in joined] + made


def arrange(entries: list[Entry]) -> list[Entry]:
    """Every invalid file as its own row; one row per channel from its latest valid record (a draft
    only where there is none), the channel's other files named in its notes; most urgent first."""
    problems = [e for e in entries if e.state is RowState.INVALID]
    floor = EARLIEST  # no time read from a file is earlier (smcheck.timeutil bounds them all)
    rows = list(problems)
    known: list[frozenset[bytes]] = [frozenset()] * len(rows)
    """Each row's channel keys (of every file in it), to name the invalid files that claim it."""
    for channel_entries in _channels([e for e in entries if e.state is not RowState.INVALID]):
        records = [e for e in channel_entries if e.state is not RowState.DRAFT]
        pool = records or channel_entries
        chosen = max(pool, key=lambda e: (e.when or floor, e.path))
        others = sorted((e for e in channel_entries if e is not chosen), key=lambda e: e.path)
        notes = tuple(
            f"also {e.path}: {e.state.words}"
            + (
                f", signed off {e.when:%Y-%m-%d}"
                if e.when and e.state is not RowState.DRAFT
                else ""
            )
            for e in others
        )
        rows.append(chosen._replace(notes=chosen.notes + notes) if notes else chosen)
        if problems:  # held only to name the invalid files that claim a channel, when there are any
            known.append(frozenset(key for e in channel_entries for key in e.identities))
    for index, row in enumerate(rows if problems else ()):
        if row.state is RowState.INVALID:
            continue
        # A file that does not verify but claims this channel is named on its row too.
        claims = tuple(
            f"also {e.path}: invalid (does not verify)"
            for e in problems
            if not known[index].isdisjoint(e.identities)
        )
        if claims:
            rows[index] = row._replace(notes=row.notes + claims)
    # Most urgent first: by state, then review date, channel and path. Sorted once per key, the least
    # significant first (the sort is stable), so that no key tuple per row is held meanwhile.
    rows.sort(key=attrgetter("path"))
    rows.sort(key=attrgetter("channel"))
    rows.sort(key=lambda e: e.review_by or dt.date.max)
    rows.sort(key=lambda e: _URGENCY[e.state])
    return rows


def row_json(entry: Entry, columns: tuple[str, ...]) -> dict[str, object]:
    """One row as ``status --format json`` gives it, and as ``verify --format json`` gives it under ``register``
    for each record (one function, so the two agree): the channel (its name, platform and handle),
    its department, the register's state, the review date, who must act next and why (``detail``,
    and the roles in ``acting``), and the notes (every warning, every decision's comment, the
    channel's other files)."""
    cells = dict(zip(columns or entry.labels, entry.columns, strict=False))
    named = entry.state is not RowState.INVALID or bool(entry.keys)
    return {
        "channel": entry.channel if entry.state is not RowState.INVALID else None,
        "name": entry.channel if named and not entry.unsearched else None,
        "platform": entry.platform,
        "handle": entry.handle,
        "department": cells.get("Department") or None,
        "path": entry.path,
        "state": entry.state.value,
        "review_by": entry.review_by.isoformat() if entry.review_by else None,
        "columns": cells,
        "detail": entry.detail,
        "acting": list(entry.acting),
        "notes": list(entry.notes),
        "rereview_under": entry.rereview if entry.state is not RowState.INVALID else None,
        "folder_not_searched": entry.unsearched,
    }


QUEUE = (
    "invalid",
    "review-overdue",
    "rejected",
    "awaiting-reviewer",
    "awaiting-cosign",
    "unsigned",
    "not-checked",
    "review-due",
    "rereview",
    "draft",
)
"""The order of ``status --todo``, most urgent first: a file that does not verify (someone may have
tampered with it, or the office must add a newcomer's key); a review already overdue; a rejection that
needs a new record; a record awaiting the reviewer, then a co-signer; one the proposer must sign; one
whose signatures could not be checked; a review due within 30 days; an approved channel to re-review
under a newer checklist version; a draft to finish. Approved channels with nothing to do are left out."""


def queued(entry: Entry) -> str:
    """A row's place in :data:`QUEUE` (an approved row to re-review is ``rereview``)."""
    if entry.state is RowState.APPROVED and entry.rereview is not None:
        return "rereview"
    return entry.state.value


def narrowed(register: Register, *, todo: bool = False, role: str | None = None) -> Register:
    """The register narrowed to what someone must act on (``todo``: every row with someone to act,
    in :data:`QUEUE` order) and to one office (``role``: the rows on which that role must act, now
    or next), the counts made again over the rows kept."""
    rows = [e for e in register.rows if e.acting] if todo else list(register.rows)
    if role is not None:
        rows = [e for e in rows if role in e.acting]
    if todo:
        rows.sort(key=lambda e: QUEUE.index(queued(e)))  # stable: the register's order within
    return Register(tuple(rows), register.columns, count(rows))


def _channels(entries: list[Entry]) -> Iterator[list[Entry]]:
    """``entries`` grouped by channel: two that share a key are one channel, and so, in turn, is any
    entry that shares a key with either (a new spelling of the handle beside the same web address).

    Made for a register of many channels, most with one file: only the entries that share a key are
    joined (a union-find over them alone), and each group is made as it is taken, never all at once
    (a list per channel was most of the memory ``status`` grew by at 10,000 records)."""
    parent: dict[int, int] = {}
    """The entries joined to another, each to one nearer its group's first (the group's root)."""

    def root(index: int) -> int:
        while (up := parent.get(index, index)) != index:
            parent[index] = parent.get(up, up)  # halve the path
            index = up
        return index

    first: dict[bytes, int] = {}
    for index, entry in enumerate(entries):
        for key in entry.identities:
            one, other = root(index), root(first.setdefault(key, index))
            if one != other:
                parent[max(one, other)] = min(one, other)
    del first
    members: dict[int, list[int]] = {}
    """Each group of more than one entry, by its root: its entries' indexes, in order."""
    for index in sorted(parent):
        members.setdefault(root(index), []).append(index)
    for index, entry in enumerate(entries):
        joined = members.pop(index, None)  # a root comes before the entries joined to it
        if joined is not None:
            yield [entry, *(entries[i] for i in joined)]
        elif index not in parent:
            yield [entry]


def count(rows: list[Entry]) -> dict[str, int]:
    """How many rows are in each state (every state listed, in urgency order), by the state's
    string (``status --format json``'s ``counts``)."""
    return {state.value: sum(e.state is state for e in rows) for state in STATES}

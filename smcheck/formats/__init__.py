"""``smcheck verify``'s output formats: one module per format, each a :class:`Reporter` (pip-audit's
``_format/`` is the model).

A reporter is handed each record (or the :class:`~smcheck.errors.CannotOpen` of a file that could not
be read) in the order the files were found, then :meth:`Reporter.finish`. What it is handed is a
:class:`Seen`: what every format counts and compares (the state, the keys that find a repeat or a copy)
and what this format shows of the record (:meth:`Reporter.show`), made from verify's
:class:`~smcheck.verify.Report` by :meth:`Reporter.see` where the record was verified, on every core
(:func:`smcheck.batch.results`). So the process that prints gets a few strings per record back, never
the report, and keeps no report: a large batch holds text, never records. Counting, the exit code, the
repeat warnings and judging copies of one record together are done here, the same for every format; a
format says only what it shows of one record (:meth:`Reporter.show`, where it was verified), how that is
written (:meth:`Reporter.record`) and how an unreadable file is (:meth:`Reporter.cannot_open`), and what
it writes at the end.

Adding a format: a member of :class:`smcheck.choices.VerifyFormat`, a module here with its reporter,
and its case in :func:`reporter` (the ``match`` ends in ``assert_never``, so mypy says where).

No rich, and nothing heavy, at import: the reviewer's path stays fast (tests/test_startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, assert_never

from smcheck.choices import VerifyFormat
from smcheck.errors import CannotOpen
from smcheck.report import ORDER, overdue, unsearched
from smcheck.trust.policy import State
from smcheck.verify import Report

if TYPE_CHECKING:
    from smcheck.merge import Union, UnionOf

Describe = Callable[[Report | CannotOpen, bytes], dict[str, object]]
"""What the register says of a record (:func:`smcheck.register.row_json`): its channel (name,
platform, handle), department, review date, the register's state and who must act. Given the file's
bytes where they were read (b"" where they were not: then it reads them itself, if it needs them)."""

S = TypeVar("S")
"""What a format shows of one record (:meth:`Reporter.show`)."""


class Seen(NamedTuple, Generic[S]):
    """One record as a run keeps it: verify's words about it, reduced to what every format counts and
    compares, and what its format shows of it. Made from the :class:`~smcheck.verify.Report` by
    :meth:`Reporter.see` (in the worker that verified the record), so every field is verify's own."""

    path: str
    state: State
    """:attr:`Report.state`: ``invalid`` whenever a check fails, else the signatures' standing."""
    valid: bool
    overdue: bool
    """An approved record whose review is overdue (:func:`smcheck.report.overdue`)."""
    rereview: str | None
    record_id: str | None
    channel: str | None
    channel_keys: tuple[str, ...]
    copy_key: str | None
    shown: S
    """What the format shows of the record (:meth:`Reporter.show`)."""


RepeatWarning = dict[str, str]
"""A repeat warning (:class:`Repeats`): ``code``, ``other`` (the earlier file) and ``message``."""


class Tally:
    """What a run found, for the counts line and the exit code."""

    def __init__(self) -> None:
        self.states: dict[State, int] = dict.fromkeys(ORDER, 0)
        self.invalid = 0
        """Records with a failing check (what the exit code counts)."""
        self.unreadable = 0
        self.unsearched = 0
        """Folders not searched (too deep, or unreadable): counted apart from records."""
        self.overdue = 0
        """Approved records whose review is overdue (counted in ``states`` as approved too)."""
        self.unions = 0
        """Sets of copies of one record that, judged together, do not verify (a conflict)."""
        self.rereview = 0
        """Valid records made under a checklist version superseded since (to re-review)."""

    @property
    def records(self) -> int:
        """Every file given or found, opened or not."""
        return sum(self.states.values()) + self.unreadable

    @property
    def exit_code(self) -> int:
        """2 when a file could not be opened or a folder searched, else 1 when a record is invalid,
        else 0."""
        if self.unreadable or self.unsearched:
            return 2
        return 1 if self.invalid or self.unions else 0


class Repeats:
    """The same record id, or the same channel, seen earlier in this run: a resubmission or a replay.

    Holds one path per id and per channel key (not the records)."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._channels: dict[str, str] = {}

    def of(self, report: Report | Seen[Any]) -> list[RepeatWarning]:
        """The warnings for this record, against the ones before it."""
        warnings: list[RepeatWarning] = []
        if report.record_id is not None:
            other = self._ids.setdefault(report.record_id, report.path)
            if other != report.path:
                warnings.append(
                    {
                        "code": "repeated-record-id",
                        "other": other,
                        "message": f"same record id as {other}: a copy, a resubmission or a replay",
                    }
                )
        # A channel is known by several keys (its handle however spelt, its web address): the first
        # file seen with any of them is the one named.
        seen = [self._channels.setdefault(key, report.path) for key in report.channel_keys]
        earlier = next((path for path in seen if path != report.path), None)
        if earlier is not None:
            warnings.append(
                {
                    "code": "repeated-channel",
                    "other": earlier,
                    "message": f"same channel ({report.channel}) as {earlier}: a resubmission?",
                }
            )
        return warnings


class Reporter(Generic[S]):
    """The interface every format implements: takes each record as it is checked, in the order found;
    :meth:`finish` ends the run.

    Subclasses say what they show of one record (:meth:`show`: run where the record was verified, a
    worker for a large batch, so it may read the report whole and is the costly part), how that is
    written (:meth:`record`) and how one unreadable file is (:meth:`cannot_open`); counting and the
    repeat warnings are done here, the same for every format."""

    def __init__(self, *, union: UnionOf | None = None) -> None:
        self.tally = Tally()
        self._repeats = Repeats()
        self._union = union
        self._first: dict[str, str] = {}
        """The first valid record's path for each :attr:`Report.copy_key` (held only with ``union``:
        a short key and a path per record, the least that finds the copies)."""
        self._copies: dict[str, list[str]] = {}
        """The paths of the records that are copies of another, by their key."""
        self.unions: list[Union] = []
        """Copies of one record carrying different signatures, judged together (at :meth:`finish`)."""

    def see(self, report: Report, data: bytes = b"") -> Seen[S]:
        """What the run keeps of one record's report (``data``: the file's bytes, or b""): given to
        :func:`smcheck.batch.results`, it runs where the record was verified. It must read nothing the
        parent process changes after the batch starts (a forked worker has the reporter as it was)."""
        return Seen(
            report.path,
            report.state,
            report.valid,
            overdue(report),
            report.rereview,
            report.record_id,
            report.channel,
            report.channel_keys,
            report.copy_key,
            self.show(report, data),
        )

    def show(self, report: Report, data: bytes) -> S:
        """What this format shows of one record, made from its report (see :meth:`see`)."""
        raise NotImplementedError

    def add(self, outcome: Seen[S] | Report | CannotOpen) -> None:
        """One more file: the record as :meth:`see` made it (or its report, seen here), or why it
        could not be opened."""
        if isinstance(outcome, CannotOpen):
            if unsearched(outcome):
                self.tally.unsearched += 1
            else:
                self.tally.unreadable += 1
            self.cannot_open(outcome)
            return
        seen = outcome if isinstance(outcome, Seen) else self.see(outcome)
        self.tally.states[seen.state] += 1
        self.tally.overdue += seen.overdue
        self.tally.invalid += not seen.valid
        self.tally.rereview += seen.valid and seen.rereview is not None
        if self._union is not None and seen.valid and seen.copy_key is not None:
            first = self._first.setdefault(seen.copy_key, seen.path)
            if first != seen.path:
                self._copies.setdefault(seen.copy_key, [first]).append(seen.path)
        self.record(seen, self._repeats.of(seen))

    def record(self, seen: Seen[S], warnings: list[RepeatWarning]) -> None:
        """Write (or keep, for the end) one record, as :meth:`show` made it."""
        raise NotImplementedError

    def cannot_open(self, exc: CannotOpen) -> None:
        """Show a file that could not be opened (by default: the error line on stderr)."""
        from smcheck import console

        console.plain_error(exc.message)

    def close(self) -> None:
        """Release what the run holds on the terminal (the progress bar); safe to call twice."""

    def finish(self) -> None:
        """Everything is checked: print what is printed at the end (after judging copies of one
        record together: a conflict between them fails the run in every format)."""
        self.close()
        if self._union is None:
            return
        for paths in self._copies.values():
            union = self._union(paths)
            if union is not None:
                self.unions.append(union)
                self.tally.unions += not union.valid


def reporter(
    choice: VerifyFormat,
    *,
    total: int,
    one_record: bool,
    verbose: bool = False,
    union: UnionOf | None = None,
    describe: Describe | None = None,
) -> Reporter[Any]:
    """The reporter for a run: ``one_record`` when a single file was given (text: its rows, as ever);
    ``union`` judges copies of one record together (a conflict between them fails the run);
    ``describe`` gives each JSON object the register's row for its record. Each format's module is
    imported only when it is chosen."""
    match choice:
        case VerifyFormat.TEXT:
            from smcheck.formats import text

            if one_record:
                return text.RecordReporter()
            return text.FolderReporter(total=total, verbose=verbose, union=union)
        case VerifyFormat.QUIET:
            from smcheck.formats.quiet import QuietReporter

            return QuietReporter(union=union)
        case VerifyFormat.JSON:
            from smcheck.formats.json import JsonReporter

            return JsonReporter(union=union, describe=describe)
        case VerifyFormat.JSONL:
            from smcheck.formats.jsonl import JsonLinesReporter

            return JsonLinesReporter(union=union, describe=describe)
        case VerifyFormat.JUNIT:
            from smcheck.formats.junit import JunitReporter

            return JunitReporter(union=union)
        case _:
            assert_never(choice)


__all__ = ["Describe", "RepeatWarning", "Repeats", "Reporter", "Seen", "Tally", "reporter"]

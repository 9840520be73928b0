"""``smcheck verify``'s output formats: one module per format, each a :class:`Reporter` (pip-audit's
``_format/`` is the model).

A reporter is handed each :class:`~smcheck.verify.Report` (or the :class:`~smcheck.errors.CannotOpen`
of a file that could not be read) in the order the files were found, then :meth:`Reporter.finish`. It
keeps no Report: what a format prints at the end is rendered (or reduced to a small object) as each
arrives, so a large batch holds text, never records. Counting, the exit code, the repeat warnings and
judging copies of one record together are done here, the same for every format; a format says only
how one record (:meth:`Reporter.record`) and one unreadable file (:meth:`Reporter.cannot_open`) are
shown, and what it writes at the end.

Adding a format: a member of :class:`smcheck.choices.VerifyFormat`, a module here with its reporter,
and its case in :func:`reporter` (the ``match`` ends in ``assert_never``, so mypy says where).

No rich, and nothing heavy, at import: the reviewer's path stays fast (tests/test_startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

from smcheck.choices import VerifyFormat
from smcheck.errors import CannotOpen
from smcheck.report import ORDER, overdue, unsearched
from smcheck.verify import Report

if TYPE_CHECKING:
    from smcheck.merge import Union, UnionOf
    from smcheck.trust.policy import State

Describe = Callable[[Report | CannotOpen], dict[str, object]]
"""What the register says of a record (:func:`smcheck.register.row_json`): its channel (name,
platform, handle), department, review date, the register's state and who must act."""

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

    def of(self, report: Report) -> list[RepeatWarning]:
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


class Reporter:
    """The interface every format implements: takes each record's report as it is checked, in the
    order found; :meth:`finish` ends the run.

    Subclasses say how one record (:meth:`record`) and one unreadable file (:meth:`cannot_open`) are
    shown; counting and the repeat warnings are done here, the same for every format."""

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

    def add(self, outcome: Report | CannotOpen) -> None:
        """One more file: its report, or why it could not be opened."""
        if isinstance(outcome, CannotOpen):
            if unsearched(outcome):
                self.tally.unsearched += 1
            else:
                self.tally.unreadable += 1
            self.cannot_open(outcome)
            return
        self.tally.states[outcome.state] += 1
        self.tally.overdue += overdue(outcome)
        self.tally.invalid += not outcome.valid
        self.tally.rereview += outcome.valid and outcome.rereview is not None
        if self._union is not None and outcome.valid and outcome.copy_key is not None:
            first = self._first.setdefault(outcome.copy_key, outcome.path)
            if first != outcome.path:
                self._copies.setdefault(outcome.copy_key, [first]).append(outcome.path)
        self.record(outcome, self._repeats.of(outcome))

    def record(self, report: Report, warnings: list[RepeatWarning]) -> None:
        """Show one record."""
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
) -> Reporter:
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


__all__ = ["Describe", "RepeatWarning", "Repeats", "Reporter", "Tally", "reporter"]

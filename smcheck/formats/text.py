"""``--format text``: one record's rows, or the folder report, for people.

Written without rich (the reviewer's path stays fast, tests/test_startup.py): with ``sys.stdout.write``
in large chunks, every untrusted string (a path, anything from a record) through
:func:`smcheck.text.visible`. Colour only when stdout is a terminal and ``NO_COLOR`` is unset.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from smcheck.errors import CannotOpen
from smcheck.formats import RepeatWarning, Reporter, Seen
from smcheck.report import (
    CANNOT_OPEN,
    NOT_SEARCHED,
    ORDER,
    OVERDUE,
    counted,
    label,
    said,
    style,
    summary_of,
    unsearched,
    warnings,
)
from smcheck.text import visible
from smcheck.trust.policy import State
from smcheck.verify import RUN_COMMANDS, Report

if TYPE_CHECKING:
    from smcheck.console import Progress
    from smcheck.merge import UnionOf


_SGR = {
    "INFO": "36",
    "PASS": "32",
    "WARN": "33",
    "FAIL": "1;31",
    "SKIP": "2",
    "VALID": "1;32",
    "INVALID": "1;31",
    "bold": "1",
    "dim": "2",
}


def colour() -> bool:
    """Whether to colour stdout: a terminal, and neither ``NO_COLOR`` nor ``TERM=dumb``."""
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def paint(text: str, key: str, coloured: bool) -> str:
    """``text`` in the colour named ``key`` (a verdict, a state's style, ``bold``, ``dim``)."""
    return f"\x1b[{_SGR[key]}m{text}\x1b[0m" if coloured else text


def width() -> int:
    """The width to wrap rows to: the terminal's (``COLUMNS`` first), at least 60."""
    import shutil

    return max(60, shutil.get_terminal_size((100, 24)).columns)


def wrap(text: str, columns: int) -> list[str]:
    """Wrap at spaces only, so that an escape such as \\u202e is never split across two lines."""
    import textwrap

    return textwrap.wrap(text, width=columns, break_long_words=False, break_on_hyphens=False)


def report_text(report: Report, *, colour: bool = False, width: int = 100) -> str:
    """One record's verify report as text: one row per check, untrusted text made visible."""
    coloured = colour
    lines = [paint(visible(report.path), "bold", coloured)]
    label = max(len(c.title) for c in report.checks)
    indent = " " * (1 + 4 + 2 + label + 2)
    for row in report.checks:
        first = f" {paint(row.verdict.value, row.verdict.value, coloured)}  {row.title:<{label}}  "
        wrapped = wrap(visible(summary_of(row)), max(30, width - len(indent))) or [""]
        lines.append(first + wrapped[0])
        lines.extend(indent + more for more in wrapped[1:])
        for detail in row.details:
            if detail.code in RUN_COMMANDS:
                # A command to paste: whole, on a line of its own.
                lines.append(indent + "run: " + paint(visible(detail.message), "bold", coloured))
                continue
            where = f"{detail.where}: " if detail.where else ""
            if f"{where}{detail.message}" == row.summary:
                continue  # the summary already says it
            text = visible(f"- {where}{detail.message}")
            for number, part in enumerate(wrap(text, max(30, width - len(indent) - 2))):
                lines.append(indent + ("" if number == 0 else "  ") + paint(part, "dim", coloured))
    if report.valid:
        count = warnings(report)
        extra = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
        standing = f": {report.standing.summary}" if report.standing is not None else ""
        lines.append("  => " + paint(f"VALID{extra}", "VALID", coloured) + visible(standing))
    else:
        lines.append("  => " + paint("INVALID", "INVALID", coloured))
    return "\n".join(lines) + "\n\n"


def show_report(report: Report) -> None:
    """Print one record's verify report on stdout."""
    sys.stdout.write(report_text(report, colour=colour(), width=width()))
    sys.stdout.flush()


LABEL_WIDTH = max(len(CANNOT_OPEN), len(OVERDUE), *(len(label(s)) for s in State))
"""The width of the folder report's first column."""

PATH_WIDTH = 40
"""Paths are padded to a column up to this wide; a longer one pushes only its own line's words."""


class RecordReporter(Reporter[str]):
    """One record given: its rows, as ever (the error of a file that cannot be opened on stderr)."""

    def show(self, report: Report, data: bytes) -> str:
        return report_text(report, colour=colour(), width=width())

    def record(self, seen: Seen[str], warnings: list[RepeatWarning]) -> None:
        sys.stdout.write(seen.shown)  # one record cannot repeat another: no warnings to show
        sys.stdout.flush()


PROGRESS_FROM = 20
"""A batch this large shows a progress bar (on stderr, when stderr is a terminal; text only)."""

CHUNK = 2000
"""Lines written to stdout in one call: a terminal is slow per write, not per byte."""


def progress(total: int) -> Progress | None:
    """A progress bar on stderr for a large batch, when stderr is a terminal; else None."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return None
    from smcheck.console import Progress

    return Progress(total, "Verifying")


class Line(NamedTuple):
    """What the folder report shows of one record: its words beside its state, and its rows when they
    are shown (it fails or warns, or ``--verbose``)."""

    words: str
    rows: str | None


class FolderReporter(Reporter[Line]):
    """The folder report, for people, printed once every record is checked:

    1. one line per record, problems first (in :data:`ORDER`; within a state, the order found): its
       state, its path, and the checks it fails or who must act;
    2. the full rows of the records that fail or warn (with ``verbose``, of every record), in the same
       order;
    3. the repeated-record and same-channel warnings, each naming both files; copies of one record
       (the same signed content and proposer signature, signed by different people) named together
       with what verify says of their union (:mod:`smcheck.merge`): approved, or a conflict;
    4. the counts by state, and the files that could not be opened.

    A progress bar is drawn on stderr meanwhile (when it is a terminal and the batch is large); nothing
    is written to stdout until the bar is gone.
    """

    def __init__(self, *, total: int, verbose: bool = False, union: UnionOf | None = None) -> None:
        super().__init__(union=union)
        self._verbose = verbose
        self._colour = colour()
        self._width = width()
        self._lines: dict[State | str | None, list[tuple[str, str]]] = {
            None: [],
            NOT_SEARCHED: [],
            OVERDUE: [],
        }
        """(path, what is said) per state, as shown; None: the files that could not be opened;
        :data:`NOT_SEARCHED`: folders; :data:`OVERDUE`: approved records whose review is overdue."""
        self._rows: dict[State, list[str]] = {}
        self._repeated: list[str] = []
        self._same_channel: list[str] = []
        self._words: dict[str, str] = {}
        """One copy of each sentence said (thousands of records share a handful)."""
        self._progress = progress(total)

    def show(self, report: Report, data: bytes) -> Line:
        rows = None
        if self._verbose or not report.valid or report.warnings:
            rows = report_text(report, colour=self._colour, width=self._width)
        return Line(visible(said(report)), rows)

    def record(self, seen: Seen[Line], warnings: list[RepeatWarning]) -> None:
        if self._progress is not None:
            self._progress.advance()
        words = self._words.setdefault(seen.shown.words, seen.shown.words)
        group: State | str = OVERDUE if seen.overdue else seen.state
        path = visible(seen.path)
        self._lines.setdefault(group, []).append((path, words))
        if seen.shown.rows is not None:
            self._rows.setdefault(seen.state, []).append(seen.shown.rows)
        for warning in warnings:
            shown = f"  {path}: {visible(warning['message'])}"
            if warning["code"] == "repeated-record-id":
                self._repeated.append(shown)
            else:
                self._same_channel.append(shown)

    def cannot_open(self, exc: CannotOpen) -> None:
        if self._progress is not None:
            self._progress.advance()
        super().cannot_open(exc)
        self._lines[NOT_SEARCHED if unsearched(exc) else None].append(
            (visible(exc.path), visible(exc.reason))
        )

    def close(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress = None

    def finish(self) -> None:
        super().finish()
        write = _write
        write(self._list())
        rows = [text for state in ORDER for text in self._rows.get(state, ())]
        if rows:
            title = "Every record's checks" if self._verbose else "Records that fail or warn"
            write([self._heading(title)])
            write(rows, joiner="")
        for title, lines in (
            ("Repeated records", self._repeated + self._together()),
            ("Same channel", self._same_channel),
        ):
            if lines:
                write([self._heading(title), *lines, ""])
        write([self.counts()])

    def _together(self) -> list[str]:
        """A line for each set of copies of one record: every copy, and what verify says of their
        union (the merged bytes verified, never the copies' states combined by hand)."""
        from smcheck.merge import merge_command

        lines: list[str] = []
        for union in self.unions:
            head = f"  {visible(' + '.join(union.paths))}: copies of one record, judged together: "
            report = union.report
            if not union.valid:
                why = (
                    "; and ".join(union.conflicts) + ": a conflict"
                    if union.conflicts
                    else said(report)
                )
                lines.append(
                    head
                    + paint("INVALID", "INVALID", self._colour)
                    + visible(f": {why}; nobody should act on it")
                )
                continue
            lines.append(
                head
                + visible(f"{said(report)}; to make one file of them: {merge_command(union.paths)}")
            )
        return lines

    def _heading(self, title: str) -> str:
        return paint(title, "bold", self._colour)

    def _list(self) -> list[str]:
        """The first part: one line per file, problems first."""
        groups: list[tuple[str, str, list[tuple[str, str]]]] = [
            (CANNOT_OPEN, "FAIL", self._lines[None]),
            (NOT_SEARCHED, "FAIL", self._lines[NOT_SEARCHED]),
        ]
        for s in ORDER:
            groups.append((label(s), style(s), self._lines.get(s, [])))
            if s is State.INVALID:  # an overdue review is urgent: the proposer must act now
                groups.append((OVERDUE, "FAIL", self._lines[OVERDUE]))
        shown = [len(path) for _, _, lines in groups for path, _ in lines]
        column = min(PATH_WIDTH, max(shown, default=0))
        out = [self._heading("Records, problems first")] if shown else []
        for name, key, lines in groups:
            head = "  " + paint(name, key, self._colour) + " " * (LABEL_WIDTH - len(name) + 2)
            out.extend(f"{head}{path.ljust(column)}  {words}" for path, words in lines)
        return [*out, ""] if out else out

    def counts(self) -> str:
        """The last line: ``8 records: 1 invalid, ..., 2 approved, 1 could not be opened``."""
        tally = self.tally
        parts: list[str] = []
        for s in ORDER:
            n = tally.states[s] - (tally.overdue if s is State.APPROVED else 0)
            if n:
                parts.append(paint(f"{n} {counted(s)}", style(s), self._colour))
            if s is State.INVALID and tally.overdue:
                parts.append(
                    paint(f"{tally.overdue} approved, review overdue", "FAIL", self._colour)
                )
        if tally.unions:
            many = "s" if tally.unions != 1 else ""
            parts.append(
                paint(f"{tally.unions} set{many} of copies in conflict", "FAIL", self._colour)
            )
        if tally.unreadable:
            parts.append(paint(f"{tally.unreadable} could not be opened", "FAIL", self._colour))
        if tally.unsearched:
            many = "s" if tally.unsearched != 1 else ""
            parts.append(
                paint(f"{tally.unsearched} folder{many} not searched", "FAIL", self._colour)
            )
        if tally.rereview:
            parts.append(f"{tally.rereview} to re-review under a newer checklist version")
        total = tally.records
        head = f"{total} record{'s' if total != 1 else ''}"
        return head + (": " + ", ".join(parts) if parts else "")


def _write(lines: Sequence[str], *, joiner: str = "\n") -> None:
    """Lines to stdout in chunks of :data:`CHUNK`, never one call per line."""
    for start in range(0, len(lines), CHUNK):
        sys.stdout.write(joiner.join(lines[start : start + CHUNK]) + joiner)
    sys.stdout.flush()

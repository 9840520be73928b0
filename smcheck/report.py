"""Every output format of ``smcheck verify``, in one place: a record's rows as text, the folder report
for people, the ``--quiet`` line, and the ``--json``/``--jsonl`` objects.

A :class:`Reporter` is handed each :class:`~smcheck.verify.Report` (or the
:class:`~smcheck.errors.CannotOpen` of a file that could not be read) in the order the files were
found, then :meth:`Reporter.finish`. It keeps no Report: what the folder report prints at the end (one
line per record, the rows of the records that fail or warn, the repeats) is rendered as each arrives,
so a large batch holds text, never records.

No rich here (the reviewer's path stays fast, tests/test_startup.py): text is written with
``sys.stdout.write`` in large chunks, and every untrusted string (a path, anything from a record) goes
through :func:`smcheck.text.visible`. Colour only when stdout is a terminal and ``NO_COLOR`` is unset.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

from smcheck.errors import CannotOpen
from smcheck.text import visible
from smcheck.trust.policy import State
from smcheck.verify import CheckResult, Report, Verdict, report_json

if TYPE_CHECKING:
    from smcheck.console import Progress
    from smcheck.merge import Union, UnionOf
    from smcheck.record import Seal


class Format(StrEnum):
    """How ``verify`` reports."""

    TEXT = "text"
    """For people: one record's rows, or the folder report."""
    QUIET = "quiet"
    """For scripts and hooks: one line per invalid record, nothing else."""
    JSON = "json"
    """One JSON array, printed when every record is checked."""
    JSONL = "jsonl"
    """One JSON object per line, written as each record is checked."""


# --- text: colour, width, one record's rows ---------------------------------------------------------

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
            if detail.code in ("restore-command", "trust-add-command"):
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


def summary_of(row: CheckResult) -> str:
    """A row's summary as the text report shows it. The outcome's warnings are listed one per detail
    line below it, so the summary keeps only its count ("ready, with 2 warnings for the reviewer"):
    each warning is printed once (``--json`` keeps verify's whole summary)."""
    if row.code == "outcome-warnings" and any(d.code == "outcome-warning" for d in row.details):
        return row.summary.split(": ", 1)[0]
    return row.summary


def warnings(report: Report) -> int:
    """How many warnings the reviewer is shown, counted as the rows count them: each of the outcome's
    warnings (the outcome row says "2 warnings"), and one for each other row that warns."""
    return sum(
        (sum(d.code == "outcome-warning" for d in c.details) or 1)
        if c.code == "outcome-warnings"
        else 1
        for c in report.checks
        if c.verdict is Verdict.WARN
    )


def show_report(report: Report) -> None:
    """Print one record's verify report on stdout."""
    sys.stdout.write(report_text(report, colour=colour(), width=width()))
    sys.stdout.flush()


# --- the folder report's parts ----------------------------------------------------------------------

ORDER: tuple[State, ...] = (
    State.INVALID,
    State.REJECTED,
    State.AWAITING_REVIEWER,
    State.AWAITING_COSIGN,
    State.UNSIGNED,
    State.NOT_CHECKED,
    State.APPROVED,
)
"""The order of the folder report: problems first, then who must act, approved last."""


def label(state: State) -> str:
    """A state as the first column of the folder report."""
    match state:
        case State.INVALID:
            return "INVALID"
        case State.REJECTED:
            return "REJECTED"
        case State.AWAITING_REVIEWER:
            return "AWAITING REVIEWER"
        case State.AWAITING_COSIGN:
            return "AWAITING COSIGN"
        case State.UNSIGNED:
            return "UNSIGNED"
        case State.NOT_CHECKED:
            return "NOT CHECKED"
        case State.APPROVED:
            return "APPROVED"
        case _:
            assert_never(state)


def counted(state: State) -> str:
    """A state as the counts line says it: ``3 invalid``, ``2 awaiting a co-signer``."""
    match state:
        case State.INVALID:
            return "invalid"
        case State.REJECTED:
            return "rejected"
        case State.AWAITING_REVIEWER:
            return "awaiting the reviewer"
        case State.AWAITING_COSIGN:
            return "awaiting a co-signer"
        case State.UNSIGNED:
            return "unsigned"
        case State.NOT_CHECKED:
            return "not checked"
        case State.APPROVED:
            return "approved"
        case _:
            assert_never(state)


def _style(state: State) -> str:
    match state:
        case State.INVALID | State.REJECTED:
            return "FAIL"
        case State.AWAITING_REVIEWER | State.AWAITING_COSIGN:
            return "WARN"
        case State.UNSIGNED | State.NOT_CHECKED:
            return "INFO"
        case State.APPROVED:
            return "VALID"
        case _:
            assert_never(state)


CANNOT_OPEN = "CANNOT OPEN"
"""The first column of a file that could not be opened (it has no state: it was never verified)."""
NOT_SEARCHED = "NOT SEARCHED"
"""The first column of a folder that was not searched (more than 64 folders deep, or unreadable): a
folder, not a record, and counted as one."""
OVERDUE = "REVIEW OVERDUE"
"""The first column of an approved record whose review is overdue: its own group, never under
APPROVED (the proposer must send a new record)."""

LABEL_WIDTH = max(len(CANNOT_OPEN), len(OVERDUE), *(len(label(s)) for s in State))


def overdue(report: Report) -> bool:
    """Whether verify found the record's review overdue (an approved record the proposer must renew)."""
    return any(c.code == "review-overdue" for c in report.checks) and report.state is State.APPROVED


def unsearched(exc: CannotOpen) -> bool:
    """Whether what could not be opened is a folder that was not searched (too deep, or unreadable),
    not a record: it is counted and shown as a folder."""
    from pathlib import Path

    path = Path(exc.path)
    return path.is_dir() and not path.is_symlink()


PATH_WIDTH = 40
"""Paths are padded to a column up to this wide; a longer one pushes only its own line's words."""


def failed(report: Report) -> list[str]:
    """The ids of the checks a record fails (``--quiet`` and ``--json`` name checks by id)."""
    return [c.check for c in report.checks if c.verdict is Verdict.FAIL]


def said(report: Report) -> str:
    """What the folder report says of one record beside its state: the checks it fails, or who must
    act (the standing's own words), and its warnings. Never kinder than :attr:`Report.state`."""
    state = report.state
    if state is State.INVALID:
        titles = [c.title for c in report.checks if c.verdict is Verdict.FAIL]
        if titles:
            return "fails: " + ", ".join(titles)
        return report.standing.summary if report.standing is not None else "does not verify"
    assert report.standing is not None  # a state other than invalid comes from the standing
    words = report.standing.summary
    if state is State.NOT_CHECKED:
        words += "; give --allowed-signers FILE"
    # A rejection is a WARN row, and the standing already says it.
    warned = [c.title for c in report.checks if c.verdict is Verdict.WARN and c.code != "rejected"]
    if warned:
        words += "; warns: " + ", ".join(warned)
    if report.rereview is not None:
        words += f"; re-review under {report.rereview}"
    return words


def unlocal(report: Report) -> Callable[[str], str]:
    """Words without the reviewer's local path to their trust file (verify names it, as it should on
    the reviewer's own screen; a document sent on, the register and its page name it only as the
    reviewer's trust file). The export and the register share it: no view prints a local path that
    the record does not carry."""
    from smcheck.text import shell_word

    where = report.judged.trust_path if report.judged is not None else None

    def clean(text: str) -> str:
        if not where:
            return text
        for local, said in (
            # A command to paste: the reviewer's own option is theirs to add.
            (f"--allowed-signers {shell_word(where)} ", ""),
            (f"the trust file {where}", "the reviewer's trust file"),
            (f"trust file {where}", "the reviewer's trust file"),
            (f"{where} line ", "the reviewer's trust file, line "),
        ):
            text = text.replace(local, said)
        # Any other mention of a path with a folder in it (a bare name such as "t" could be part of
        # any word, and shows no folder).
        return (
            text.replace(where, "the reviewer's trust file")
            if "/" in where or "\\" in where
            else text
        )

    return clean


def decisions(report: Report | None, seals: tuple[Seal, ...] = ()) -> dict[str, str]:
    """Each role's decision in words, as verify judged it (``diff`` and ``show`` say them alike):
    ``rejected by X on DATE: COMMENT``, or ``signed (...)`` with verify's status where the decision
    could not be read (no trust file, or a signature that does not verify). Without a report, each
    role's entry is only ``signed``."""
    if report is None:
        return {s.role: "signed" for s in seals if s.role}
    said: dict[str, str] = {}
    for r in report.signatures:
        if r.approval is not None:
            approval = r.approval
            who = r.principal or f"{approval.approver} (as the statement says)"
            comment = f": {approval.comment}" if approval.comment else ""
            words = f"{approval.decision} by {who} on {approval.time:%Y-%m-%d}{comment}"
            if r.status != "trusted":
                words += f" ({r.status.replace('-', ' ')})"
        elif r.role == "proposer":
            words = "signed" if r.status == "trusted" else f"signed ({r.status.replace('-', ' ')})"
        else:
            words = f"signed ({r.status.replace('-', ' ')}: the decision is not shown)"
        said[r.role] = words if r.role not in said else said[r.role] + "; " + words
    return said


def quiet_line(report: Report) -> str:
    """The ``--quiet`` line of an invalid record (a contract: scripts read it)."""
    return visible(f"INVALID {report.path}: fails {', '.join(failed(report))}") + "\n"


class Repeats:
    """The same record id, or the same channel, seen earlier in this run: a resubmission or a replay.

    Holds one path per id and per channel key (not the records)."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._channels: dict[str, str] = {}

    def of(self, report: Report) -> list[dict[str, str]]:
        """The warnings for this record, against the ones before it."""
        warnings: list[dict[str, str]] = []
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


def union_warning(union: Union) -> dict[str, object]:
    """The ``--json`` warning on each of the copies of one record judged together: what verify says
    of their union (``copies-together``), or that they conflict (``copies-conflict``)."""
    from smcheck.merge import merge_command

    if union.valid:
        return {
            "code": "copies-together",
            "state": union.report.state.value,
            "message": f"copies of one record, judged together: {said(union.report)}",
            "merge_command": merge_command(union.paths),
        }
    why = "; and ".join(union.conflicts) + ": a conflict" if union.conflicts else said(union.report)
    return {
        "code": "copies-conflict",
        "state": "invalid",
        "message": f"copies of one record, judged together: {why}; nobody should act on it",
    }


Describe = Callable[[Report | CannotOpen], dict[str, object]]
"""What the register says of a record (:func:`smcheck.register.row_json`): its channel (name,
platform, handle), department, review date, the register's state and who must act."""


def record_object(
    report: Report, warnings: list[dict[str, str]], describe: Describe | None = None
) -> dict[str, object]:
    """A record's ``--json``/``--jsonl`` object: :func:`smcheck.verify.report_json` (which carries
    ``state``), the repeat warnings, and, with ``describe``, the register's row under ``register``
    (the same object ``status --json`` gives for it). ``smcheck schema report`` describes it."""
    made = {**report_json(report), "warnings": warnings}
    if describe is not None:
        made["register"] = describe(report)
    return made


def unreadable_object(exc: CannotOpen) -> dict[str, object]:
    """The ``--json``/``--jsonl`` object of a file that could not be opened: ``invalid``, as a state
    (nobody should act on it), with the reason; ``folder_not_searched`` for a folder."""
    return {
        "path": exc.path,
        "valid": False,
        "state": State.INVALID.value,
        "error": exc.reason,
        "folder_not_searched": unsearched(exc),
    }


def _dumps(obj: object, *, indent: int | None = None) -> str:
    # ASCII only, so no byte of untrusted text reaches the terminal raw.
    return json.dumps(obj, indent=indent, ensure_ascii=True, default=str)


# --- reporters --------------------------------------------------------------------------------------


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


class Reporter:
    """Takes each record's report as it is checked, in the order found; :meth:`finish` ends the run.

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

    def record(self, report: Report, warnings: list[dict[str, str]]) -> None:
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


class QuietReporter(Reporter):
    """``--quiet``: one line per invalid record, as each is found; nothing for the others."""

    def record(self, report: Report, warnings: list[dict[str, str]]) -> None:
        if not report.valid:
            sys.stdout.write(quiet_line(report))

    def finish(self) -> None:
        super().finish()
        for union in self.unions:
            if not union.valid:
                checks = ", ".join(failed(union.report)) or "approval"
                sys.stdout.write(
                    visible(
                        f"INVALID {' + '.join(union.paths)}: fails {checks} (copies in conflict)"
                    )
                    + "\n"
                )


class JsonLinesReporter(Reporter):
    """``--jsonl``: one object per line, written (and flushed) as each record is checked."""

    def __init__(self, *, union: UnionOf | None = None, describe: Describe | None = None) -> None:
        super().__init__(union=union)
        self._describe = describe

    def record(self, report: Report, warnings: list[dict[str, str]]) -> None:
        self._write(record_object(report, warnings, self._describe))

    def cannot_open(self, exc: CannotOpen) -> None:
        self._write(_with_register(unreadable_object(exc), exc, self._describe))

    def _write(self, obj: dict[str, object]) -> None:
        sys.stdout.write(_dumps(obj) + "\n")
        sys.stdout.flush()


class JsonReporter(Reporter):
    """``--json``: one array of the objects ``--jsonl`` streams, in the order found."""

    def __init__(self, *, union: UnionOf | None = None, describe: Describe | None = None) -> None:
        super().__init__(union=union)
        self._objects: list[dict[str, object]] = []
        self._describe = describe

    def record(self, report: Report, warnings: list[dict[str, str]]) -> None:
        self._objects.append(record_object(report, warnings, self._describe))

    def cannot_open(self, exc: CannotOpen) -> None:
        self._objects.append(_with_register(unreadable_object(exc), exc, self._describe))

    def finish(self) -> None:
        super().finish()
        for union in self.unions:
            warning = union_warning(union)
            for obj in self._objects:
                if obj.get("path") in union.paths:
                    warnings = obj.get("warnings")
                    if isinstance(warnings, list):
                        warnings.append(
                            {**warning, "others": [p for p in union.paths if p != obj["path"]]}
                        )
        sys.stdout.write(_dumps(self._objects, indent=2) + "\n")


def _with_register(
    made: dict[str, object], exc: CannotOpen, describe: Describe | None
) -> dict[str, object]:
    if describe is not None:
        made["register"] = describe(exc)
    return made


class RecordReporter(Reporter):
    """One record given: its rows, as ever (the error of a file that cannot be opened on stderr)."""

    def record(self, report: Report, warnings: list[dict[str, str]]) -> None:
        show_report(report)  # one record cannot repeat another: no warnings to show


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


class FolderReporter(Reporter):
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

    def record(self, report: Report, warnings: list[dict[str, str]]) -> None:
        if self._progress is not None:
            self._progress.advance()
        state = report.state
        words = visible(said(report))
        words = self._words.setdefault(words, words)
        group: State | str = OVERDUE if overdue(report) else state
        self._lines.setdefault(group, []).append((visible(report.path), words))
        if self._verbose or not report.valid or report.warnings:
            text = report_text(report, colour=self._colour, width=self._width)
            self._rows.setdefault(state, []).append(text)
        for warning in warnings:
            shown = f"  {visible(report.path)}: {visible(warning['message'])}"
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
            groups.append((label(s), _style(s), self._lines.get(s, [])))
            if s is State.INVALID:  # an overdue review is urgent: the proposer must act now
                groups.append((OVERDUE, "FAIL", self._lines[OVERDUE]))
        shown = [len(path) for _, _, lines in groups for path, _ in lines]
        column = min(PATH_WIDTH, max(shown, default=0))
        out = [self._heading("Records, problems first")] if shown else []
        for name, style, lines in groups:
            head = "  " + paint(name, style, self._colour) + " " * (LABEL_WIDTH - len(name) + 2)
            out.extend(f"{head}{path.ljust(column)}  {words}" for path, words in lines)
        return [*out, ""] if out else out

    def counts(self) -> str:
        """The last line: ``8 records: 1 invalid, ..., 2 approved, 1 could not be opened``."""
        tally = self.tally
        parts: list[str] = []
        for s in ORDER:
            n = tally.states[s] - (tally.overdue if s is State.APPROVED else 0)
            if n:
                parts.append(paint(f"{n} {counted(s)}", _style(s), self._colour))
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


def reporter(
    choice: Format,
    *,
    total: int,
    one_record: bool,
    verbose: bool = False,
    union: UnionOf | None = None,
    describe: Describe | None = None,
) -> Reporter:
    """The reporter for a run: ``one_record`` when a single file was given (its rows, as ever);
    ``union`` judges copies of one record together (a conflict between them fails the run);
    ``describe`` gives each JSON object the register's row for its record."""
    match choice:
        case Format.TEXT:
            if one_record:
                return RecordReporter()
            return FolderReporter(total=total, verbose=verbose, union=union)
        case Format.QUIET:
            return QuietReporter(union=union)
        case Format.JSON:
            return JsonReporter(union=union, describe=describe)
        case Format.JSONL:
            return JsonLinesReporter(union=union, describe=describe)
        case _:
            assert_never(choice)


__all__ = [
    "ORDER",
    "FolderReporter",
    "Format",
    "JsonLinesReporter",
    "JsonReporter",
    "QuietReporter",
    "RecordReporter",
    "Repeats",
    "Reporter",
    "Tally",
    "counted",
    "decisions",
    "label",
    "progress",
    "quiet_line",
    "record_object",
    "report_json",
    "report_text",
    "reporter",
    "said",
    "show_report",
    "unlocal",
    "unreadable_object",
]

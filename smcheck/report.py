"""What verify says of a record in words, shared by every view: the order and names of the states,
what the folder report says beside a record (:func:`said`), each role's decision in words
(:func:`decisions`), and words without the reviewer's local path (:func:`unlocal`).

The output formats that use these words are :mod:`smcheck.formats`, one module each. No rich here (the
reviewer's path stays fast, tests/test_startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

from smcheck.errors import CannotOpen
from smcheck.trust.policy import SigStatus, State
from smcheck.verify import RUN_COMMANDS, CheckResult, Report, Verdict

if TYPE_CHECKING:
    from smcheck.record import Seal


def summary_of(row: CheckResult) -> str:
    """A row's summary as the text report shows it. The outcome's warnings are listed one per detail
    line below it, so the summary keeps only its count ("ready, with 2 warnings for the reviewer"):
    each warning is printed once (``--format json`` keeps verify's whole summary); a command to paste
    is printed below too, so the summary points at it."""
    if row.code == "outcome-warnings" and any(d.code == "outcome-warning" for d in row.details):
        return row.summary.split(": ", 1)[0]
    for detail in row.details:
        # A command to paste is printed whole on a line of its own, below: said once, not twice.
        if detail.code in RUN_COMMANDS and row.summary.endswith(f": {detail.message}"):
            words = row.summary.removesuffix(f": {detail.message}")
            return words + (
                " the command below" if words.endswith(" run") else ", with the command below"
            )
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


def style(state: State) -> str:
    """The colour a state is shown in (a key of the text format's colours)."""
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


def overdue(report: Report) -> bool:
    """Whether verify found the record's review overdue (an approved record the proposer must renew)."""
    return any(c.code == "review-overdue" for c in report.checks) and report.state is State.APPROVED


def unsearched(exc: CannotOpen) -> bool:
    """Whether what could not be opened is a folder that was not searched (too deep, or unreadable),
    not a record: it is counted and shown as a folder."""
    from pathlib import Path

    path = Path(exc.path)
    return path.is_dir() and not path.is_symlink()


def failed(report: Report) -> list[str]:
    """The ids of the checks a record fails (``--format quiet`` and ``--format json`` name checks by id)."""
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
            if r.status is not SigStatus.TRUSTED:
                words += f" ({r.status.words})"
        elif r.role == "proposer":
            words = "signed" if r.status is SigStatus.TRUSTED else f"signed ({r.status.words})"
        else:
            words = f"signed ({r.status.words}: the decision is not shown)"
        said[r.role] = words if r.role not in said else said[r.role] + "; " + words
    return said


__all__ = [
    "CANNOT_OPEN",
    "NOT_SEARCHED",
    "ORDER",
    "OVERDUE",
    "counted",
    "decisions",
    "failed",
    "label",
    "overdue",
    "said",
    "style",
    "summary_of",
    "unlocal",
    "unsearched",
    "warnings",
]

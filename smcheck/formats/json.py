"""``--format json``: one array of the objects ``jsonl`` streams, printed when every record is
checked; and the objects themselves, which ``smcheck schema report`` describes (a published schema:
their keys and strings do not change)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from smcheck.errors import CannotOpen
from smcheck.formats import Describe, RepeatWarning, Reporter, Seen
from smcheck.report import said, unsearched
from smcheck.trust.policy import State
from smcheck.verify import RESTORE_COMMAND, Detail, Report, Verdict

if TYPE_CHECKING:
    from smcheck.merge import Union, UnionOf


def report_json(report: Report) -> dict[str, object]:
    """The report as a JSON-ready object with stable codes (and the command that restores a file an
    editor or an e-mail program changed, when there is one)."""
    restore = [d.message for c in report.checks for d in c.details if d.code == RESTORE_COMMAND]
    return {
        "path": report.path,
        "valid": report.valid,
        "state": report.state.value,
        "record_id": report.record_id,
        "checks": [
            {"check": c.check, "status": c.verdict.value, "code": c.code, "message": c.summary}
            for c in report.checks
        ],
        "signatures": [
            {
                "role": r.role,
                "principal": r.principal,
                "fingerprint": r.fingerprint,
                "trust": r.status.value,
                "message": r.message,
                "required": r.required,
                **(
                    {
                        "decision": r.approval.decision,
                        "approver": r.approval.approver,
                        "time": r.approval.time.isoformat(),
                    }
                    if r.approval is not None
                    else {}
                ),
            }
            for r in report.signatures
        ],
        "findings": [
            {
                "check": c.check,
                "status": c.verdict.value,
                "code": d.code,
                "message": d.message,
                "where": d.where,
            }
            for c in report.checks
            if c.verdict in (Verdict.FAIL, Verdict.WARN)
            for d in (
                tuple(d for d in c.details if d.code != RESTORE_COMMAND)
                or (Detail(c.code, c.summary),)
            )
        ],
        **({"restore_command": restore[0]} if restore else {}),
        **({"rereview_under": report.rereview} if report.rereview else {}),
    }


def union_warning(union: Union) -> dict[str, object]:
    """The ``--format json`` warning on each of the copies of one record judged together: what verify says
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


Shown = tuple[dict[str, object], dict[str, object] | None]
"""What the JSON formats show of one record: :func:`report_json`, and the register's row (with
``describe``), made where the record was verified (:func:`shown`); the repeat warnings go between them
(:func:`record_object`)."""


def shown(report: Report, data: bytes = b"", describe: Describe | None = None) -> Shown:
    """:func:`report_json`, and the register's row for the record when ``describe`` is given."""
    return report_json(report), describe(report, data) if describe is not None else None


def record_object(made: Shown, warnings: list[RepeatWarning]) -> dict[str, object]:
    """A record's ``--format json``/``jsonl`` object: :func:`report_json` (which carries
    ``state``), the repeat warnings, and, with ``describe``, the register's row under ``register``
    (the same object ``status --format json`` gives for it). ``smcheck schema report`` describes it."""
    obj, register = made
    return {
        **obj,
        "warnings": warnings,
        **({"register": register} if register is not None else {}),
    }


def unreadable_object(exc: CannotOpen) -> dict[str, object]:
    """The ``--format json``/``jsonl`` object of a file that could not be opened: ``invalid``, as a state
    (nobody should act on it), with the reason; ``folder_not_searched`` for a folder."""
    return {
        "path": exc.path,
        "valid": False,
        "state": State.INVALID.value,
        "error": exc.reason,
        "folder_not_searched": unsearched(exc),
    }


def dumps(obj: object, *, indent: int | None = None) -> str:
    """JSON in ASCII only, so no byte of untrusted text reaches the terminal raw."""
    return json.dumps(obj, indent=indent, ensure_ascii=True, default=str)


class JsonReporter(Reporter[Shown]):
    """``--format json``: one array of the objects ``--format jsonl`` streams, in the order found."""

    def __init__(self, *, union: UnionOf | None = None, describe: Describe | None = None) -> None:
        super().__init__(union=union)
        self._objects: list[dict[str, object]] = []
        self._describe = describe

    def show(self, report: Report, data: bytes) -> Shown:
        return shown(report, data, self._describe)

    def record(self, seen: Seen[Shown], warnings: list[RepeatWarning]) -> None:
        self._objects.append(record_object(seen.shown, warnings))

    def cannot_open(self, exc: CannotOpen) -> None:
        self._objects.append(with_register(unreadable_object(exc), exc, self._describe))

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
        sys.stdout.write(dumps(self._objects, indent=2) + "\n")


def with_register(
    made: dict[str, object], exc: CannotOpen, describe: Describe | None
) -> dict[str, object]:
    """An unreadable file's object, with the register's row for it when ``describe`` is given."""
    if describe is not None:
        made["register"] = describe(exc, b"")
    return made


__all__ = [
    "JsonReporter",
    "Shown",
    "dumps",
    "record_object",
    "report_json",
    "shown",
    "union_warning",
    "unreadable_object",
    "with_register",
]

"""``--format jsonl``: one JSON object per line (:func:`smcheck.formats.json.record_object`), written
and flushed as each record is checked."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from smcheck.errors import CannotOpen
from smcheck.formats import Describe, RepeatWarning, Reporter
from smcheck.formats.json import dumps, record_object, unreadable_object, with_register
from smcheck.verify import Report

if TYPE_CHECKING:
    from smcheck.merge import UnionOf


class JsonLinesReporter(Reporter):
    """``--format jsonl``: one object per line, written (and flushed) as each record is checked."""

    def __init__(self, *, union: UnionOf | None = None, describe: Describe | None = None) -> None:
        super().__init__(union=union)
        self._describe = describe

    def record(self, report: Report, warnings: list[RepeatWarning]) -> None:
        self._write(record_object(report, warnings, self._describe))

    def cannot_open(self, exc: CannotOpen) -> None:
        self._write(with_register(unreadable_object(exc), exc, self._describe))

    def _write(self, obj: dict[str, object]) -> None:
        sys.stdout.write(dumps(obj) + "\n")
        sys.stdout.flush()

"""``--format jsonl``: one JSON object per line (:func:`smcheck.formats.json.record_object`), written
and flushed as each record is checked."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from smcheck.errors import CannotOpen
from smcheck.formats import Describe, RepeatWarning, Reporter, Seen
from smcheck.formats.json import (
    Shown,
    dumps,
    record_object,
    shown,
    unreadable_object,
    with_register,
)
from smcheck.verify import Report

if TYPE_CHECKING:
    from smcheck.merge import UnionOf


class JsonLinesReporter(Reporter[Shown]):
    """``--format jsonl``: one object per line, written (and flushed) as each record is checked."""

    def __init__(self, *, union: UnionOf | None = None, describe: Describe | None = None) -> None:
        super().__init__(union=union)
        self._describe = describe

    def show(self, report: Report, data: bytes) -> Shown:
        return shown(report, data, self._describe)

    def record(self, seen: Seen[Shown], warnings: list[RepeatWarning]) -> None:
        self._write(record_object(seen.shown, warnings))

    def cannot_open(self, exc: CannotOpen) -> None:
        self._write(with_register(unreadable_object(exc), exc, self._describe))

    def _write(self, obj: dict[str, object]) -> None:
        sys.stdout.write(dumps(obj) + "\n")
        sys.stdout.flush()

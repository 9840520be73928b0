"""``--format quiet``: one line per invalid record, as each is found; nothing for the others (a
contract: scripts and hooks read it)."""

from __future__ import annotations

import sys

from smcheck.formats import RepeatWarning, Reporter, Seen
from smcheck.report import failed
from smcheck.text import visible
from smcheck.verify import Report


def quiet_line(report: Report) -> str:
    """The ``--format quiet`` line of an invalid record (a contract: scripts read it)."""
    return visible(f"INVALID {report.path}: fails {', '.join(failed(report))}") + "\n"


class QuietReporter(Reporter[str | None]):
    """``--format quiet``: one line per invalid record, as each is found; nothing for the others."""

    def show(self, report: Report, data: bytes) -> str | None:
        return None if report.valid else quiet_line(report)

    def record(self, seen: Seen[str | None], warnings: list[RepeatWarning]) -> None:
        if seen.shown is not None:
            sys.stdout.write(seen.shown)

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

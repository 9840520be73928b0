"""``smcheck sign RECORD``: the proposer's signature on a record made without a key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from smcheck import console, registry
from smcheck.errors import SmcheckError, UsageError
from smcheck.record import PROPOSER, append_seal, read_layout_of, read_limited, rewrite_record
from smcheck.trust.keys import open_key
from smcheck.trust.policy import NAMESPACE_RECORD, seal_record


def run(record: Path, *, key_path: Path | None) -> int:
    """Sign a record that verifies and is not signed yet."""
    before = read_limited(record)
    content, seals = read_layout_of(record, before)
    if any(s.role == PROPOSER for s in seals):
        raise UsageError(
            f"{record} is already signed", hint="smcheck show --signature proposer shows it"
        )
    from smcheck.verify import Verdict, verify_bytes

    report = verify_bytes(before, str(record), lookup=registry.lookup(), today=dt.date.today())
    if not report.valid:
        failed = next(c for c in report.checks if c.verdict is Verdict.FAIL)
        raise SmcheckError(
            f"{record} does not verify ({failed.title}: {failed.summary}); it was not signed",
            hint=f"see: smcheck verify {record}",
        )
    key = open_key(key_path)
    rewrite_record(record, before, append_seal(before, seal_record(key, content)))
    console.say(f"Signed {record} (namespace {NAMESPACE_RECORD}).", style="bold green")
    return 0

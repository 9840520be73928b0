"""``smcheck status PATH...``: the register of channels, most urgent first.

One row per channel (the checklist's ``name_from`` answers; the latest record or draft for it), with the
checklist's ``[[register]]`` columns, its state and its review-by date. States, most urgent first:
invalid, review overdue, rejected, review due (within 30 days), awaiting approval, draft, approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from smcheck import console, registry
from smcheck.checklist import Checklist, format_value
from smcheck.errors import CannotOpen, SmcheckError, UsageError
from smcheck.record import RecordError, parse_content, read_layout, read_limited

STATES = (
    "invalid",
    "review-overdue",
    "rejected",
    "review-due",
    "awaiting-approval",
    "draft",
    "approved",
)
"""Every state, most urgent first (the register's sort order)."""

DUE_WITHIN = dt.timedelta(days=30)
DRAFT_SUFFIX = ".draft.toml"


class Entry(NamedTuple):
    """One channel's row."""

    path: str
    channel: str
    columns: tuple[str, ...]
    state: str
    review_by: dt.date | None
    when: dt.datetime | None
    """When the record was signed off (or the draft started): the latest one stands for the channel."""
    detail: str
    labels: tuple[str, ...] = ()
    """The register's column labels, from this file's checklist."""


def _files(paths: list[Path]) -> list[Path]:
    from smcheck.commands.verify import expand

    found: list[Path] = []
    for item in expand(paths):
        if isinstance(item, CannotOpen):
            raise item
        found.append(item)
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob(f"*{DRAFT_SUFFIX}")))
    return found


def _labels(checklist: Checklist | None) -> tuple[str, ...]:
    return tuple(c.label for c in checklist.register) if checklist is not None else ()


def _columns(checklist: Checklist | None, answers: Mapping[str, object]) -> tuple[str, ...]:
    if checklist is None:
        return ()
    cells = []
    for column in checklist.register:
        question = checklist.question(column.question)
        value = answers.get(column.question)
        if value is None:
            cells.append("")
        elif question is not None and question.choices and isinstance(value, str):
            cells.append(question.label_of(value))
        else:
            cells.append(format_value(value))
    return tuple(cells)


def _channel(checklist: Checklist | None, answers: Mapping[str, object], fallback: str) -> str:
    if checklist is None or not checklist.name_from:
        return fallback
    parts = [str(answers[q]) for q in checklist.name_from if q in answers]
    return " ".join(parts) or fallback


def entry_for(path: Path, *, today: dt.date, demands: object) -> Entry:
    """The register row of one file (a record or a draft)."""
    from smcheck.verify import Demands, Verdict, verify_bytes

    if path.name.endswith(DRAFT_SUFFIX):
        from smcheck.drafts import load_draft

        draft = load_draft(path)
        checklist = registry.by_id(draft.checklist_id)
        answers: Mapping[str, object] = draft.progress.answers
        return Entry(
            str(path),
            _channel(checklist, answers, str(path)),
            _columns(checklist, answers),
            "draft",
            None,
            draft.started,
            "unfinished: not yet signed off",
            _labels(checklist),
        )
    data = read_limited(path)
    assert isinstance(demands, Demands)
    report = verify_bytes(data, str(path), lookup=registry.by_id, today=today, demands=demands)
    try:
        record = parse_content(read_layout(data)[0])
    except RecordError:
        return Entry(str(path), str(path), (), "invalid", None, None, "not a readable record")
    checklist = registry.by_id(record.checklist_id)
    record_answers = record.answers
    rows = {c.check: c for c in report.checks}
    approval, cosign = rows["approval"], rows["cosign"]
    if not report.valid:
        failed = ", ".join(c.title for c in report.checks if c.verdict is Verdict.FAIL)
        state, detail = "invalid", f"fails {failed}"
    elif approval.code == "rejected":
        state, detail = "rejected", approval.summary
    elif approval.verdict is Verdict.PASS and cosign.verdict is Verdict.PASS:
        if record.review_by < today:
            state, detail = "review-overdue", f"re-review was due {record.review_by}"
        elif record.review_by - today <= DUE_WITHIN:
            state, detail = "review-due", f"re-review due {record.review_by}"
        else:
            state, detail = "approved", approval.summary
    else:
        waiting = cosign.summary if cosign.verdict is not Verdict.PASS else approval.summary
        state, detail = "awaiting-approval", waiting
    return Entry(
        str(path),
        _channel(checklist, record_answers, record.id),
        _columns(checklist, record_answers),
        state,
        record.review_by,
        record.created,
        detail,
        _labels(checklist),
    )


def register(entries: list[Entry]) -> list[Entry]:
    """One entry per channel (the latest), most urgent first, then by review date and channel."""
    latest: dict[str, Entry] = {}
    for entry in entries:
        held = latest.get(entry.channel)
        if held is None or (entry.when or dt.datetime.min.replace(tzinfo=dt.UTC)) > (
            held.when or dt.datetime.min.replace(tzinfo=dt.UTC)
        ):
            latest[entry.channel] = entry
    return sorted(
        latest.values(),
        key=lambda e: (STATES.index(e.state), e.review_by or dt.date.max, e.channel),
    )


def counts(entries: list[Entry]) -> dict[str, int]:
    """How many channels are in each state (every state listed, in urgency order)."""
    return {state: sum(e.state == state for e in entries) for state in STATES}


def run(
    paths: list[Path],
    *,
    as_json: bool,
    html: Path | None,
    force: bool,
    allowed_signers: Path | None,
) -> int:
    """Print the register (and write the HTML page when asked); exit 1 when any channel is invalid."""
    from smcheck.commands.verify import trust_loader
    from smcheck.verify import Demands

    if not paths:
        raise UsageError("give the folders or files of the register")
    today = dt.datetime.now(dt.UTC).date()
    demands = Demands(load_trust=trust_loader(allowed_signers))
    entries: list[Entry] = []
    for path in _files(paths):
        try:
            entries.append(entry_for(path, today=today, demands=demands))
        except SmcheckError as exc:
            entries.append(Entry(str(path), str(path), (), "invalid", None, None, exc.message))
    rows = register(entries)
    columns = next((e.labels for e in rows if e.labels), ())
    tally = counts(rows)
    if html is not None:
        from smcheck.fsutil import atomic_write
        from smcheck.htmlpage import register_page

        atomic_write(
            html, register_page(rows, columns, tally, today).encode("utf-8"), overwrite=force
        )
    if as_json:
        console.print_json(
            {
                "date": today.isoformat(),
                "counts": tally,
                "channels": [
                    {
                        "channel": e.channel,
                        "path": e.path,
                        "state": e.state,
                        "review_by": e.review_by.isoformat() if e.review_by else None,
                        "columns": dict(zip(columns, e.columns, strict=False)),
                        "detail": e.detail,
                    }
                    for e in rows
                ],
            }
        )
    else:
        _print(rows, columns, tally)
    return 1 if tally["invalid"] else 0


def _print(rows: list[Entry], columns: tuple[str, ...], tally: dict[str, int]) -> None:
    total = len(rows)
    summary = ", ".join(f"{n} {state.replace('-', ' ')}" for state, n in tally.items() if n)
    lines = [f"{total} channel{'s' if total != 1 else ''}: {summary or 'none'}", ""]
    headers = ("State", *columns, "Review by")
    table = [headers] + [
        (e.state.replace("-", " "), *e.columns, e.review_by.isoformat() if e.review_by else "")
        for e in rows
    ]
    widths = [
        max(len(console.visible(str(row[i]))) if i < len(row) else 0 for row in table)
        for i in range(len(headers))
    ]
    for row in table:
        cells = [console.visible(str(cell)).ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    console.show_lines(lines, out=True)

"""Plain mode's review: the answers under their sections, where they stand, and the numbered menu."""

from __future__ import annotations

from collections.abc import Sequence

from smcheck import picking
from smcheck.asking import ReviewRow
from smcheck.checklist import Level
from smcheck.outcome import Finding, Outcome, Status
from smcheck.picking import number_of
from smcheck.plain_lines import Lines, flat, sentence
from smcheck.text import visible
from smcheck.values import as_text

_LEVEL = {Level.WARNING: "Warning", Level.BLOCKER: "Blocker", Level.REFERRAL: "Referral"}
_STATUS = {
    Status.READY: "Ready for sign-off: no rule raised a concern.",
    Status.WARNINGS: "Ready for sign-off, with warnings the reviewer will look at.",
    Status.BLOCKED: "Blocked: fix the items below before you can sign off.",
    Status.REFERRED: "Referred: this channel is not for this process.",
}


def review(
    lines: Lines, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
) -> list[str]:
    """The answers grouped by section (or only the changed ones), the outcome, then a numbered menu.

    Returns the ids to ask again in order: one row to change, or every flagged row; [] to go on.
    """
    _rows(lines, rows, changed)
    _outcome(lines, rows, outcome)
    flagged = [row for row in rows if row.findings]
    go_on = "Go on to sign-off." if outcome.status.can_sign_off else "Save the draft and stop here."
    options: list[tuple[str, str]] = [("go", go_on), ("change", "Change an answer.")]
    if flagged:
        where = ", ".join(str(row.number) for row in flagged)
        rows_word = "row" if len(flagged) == 1 else "rows"
        options.append(("flagged", f"Go through the flagged answers, {rows_word} {where}."))
    options.append(("all", "Show all answers."))
    while True:
        lines.say()
        lines.say("What next?")
        for number, (_, label) in enumerate(options, start=1):
            lines.say(f"{number}. {label}", indent="   ")
        lines.say(f"Type a number from 1 to {len(options)}.")
        pick = _number(lines, len(options), "What next?", [label for _, label in options])
        key = options[pick - 1][0]
        if key == "go":
            return []
        if key == "flagged":
            return [row.question.id for row in flagged]
        if key == "all":
            _rows(lines, rows, None)
            _outcome(lines, rows, outcome)
            continue
        chosen = _row(lines, rows)
        if chosen is not None:
            return [chosen.question.id]


def finding_line(finding: Finding, row: int | None = None) -> str:
    where = f", row {row}" if row is not None else ""
    parts = [
        f"{_LEVEL[finding.level]} ({visible(finding.rule)}){where}:"
        f" {sentence(flat(finding.message))}",
        f"What to do: {sentence(flat(finding.action))}",
    ]
    if finding.refer_to:
        parts.append(f"Referred to: {sentence(flat(finding.refer_to))}")
    if finding.clauses:
        parts.append("Policy: " + ", ".join(visible(c) for c in finding.clauses) + ".")
    return " ".join(parts)


def _rows(lines: Lines, rows: Sequence[ReviewRow], changed: frozenset[str] | None) -> None:
    """The answers under their section titles: every row, or with ``changed`` only those."""
    lines.say()
    shown = list(rows) if changed is None else [r for r in rows if r.question.id in changed]
    if changed is None:
        lines.say(f"Your answers, {len(rows)} in all.")
    elif not shown:
        lines.say("No answer changed.")
    else:
        many = "answer" if len(shown) == 1 else "answers"
        lines.say(f"{len(shown)} {many} changed since the last review:")
    title: str | None = None
    for row in shown:
        if row.section_title != title:
            title = row.section_title
            lines.say(sentence(flat(title)))
        prompt = flat(row.question.prompt)
        joint = " " if prompt.endswith(("?", ":")) else ": "
        answer = "left blank" if row.value is None else visible(as_text(row.question, row.value))
        marks = "; ".join(f"{f.level.value.upper()}: {visible(f.rule)}" for f in row.findings)
        if row.filled_note:
            answer += f" ({row.filled_note})"
        line = f"{row.number}. {prompt}{joint}{answer}" + (f" ({marks})" if marks else "")
        lines.say(line, indent=" " * (len(str(row.number)) + 2))


def _outcome(lines: Lines, rows: Sequence[ReviewRow], outcome: Outcome) -> None:
    """Where the answers stand, then each finding with the row that changes it."""
    numbers = {row.question.id: row.number for row in rows}
    lines.say()
    lines.say(_STATUS[outcome.status])
    for finding in outcome.findings:
        line = finding_line(finding, numbers.get(finding.question))
        if finding.explained_by is not None and finding.explained_by in numbers:
            line += f" Your explanation: row {numbers[finding.explained_by]}."
        lines.say(line)


def _number(lines: Lines, top: int, again: str, labels: Sequence[str] = ()) -> int:
    """A number from 1 to ``top`` typed at a menu, or the start of one of its ``labels`` ("change"),
    asked until one is."""
    while True:
        typed = lines.read().strip()
        number = number_of(typed)
        if number is None and labels:
            found = picking.candidates([(label.rstrip("."),) for label in labels], typed)
            number = found[0] + 1 if len(found) == 1 else None
        if number is not None and 1 <= number <= top:
            return number
        lines.say(f"Not recorded: type a number from 1 to {top}.")
        lines.say(f"{again} Type a number from 1 to {top}.")


def _row(lines: Lines, rows: Sequence[ReviewRow]) -> ReviewRow | None:
    """The row the person wants to change; None (back to the menu) on Enter alone."""
    by_number = {row.number: row for row in rows}
    low, high = min(by_number, default=0), max(by_number, default=0)
    ask = f"Type the row number of the answer to change, from {low} to {high}."
    lines.say(ask + " Press Enter alone to go back to the menu.")
    while True:
        typed = lines.read().strip()
        if not typed:
            return None
        number = number_of(typed)
        if number is not None and number in by_number:
            row = by_number[number]
            lines.say(f"Changing row {row.number}: {flat(row.question.prompt)}")
            return row
        lines.say(f"Not recorded: there is no row {visible(typed)}.")
        lines.say(ask + " Press Enter alone to go back to the menu.")

"""The only module that imports rich. Untrusted text goes through :func:`safe`, never into markup.

Anything read from a record, an answers file or a draft is untrusted: rich would interpret ``[bold]`` in a
markup string, and a terminal interprets ESC sequences, C1 controls, bidi overrides (Trojan Source) and
zero-width characters. :func:`visible` makes every such character visible as an escape like ``\\x1b`` or
``\\u202e``; :func:`safe` wraps the result in a :class:`rich.text.Text`, which rich never parses for markup.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

from smcheck.text import visible

_out: Console | None = None
_err: Console | None = None


def safe(text: object, style: str = "") -> Text:
    """Untrusted text as a rich Text: never parsed as markup, every unsafe character made visible."""
    from rich.text import Text

    return Text(visible(str(text)), style=style)


def _console(*, stderr: bool, soft_wrap: bool) -> Console:
    """A rich console that lets a closed pipe be told like any output that cannot be written.

    rich's own answer to a closed pipe is a silent exit; smcheck's is one line on stderr and exit 1
    (:mod:`smcheck.errorhandler`), so the error goes on up, and what is still buffered is dropped."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return _Console(
        stderr=stderr,
        highlight=False,
        soft_wrap=soft_wrap,
        force_terminal=False if _plain else None,
    )


def stdout() -> Console:
    """The console for results (stdout)."""
    global _out
    if _out is None:
        _out = _console(stderr=False, soft_wrap=False)
    return _out


def stderr() -> Console:
    """The console for messages and errors (stderr)."""
    global _err
    if _err is None:
        _err = _console(stderr=True, soft_wrap=False)
    return _err


_plain = False


def use_plain() -> None:
    """The plain mode (screen readers, braille displays): every message as bare text, with no colour,
    no bold and no cursor movement, as to a file."""
    global _out, _err, _plain
    _plain = True
    _out = _err = None


_COMMAND_AFTER = re.compile(r": (?=\S*smcheck (?:[a-z]|--))")
"""Where a message's suggested command starts: after ``: ``, by smcheck's own habit."""


def fit(text: str, lead: str = "", *, width: int | None = None) -> list[str]:
    """A message's lines for a terminal ``width`` wide: prose wrapped at spaces, never inside a word,
    continuation lines indented under ``lead``; a command it ends with (after ``: ``) kept whole on a
    line of its own when it does not fit, so it can be copied and pasted as one line. With no width
    (not a terminal: a pipe, a log) the message is one line, as it always was."""
    first = lead + text
    if width is None or len(first) <= width:
        return [first]
    import textwrap

    indent = " " * min(len(lead), 8)
    found = _COMMAND_AFTER.search(text)
    prose, command = (text[: found.start() + 1], text[found.end() :]) if found else (text, "")
    lines = textwrap.wrap(
        prose,
        width=max(20, width),
        initial_indent=lead,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [lead.rstrip()]
    if command:
        if len(lines[-1]) + 1 + len(command) <= width:
            lines[-1] += " " + command
        else:
            lines.append(indent + "  " + command)
    return lines


def _terminal_width() -> int | None:
    """The width to fit messages to: the terminal's, when stderr is one."""
    if not sys.stderr.isatty():
        return None
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def error(message: str, hint: str | None = None, details: tuple[str, ...] = ()) -> None:
    """Print one error line, its details (every bad line of a file) and its hint on stderr (messages
    may hold untrusted text: shown safely). Commands the hint suggests are written as smcheck was run
    (:func:`smcheck.text.as_run`), so each works as typed; on a terminal, lines are fitted to its
    width at word boundaries (:func:`fit`)."""
    from rich.text import Text

    from smcheck.text import as_run

    width = _terminal_width()
    err = stderr()
    head = "smcheck: error: "
    for number, part in enumerate(fit(visible(message), head, width=width)):
        line = Text(head, style="bold red") if number == 0 else Text()
        line.append(part[len(head) :] if number == 0 else part)
        err.print(line, soft_wrap=True)
    for detail in details:
        for part in fit(visible(detail), "  - ", width=width):
            err.print(Text(part), soft_wrap=True)
    if hint:
        lead = "  hint: "
        for number, part in enumerate(fit(visible(as_run(hint)), lead, width=width)):
            line = Text(lead, style="yellow") if number == 0 else Text()
            line.append(part[len(lead) :] if number == 0 else part)
            err.print(line, soft_wrap=True)


def note(message: str) -> None:
    """A note on stderr: something smcheck skipped or assumed, that the user may want to know."""
    sys.stderr.write(f"smcheck: note: {visible(message)}\n")


def confirm(question: str, *, stopped: str) -> bool:
    """Ask on stderr until the answer is a whole yes or no (in any case: y, yes, n, no); an empty line
    or the end of input is no. Ctrl-C stops with :class:`~smcheck.errors.Interrupted` (``stopped``
    says what was left undone). The caller makes sure there is a terminal to ask in."""
    from smcheck.errors import Interrupted

    while True:
        sys.stderr.write(f"{question} ")
        sys.stderr.flush()
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise Interrupted(stopped) from None
        if not line:
            sys.stderr.write("\n")
            return False
        word = line.strip().lower()
        if word in ("y", "yes"):
            return True
        if word in ("", "n", "no"):
            return False
        sys.stderr.write("Please answer y (yes) or n (no).\n")


def plain_error(message: str) -> None:
    """An error line without rich, for the rare path where rich itself cannot be trusted to load."""
    sys.stderr.write(f"smcheck: error: {visible(message)}\n")


# --------------------------------------------------------------------------------------------------
# Views. Every string from a checklist, an answers file, a draft or a record goes through safe().

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import RenderableType
    from rich.table import Table

    from smcheck.checklist import Checklist, Question, Section
    from smcheck.interview import Position, ReviewRow
    from smcheck.outcome import Finding, Outcome

_LEVEL_STYLE = {"warning": "yellow", "blocker": "bold red", "referral": "bold magenta"}
_LEVEL_TITLE = {"warning": "Warning", "blocker": "Blocker", "referral": "Referral"}


def _clauses(checklist: Checklist, clause_ids: tuple[str, ...]) -> Table | None:
    """The policy's clauses, one row each: the id, then the text, which wraps under itself (a Text that
    began with spaces would lose its indent on every line after the first)."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold cyan")
    grid.add_column(style="cyan", overflow="fold")
    for cid in clause_ids:
        clause = checklist.clause(cid)
        if clause is not None:
            grid.add_row(safe(f"  {cid}"), safe(clause.text.strip()))
    return grid if grid.row_count else None


def _heading(text: str) -> RenderableType:
    """A section's heading: a rule with the title on it when it fits, or the title wrapped at words
    above a rule when it does not (rich would cut a long title short)."""
    from rich.console import Group
    from rich.rule import Rule

    title = safe(text, style="bold cyan")
    if title.cell_len + 8 <= stderr().width:
        return Rule(title, style="cyan")
    return Group(title, Rule(style="cyan"))


def show_title(checklist: Checklist, resumed: bool) -> None:
    """The interview's opening lines."""
    from rich.text import Text

    err = stderr()
    title = Text()
    title.append_text(safe(checklist.title, style="bold"))
    title.append_text(safe(f"  ({checklist.id} {checklist.version})", style="dim"))
    err.print(title)
    err.print(safe(f"Policy: {checklist.policy.title}, {checklist.policy.owner}", style="dim"))
    if resumed:
        err.print(
            Text("Resuming your draft: answered questions are not asked again.", style="green")
        )
    else:
        err.print(
            Text(
                "Your answers are saved after each question. Each question says how to go back"
                " to the one before; press Ctrl-C at any time to stop and continue later.",
                style="dim",
            )
        )


def show_section(checklist: Checklist, section: Section, number: int, total: int) -> None:
    """A section's heading, the policy's words for context, and its clauses."""
    err = stderr()
    err.print()
    err.print(_heading(f"Section {number} of {total}: {section.title}"))
    if section.intro:
        err.print(safe(section.intro.strip()))
    clauses = _clauses(checklist, section.clauses)
    if clauses is not None:
        err.print(clauses)


def where_text(position: Position) -> str:
    """The overall position, then the section: "Question 12 of about 45 · Section 4 of 9: Use"."""
    where = f"Question {position.number} of about {position.about}"
    if position.section_number == 0:
        return f"{where} · {position.section_title or 'Sign-off'}"
    return (
        f"{where} · Section {position.section_number} of {position.section_count}:"
        f" {position.section_title}"
    )


def show_question_context(
    checklist: Checklist, question: Question, position: Position, error: str | None
) -> None:
    """Progress, the policy clauses, the plain-words guidance and the last refusal, above a prompt."""
    from rich.text import Text

    err = stderr()
    err.print()
    line = safe(where_text(position), style="dim")
    if question.clauses:
        line.append_text(safe(" · policy " + ", ".join(question.clauses), style="dim cyan"))
    err.print(line)
    if question.help:
        err.print(safe(question.help.strip(), style="italic"))
    if error:
        problem = Text("  ✗ ", style="bold red")
        problem.append_text(safe(error, style="red"))
        err.print(problem)


def show_finding(checklist: Checklist, finding: Finding) -> None:
    """A warning, blocker or referral, when it arises: with its clause and the action that fixes it."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    style = _LEVEL_STYLE[finding.level.value]
    body = Text()
    body.append_text(safe(finding.message, style="bold"))
    body.append("\nWhat to do: ", style="bold")
    body.append_text(safe(finding.action))
    if finding.refer_to:
        body.append("\nReferred to: ", style="bold")
        body.append_text(safe(finding.refer_to))
    parts: list[RenderableType] = [body]
    clauses = _clauses(checklist, finding.clauses)
    if clauses is not None:
        parts.append(clauses)
    title = safe(f"{_LEVEL_TITLE[finding.level.value]} ({finding.rule})")
    stderr().print(Panel(Group(*parts), title=title, title_align="left", border_style=style))


def _answer_text(row: ReviewRow) -> Text:
    from smcheck.values import as_text

    if row.value is None:
        return safe("(left blank)", style="dim")
    text = safe(as_text(row.question, row.value), style="green")
    if row.filled_note:
        text.append(f" ({row.filled_note})", style="dim")
    return text


def review_view(rows: Sequence[ReviewRow], changed: frozenset[str] | None) -> list[RenderableType]:
    """The review's rows grouped under their sections' headings; with ``changed`` only those rows."""
    from rich.table import Table
    from rich.text import Text

    shown = [r for r in rows if changed is None or r.question.id in changed]
    digits = len(str(max((r.number for r in rows), default=1)))
    parts: list[RenderableType] = []
    section: str | None = None
    grid: Table | None = None
    for row in shown:
        if row.section_title != section or grid is None:
            section = row.section_title
            parts.append(Text())
            parts.append(_heading(row.section_title))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(justify="right", no_wrap=True, width=digits + 1, style="dim")
            grid.add_column(overflow="fold")
            parts.append(grid)
        body = safe(row.question.prompt)
        body.append("\n")
        body.append_text(_answer_text(row))
        for finding in row.findings:
            level = finding.level.value
            body.append("\n")
            body.append(level.upper(), style=_LEVEL_STYLE[level])
            body.append(": ", style=_LEVEL_STYLE[level])
            body.append_text(safe(finding.message))
        grid.add_row(Text(f"{row.number}."), body)
    return parts


def show_review(
    rows: list[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None = None
) -> None:
    """The answers, numbered so one can be picked to change, then where they stand.

    With ``changed`` only the rows of those questions are shown (under their sections), and a line says
    how to see the rest."""
    from rich.text import Text

    err = stderr()
    err.print()
    err.print(Text("Your answers", style="bold"))
    for part in review_view(rows, changed):
        err.print(part)
    if changed is not None:
        count = sum(1 for r in rows if r.question.id in changed)
        said = {0: "No answers changed", 1: "1 answer changed"}.get(
            count, f"{count} answers changed"
        )
        err.print()
        err.print(Text(f"{said}; choose 'Show all answers' to see the rest.", style="dim"))
    err.print()
    show_outcome(outcome, rows)


def show_outcome(outcome: Outcome, rows: Sequence[ReviewRow] = ()) -> None:
    """One line on where the answers stand, then each finding's action, and (given the review's rows)
    the row whose answer changes it."""
    from rich.table import Table
    from rich.text import Text

    err = stderr()
    words = {
        "ready": ("Ready for sign-off: no rule raised a concern.", "green"),
        "ready-with-warnings": (
            "Ready for sign-off, with warnings the reviewer will look at.",
            "yellow",
        ),
        "blocked": ("Blocked: fix the items below before you can sign off.", "bold red"),
        "referred": ("Referred: this channel is not for this process.", "bold magenta"),
    }
    text, style = words[outcome.status.value]
    err.print(Text(text, style=style))
    if not outcome.findings:
        return
    by_question = {r.question.id: r for r in rows}
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for finding in outcome.findings:
        level = Text(f"  {finding.level.value.upper()}", style=_LEVEL_STYLE[finding.level.value])
        body = safe(finding.action)
        refs = ", ".join(finding.clauses)
        body.append_text(
            safe(f"  ({refs}; {finding.rule})" if refs else f"  ({finding.rule})", style="dim")
        )
        row = by_question.get(finding.question)
        if row is not None:
            body.append("\n")
            body.append_text(safe(f"row {row.number}: {row.question.prompt}", style="cyan"))
        grid.add_row(level, body)
    err.print(grid)


def show_signoff(checklist: Checklist) -> None:
    """The declaration, before the sign-off questions."""
    from rich.panel import Panel

    err = stderr()
    err.print()
    err.print(_heading("Sign-off"))
    err.print(
        Panel(
            safe(checklist.declaration.strip()),
            title="Declaration",
            title_align="left",
        )
    )


_CHUNK = 1000
"""Lines written at once by :func:`show_lines`."""


def show_lines(lines: list[str], style: str = "", *, out: bool = False) -> None:
    """Untrusted lines, each made safe and unwrapped: on stderr, or with ``out`` on stdout (results).

    Lines without a style are written as they are once made visible, a chunk at a time: rich spent a
    third of a millisecond on each line (asking the terminal's size, building segments), so a record of
    20,000 answers took 15 seconds to show, for text that needs no rendering. Styled lines are one
    rich Text, printed once."""
    if not style:
        stream = sys.stdout if out else sys.stderr
        for start in range(0, len(lines), _CHUNK):
            stream.write("".join(visible(line) + "\n" for line in lines[start : start + _CHUNK]))
        stream.flush()
        return
    from rich.text import Text

    if lines:
        joined = Text("\n").join(safe(line, style=style) for line in lines)
        (stdout() if out else stderr()).print(joined, soft_wrap=True)


def say(message: str, style: str = "") -> None:
    """A message from smcheck on stderr, one line (fitted to the terminal): never markup, and what it
    quotes (a file name, a path from a record) is made visible like any untrusted text, line breaks
    included, so a file named ``a\\nFAKE`` cannot print a line of its own. A message that needs two
    lines is two calls. Commands it suggests are written as smcheck was run."""
    from rich.text import Text

    from smcheck.text import as_run

    width = _terminal_width()
    for line in fit(visible(as_run(message)), width=width):
        stderr().print(Text(line, style=style), soft_wrap=True)


def say_item(lead: str, message: str) -> None:
    """One item of a list (``"  1. "`` and its text) on stderr, as :func:`say` writes a message: its
    continuation lines indented under the text, a command it ends with kept whole."""
    from rich.text import Text

    from smcheck.text import as_run

    for line in fit(visible(as_run(message)), lead, width=_terminal_width()):
        stderr().print(Text(line), soft_wrap=True)


# The reviewer's path (verify) prints without rich: its text, in every format, is smcheck.report's.
# These two names stay for callers of console (imported late: console must stay light to import).


class Progress:
    """A progress bar on stderr for large batches; reports printed meanwhile appear above it."""

    def __init__(self, total: int, label: str) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=stderr(),
            transient=True,
            redirect_stdout=True,
        )
        self._task = self._progress.add_task(label, total=total)
        self._progress.start()

    def advance(self) -> None:
        """One more item done."""
        self._progress.advance(self._task)

    def close(self) -> None:
        """Remove the bar."""
        self._progress.stop()


def print_json(data: object) -> None:
    """JSON on stdout, ASCII-only so no byte of untrusted text reaches the terminal raw."""
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True, default=str) + "\n")

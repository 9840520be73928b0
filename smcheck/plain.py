"""The plain asker: the interview line by line, for screen readers, braille displays and dumb terminals.

Modelled on GitHub CLI's accessible prompter (``GH_ACCESSIBLE_PROMPTER``) and charmbracelet huh's accessible
mode: every line is written once, in order, and nothing moves the cursor, redraws, erases, colours or draws
boxes, so a screen reader speaks each line as it arrives and a braille display can be panned through it.
Pick-one and tick-box questions are numbered lists answered by number; yes/no takes whole words only;
every accepted answer is read back; a refused one gets its reason on a line of its own. How each kind of
answer is taken (yes/no, a line of text, pick one, pick many) is a piece of its own in
:mod:`smcheck.plain_widgets`; the review and its menu are in :mod:`smcheck.plain_review`, the writing
and reading of lines in :mod:`smcheck.plain_lines`; this module answers the engine's calls.

Every answer goes through the engine's own ``parse``/``check`` (the validators of the full-screen prompts and
of ``--answers``): this module only turns what was typed (a number, a word) into the value to check. All text
from a checklist, a draft or an answer is untrusted and passes through :func:`smcheck.text.visible`.

Wrapping: on a terminal, lines are wrapped at spaces to its width (a word is never broken), because a
screen reader's review cursor and a braille display read the terminal's *rows*, and the terminal's own wrap
breaks a word across two rows. When the output is not a terminal (a file, a pipe, an editor's shell buffer),
lines are not wrapped at all: whatever reads them reflows them itself, and a hard break mid-sentence would
only make speech pause there. ``width`` overrides both (``0``: never wrap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from smcheck import plain_review
from smcheck.asking import NO_CLAUSES, GoBack, Position, ReviewRow
from smcheck.checklist import Checklist, Question, Section, Value
from smcheck.outcome import Finding, Outcome
from smcheck.plain_lines import Lines, flat, sentence
from smcheck.plain_widgets import widget_for
from smcheck.qtypes import yes_no_word
from smcheck.text import visible
from smcheck.values import LEAVE_BLANK, AnswerError, as_text

BACK = "<"
"""Typed alone at a question: go back to the previous one."""
BLANK = "-"
"""Typed alone at an optional question that has an answer: leave it blank instead."""
CLAUSES = "?"
"""Typed alone at a question: the policy's words it comes from (``clauses`` does the same)."""

_OFF = frozenset({"0", "false", "no", "off"})

_SUBJECTLESS = frozenset({"is", "must", "should", "has", "contains", "needs", "does"})
"""First words of an AnswerError that speaks of "the answer" without naming it ("must not be empty")."""


def wanted(flag: bool, environ: Mapping[str, str]) -> bool:
    """Whether to use plain mode: ``--plain``, ``SMCHECK_PLAIN``, ``ACCESSIBLE`` or ``TERM=dumb``.

    ``SMCHECK_PLAIN`` and ``ACCESSIBLE`` are on when set to anything but ``0``, ``false``, ``no`` or ``off``
    (in any case; empty means unset). smcheck's own ``SMCHECK_PLAIN``, when set, decides alone, so
    ``SMCHECK_PLAIN=0`` turns plain mode off even under ``ACCESSIBLE=1`` or ``TERM=dumb``; the flag wins
    over everything.
    """
    if flag:
        return True
    own = environ.get("SMCHECK_PLAIN", "").strip()
    if own:
        return own.lower() not in _OFF
    common = environ.get("ACCESSIBLE", "").strip()
    if common and common.lower() not in _OFF:
        return True
    return environ.get("TERM", "").strip().lower() == "dumb"


def turned_off(environ: Mapping[str, str]) -> bool:
    """Whether ``SMCHECK_PLAIN`` turns plain mode off (``0``, ``false``, ``no``, ``off``): then not even
    a draft begun in plain mode goes on in it."""
    own = environ.get("SMCHECK_PLAIN", "").strip()
    return bool(own) and own.lower() in _OFF


def reason(message: str) -> str:
    """An :class:`AnswerError`'s message as the line that refuses an answer: "Not recorded: ..."."""
    shown = visible(message).strip(" ")
    if shown.split(" ", 1)[0].lower() in _SUBJECTLESS:
        shown = "the answer " + shown
    return "Not recorded: " + sentence(shown)


class _Refused(Exception):
    """What was typed is not an answer; the message is the whole line to print (not a validator's)."""


class PlainAsker:
    """Asks the engine's questions line by line on plain streams (see the module's docstring).

    ``input`` and ``output`` default to ``sys.stdin`` and ``sys.stderr`` (everything the interview says
    goes to stderr, as with the full-screen asker; stdout is for results).
    """

    def __init__(
        self,
        input: TextIO | None = None,
        output: TextIO | None = None,
        *,
        width: int | None = None,
    ) -> None:
        self._lines = Lines(input, output, width=width)
        self._declaration: str | None = None
        self._section: str | None = None
        """The section last named, so that each question does not name it again."""
        self._told_clauses = False
        """Whether the person was told that ? shows the policy's words (once a run)."""

    # -- the engine's calls ---------------------------------------------------------------------------

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """The section's heading, its introduction and its clauses ("GG-1: text")."""
        self._lines.say()
        self._lines.say(sentence(f"Section {number} of {total}: {flat(section.title)}"))
        self._section = section.title
        if section.intro.strip():
            self._lines.prose(section.intro)
        self._clauses(checklist, section.clauses)
        if not self._told_clauses:
            self._told_clauses = True
            self._lines.say(
                f"Type {CLAUSES} at any question to read the policy's words it comes from."
            )

    def ask(
        self,
        question: Question,
        *,
        position: Position,
        current: Value | None,
        error: str | None,
        parse: Callable[[str], Value | None],
        check: Callable[[object], Value],
    ) -> Value | None:
        """Print the question once, then read lines until one is an answer the validators accept."""
        self._lines.say()
        if error:
            self._lines.say(reason(error))
        self._lines.say(self._where(position))
        self._lines.prose(question.prompt)
        if question.help.strip() and question.help.strip() != self._declaration:
            self._lines.prose(question.help)  # (the declaration is shown once, by start_signoff)
        if question.clauses:
            self._lines.say("Policy: " + ", ".join(visible(c) for c in question.clauses) + ".")
        for number, choice in enumerate(question.choices, start=1):
            self._lines.say(f"{number}. {flat(choice.label)}", indent=" " * (len(str(number)) + 2))
        keep = current
        for line in self._how(question, position, keep):
            self._lines.say(line)
        while True:
            text = self._lines.read()
            try:
                value = self._take(question, text, position, keep, parse, check)
            except AnswerError as exc:
                self._lines.say(reason(str(exc)))
                if keep is not None and not text.strip():
                    keep = None  # the answer kept no longer passes: Enter must not offer it again
            except _Refused as exc:
                self._lines.say(str(exc))
            else:
                shown = "left blank" if value is None else visible(as_text(question, value))
                self._lines.say(f"Recorded: {shown}")
                return value
            self._lines.say(f"{flat(question.prompt)} {self._short(question, keep)}")

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """A warning, blocker or referral, in one line: level, rule, message, what to do, clauses."""
        self._lines.say()
        self._lines.say(plain_review.finding_line(finding))

    def offer_stop(self, checklist: Checklist, finding: Finding) -> bool:
        """A referral: "End the interview now?"; True ends it."""
        where = (
            f"This channel is referred to {flat(finding.refer_to)}"
            if finding.refer_to
            else "This channel is not for this process"
        )
        self._lines.say()
        self._lines.say(sentence(where) + " End the interview now? Type yes or no.")
        while True:
            word = yes_no_word(self._lines.read())
            if word is True:
                self._lines.say("Recorded: yes, end the interview now.")
                return True
            if word is False:
                self._lines.say("Recorded: no, go on with the interview.")
                return False
            self._lines.say("Not recorded: type yes or no.")
            self._lines.say("End the interview now? Type yes or no.")

    def review(
        self, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
    ) -> list[str]:
        """The answers grouped by section (or only the changed ones), the outcome, then a numbered menu
        (:func:`smcheck.plain_review.review`): the ids to ask again, or [] to go on."""
        return plain_review.review(self._lines, rows, outcome, changed=changed)

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """The declaration, shown once, before the sign-off questions."""
        self._lines.say()
        self._lines.say("Sign-off.")
        self._lines.say("The declaration you will be asked to make:")
        self._lines.prose(checklist.declaration)
        self._declaration = checklist.declaration.strip()

    # -- questions --------------------------------------------------------------------------------

    def _where(self, position: Position) -> str:
        if position.section_number == 0:
            return f"Sign-off, question {position.number} of {position.about}."
        where = f"Question {position.number} of about {position.about}."
        if position.section_title == self._section:  # said by the section's heading or just before
            return where
        self._section = position.section_title
        return sentence(
            f"{where} Section {position.section_number} of {position.section_count}:"
            f" {flat(position.section_title)}"
        )

    @staticmethod
    def _short(question: Question, keep: Value | None) -> str:
        """How to answer, in one sentence (repeated after a refusal)."""
        text = widget_for(question).short(question)
        if keep is not None:
            text += " Press Enter to keep the answer."
        return text

    def _how(self, question: Question, position: Position, keep: Value | None) -> list[str]:
        """The lines that say how to answer: the kind of answer, Enter, going back."""
        first = widget_for(question).how(question)
        if position.can_go_back:
            first += " Type < to go back."
        lines = [first]
        if keep is not None:
            lines.append("Press Enter to keep: " + visible(as_text(question, keep)))
            if not question.required:
                lines.append("Type - alone to leave it blank.")
        elif not question.required:
            lines.append("Press Enter to leave it blank.")
        return lines

    def _take(
        self,
        question: Question,
        text: str,
        position: Position,
        keep: Value | None,
        parse: Callable[[str], Value | None],
        check: Callable[[object], Value],
    ) -> Value | None:
        """What was typed, as a checked answer; raises AnswerError (a validator's reason) or _Refused."""
        typed = text.strip()
        if typed in (CLAUSES, "clauses") and position.clauses:
            for cid, words in position.clauses:
                self._lines.prose(words, prefix=f"{visible(cid)}: ", indent="  ")
            raise _Refused("")  # then the question again, in one line, as after a refusal
        if typed == CLAUSES:
            # "Type ? at any question": at one that names no clause, ? says so; it is never an answer.
            raise _Refused(NO_CLAUSES)
        if typed == BACK:
            if position.can_go_back:
                self._lines.say("Going back to the previous question.")
                raise GoBack
            if position.number <= 1:
                raise _Refused("This is the first question.")
            raise _Refused("You cannot go back from this question.")
        widget = widget_for(question)
        if not typed:
            if keep is not None:
                return check(keep)
            return widget.blank(question, check, parse)
        if typed == BLANK and not question.required:
            return None
        try:
            return widget.take(question, typed, check, parse)
        except AnswerError as exc:
            if keep is None or LEAVE_BLANK not in str(exc):
                raise
            # Here Enter alone keeps the answer given before: a dash leaves it blank.
            raise AnswerError(
                str(exc).replace(LEAVE_BLANK, f"to leave it blank, type {BLANK} alone")
            ) from None

    # -- the policy's words -----------------------------------------------------------------------

    def _clauses(self, checklist: Checklist, clause_ids: Sequence[str]) -> None:
        for cid in clause_ids:
            clause = checklist.clause(cid)
            if clause is not None:
                self._lines.prose(clause.text, prefix=f"{visible(cid)}: ", indent="  ")

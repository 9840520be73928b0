"""The full-screen asker: the engine's calls (sections, questions, findings, the review, sign-off)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from smcheck import console
from smcheck.asking import GoBack, Position, ReviewRow
from smcheck.checklist import Checklist, Question, Section, Value
from smcheck.outcome import Finding, Outcome
from smcheck.prompts.lists import ask_choices
from smcheck.prompts.text import ask_text, ask_yes_no
from smcheck.prompts.widgets import ask_by_widget
from smcheck.qtypes import yes_no_word
from smcheck.text import visible
from smcheck.values import AnswerError

CONTINUE = "continue"
CHANGE = "change"
FLAGGED = "flagged"
SHOW_ALL = "show-all"

# -- the asker ----------------------------------------------------------------------------------------


class QuestionaryAsker:
    """Asks the engine's questions in a terminal with questionary, and shows context with rich."""

    def __init__(
        self, checklist: Checklist | None = None, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        self.today = today
        self.checklist = checklist
        self._declared: str | None = None

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """Show the section heading and the policy's words."""
        self.checklist = checklist
        console.show_section(checklist, section, number, total)

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
        """Ask one question with the prompt its kind's widget uses (:mod:`smcheck.prompts.widgets`);
        raise GoBack to go back."""
        if self.checklist is not None:
            shown = question
            if question.help.strip() and question.help.strip() == self._declared:
                shown = question._replace(help="")  # the declaration is shown once, above
            console.show_question_context(self.checklist, shown, position, error)
        elif error:
            console.say(f"  ✗ {error}", style="red")
        return ask_by_widget(question, position, current, parse, check)

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """Show a warning, blocker or referral as soon as it arises."""
        console.show_finding(checklist, finding)

    def offer_stop(self, checklist: Checklist, finding: Finding) -> bool:
        """A referral arose: ask whether to end the interview now (True ends it)."""

        def parse(text: str) -> Value | None:
            word = yes_no_word(text)
            if word is None:
                raise AnswerError("answer yes or no")
            return word

        where = f" (referred to {visible(finding.refer_to)})" if finding.refer_to else ""
        answer = ask_yes_no(
            f"This channel is not for this process{where}. End the interview now and keep the"
            " draft?",
            current=None,
            parse=parse,
            can_go_back=False,
        )
        return answer is True

    def review(
        self, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
    ) -> list[str]:
        """Show the answers (only those changed, when ``changed`` is given); return the ids of the
        questions to ask again, in order, or [] to go on."""
        console.show_review(list(rows), outcome, changed=changed)
        can_sign = outcome.status.can_sign_off
        flagged = [r.question.id for r in rows if r.findings]
        options: list[tuple[str, str]] = [
            (CONTINUE, "Go on to sign-off" if can_sign else "Save the draft and stop here"),
            (CHANGE, "Change an answer"),
        ]
        if flagged:
            options.append((FLAGGED, f"Go through the flagged answers ({len(flagged)})"))
        options.append((SHOW_ALL, "Show all answers"))

        def submit(at: int, _ticks: list[int]) -> tuple[object, str]:
            return options[at][0], options[at][1]

        while True:
            choice = ask_choices(
                "What next?",
                [label for _, label in options],
                multi=False,
                pointed=0,
                ticked=set(),
                can_go_back=False,
                submit=submit,
                back_hint="to change an answer, choose 'Change an answer'",
            )
            if choice == CONTINUE:
                return []
            if choice == FLAGGED:
                return flagged
            if choice == SHOW_ALL:
                console.show_review(list(rows), outcome, changed=None)
                continue
            number = self._row_number(len(rows))
            if number is not None:
                return [rows[number - 1].question.id]

    def _row_number(self, count: int) -> int | None:
        """The row number to change; None (Enter alone, ``<`` or Shift-Tab) goes back to the menu."""

        def judge(text: str) -> str | None:
            # ASCII digits only: str.isdigit() accepts "²", on which int() raises.
            digits = text.strip()
            if (
                not digits
                or digits == "<"
                or (digits.isascii() and digits.isdigit() and 1 <= int(digits) <= count)
            ):
                return None
            return f"type a number from 1 to {count}, as shown above (Enter alone goes back)"

        try:
            typed = ask_text(
                "Which answer do you want to change?",
                "its row number, then Enter; Enter alone goes back to the menu",
                default="",
                judge=judge,
                can_go_back=True,
            ).strip()
        except GoBack:
            return None
        return int(typed) if typed and typed != "<" else None

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """Show the declaration (once: the agree question that follows has no help of its own)."""
        self.checklist = checklist
        self._declared = checklist.declaration.strip()
        console.show_signoff(checklist)

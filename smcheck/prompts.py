"""The interactive asker: the only module that imports questionary.

Every prompt uses ``unsafe_ask()`` so that Ctrl-C raises ``KeyboardInterrupt`` (questionary's ``ask()``
would swallow it and go on to the next question); Ctrl-D raises ``EOFError``. The engine's caller turns
both into "your draft is saved, resume with ...". Inline validation calls the same
:func:`smcheck.values.parse_text` / :func:`~smcheck.values.check_typed` the engine applies afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import questionary
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.styles import Style

from smcheck import console
from smcheck.checklist import Checklist, QType, Question, Section, Value
from smcheck.interview import Position, ReviewRow
from smcheck.outcome import Finding, Outcome
from smcheck.values import AnswerError, check_typed, parse_text

STYLE = Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("answer", "fg:ansigreen bold"),
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"),
        ("selected", "fg:ansigreen"),
        ("instruction", "fg:ansibrightblack"),
    ]
)

CONTINUE = "continue"
CHANGE = "change"
STOP = "stop"


def _ask(question: questionary.Question) -> Any:
    """Ask, with Ctrl-D ending the interview at any prompt (questionary binds it for text only).

    Ctrl-C raises KeyboardInterrupt and Ctrl-D EOFError; the caller keeps the draft and says how to
    resume. ``unsafe_ask`` because ``ask`` would swallow Ctrl-C and go on to the next question.
    """
    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _end(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError())

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
    return question.unsafe_ask()


def _text_default(question: Question, current: Value | None) -> str:
    if current is None:
        return ""
    if isinstance(current, dt.date):
        return current.isoformat()
    if isinstance(current, bool):
        return "yes" if current else "no"
    if isinstance(current, tuple):
        return ", ".join(current)
    return str(current)


def _validator(question: Question, today: dt.date) -> Callable[[str], bool | str]:
    def validate(text: str) -> bool | str:
        try:
            parse_text(question, text, today=today)
        except AnswerError as exc:
            return str(exc)
        return True

    return validate


class QuestionaryAsker:
    """Asks the engine's questions in a terminal with questionary, and shows context with rich."""

    def __init__(
        self, checklist: Checklist | None = None, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        self.today = today
        self.checklist = checklist

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """Show the section heading and the policy's words."""
        self.checklist = checklist
        console.show_section(checklist, section, number, total)

    def ask(
        self, question: Question, *, position: Position, current: Value | None, error: str | None
    ) -> Value | None:
        """Ask one question with the prompt that suits its type."""
        if self.checklist is not None:
            console.show_question_context(self.checklist, question, position, error)
        if question.type is QType.YESNO:
            # With no answer yet, Enter means "no": in a compliance checklist an accidental Enter
            # must not claim compliance (a "no" raises the finding, which the person then sees).
            default = current if isinstance(current, bool) else False
            return bool(
                _ask(
                    questionary.confirm(
                        question.prompt, default=default, style=STYLE, auto_enter=True
                    )
                )
            )
        if question.type is QType.CHOICE:
            values = [c.value for c in question.choices]
            choices = [questionary.Choice(title=c.label, value=c.value) for c in question.choices]
            picked = _ask(
                questionary.select(
                    question.prompt,
                    choices=choices,
                    default=current if isinstance(current, str) and current in values else None,
                    style=STYLE,
                    instruction="(arrow keys, then Enter)",
                )
            )
            return str(picked) if picked is not None else None
        if question.type is QType.MULTI:
            return self._ask_multi(question, position, current)
        instruction = None
        if question.type is QType.DATE:
            instruction = "(YYYY-MM-DD)"
        if not question.required:
            instruction = f"{instruction or ''} (optional: Enter to leave blank)".strip()
        typed = _ask(
            questionary.text(
                question.prompt,
                default=_text_default(question, current),
                validate=_validator(question, self.today()),
                style=STYLE,
                instruction=instruction,
            )
        )
        return parse_text(question, str(typed), today=self.today())

    def _ask_multi(
        self, question: Question, position: Position, current: Value | None
    ) -> tuple[str, ...]:
        """Tick boxes, checked here rather than by questionary's ``validate``: questionary shows a
        checkbox's refusal in a bottom toolbar, which prompt_toolkit only draws once the terminal has
        answered a cursor-position request (never with ``PROMPT_TOOLKIT_NO_CPR=1`` or a terminal that
        does not answer), so Enter would seem to do nothing. A refused selection is shown like any
        other refused answer and offered again, still ticked."""
        chosen = set(current) if isinstance(current, tuple) else set()
        while True:
            choices = [
                questionary.Choice(title=c.label, value=c.value, checked=c.value in chosen)
                for c in question.choices
            ]
            picked = _ask(
                questionary.checkbox(
                    question.prompt,
                    choices=choices,
                    style=STYLE,
                    instruction="(Space to tick, Enter when done)",
                )
            )
            selected = [str(v) for v in picked or ()]
            try:
                typed = check_typed(question, selected, today=self.today())
            except AnswerError as exc:
                if self.checklist is not None:
                    console.show_question_context(self.checklist, question, position, str(exc))
                else:
                    console.say(f"  ✗ {exc}", style="red")
                chosen = set(selected)
                continue
            assert isinstance(typed, tuple)
            return typed

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """Show a warning, blocker or referral as soon as it arises."""
        console.show_finding(checklist, finding)

    def review(self, rows: Sequence[ReviewRow], outcome: Outcome) -> str | None:
        """Show every answer; let the person change any of them."""
        console.show_review(list(rows), outcome)
        can_sign = outcome.status.can_sign_off
        options = [
            questionary.Choice(
                "Go on to sign-off" if can_sign else "Save the draft and stop here", value=CONTINUE
            ),
            questionary.Choice("Change an answer", value=CHANGE),
        ]

        def valid_number(text: str) -> bool | str:
            # ASCII digits only: str.isdigit() accepts "²", on which int() raises.
            digits = text.strip()
            if not digits or (
                digits.isascii() and digits.isdigit() and 1 <= int(digits) <= len(rows)
            ):
                return True
            return f"type a number from 1 to {len(rows)}, as shown in the table (Enter to go back)"

        while True:
            choice = _ask(
                questionary.select(
                    "What next?",
                    choices=options,
                    style=STYLE,
                    instruction="(arrow keys, then Enter)",
                )
            )
            if choice != CHANGE:
                return None
            number = str(
                _ask(
                    questionary.text(
                        "Which answer do you want to change? (its number; Enter to go back)",
                        validate=valid_number,
                        style=STYLE,
                    )
                )
            ).strip()
            if number:
                return rows[int(number) - 1].question.id

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """Show the declaration."""
        self.checklist = checklist
        console.show_signoff(checklist)

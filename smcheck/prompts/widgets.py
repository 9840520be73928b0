"""A question's answer taken full-screen, one function per widget (yes/no, text, pick one, pick many).

The widget comes from the question's kind in the table of kinds (:mod:`smcheck.qtypes`); :func:`ask_by_widget`
chooses the function. Each takes what the person types or picks and hands it to the engine's ``parse`` or
``check``, the validators an ``--answers`` run uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import assert_never

from smcheck import qtypes
from smcheck.asking import Position
from smcheck.checklist import Question, Value
from smcheck.prompts.common import POLICY_WORDS, back_words, policy_of
from smcheck.prompts.lists import ask_choices
from smcheck.prompts.text import ask_text, ask_yes_no
from smcheck.qtypes import Widget
from smcheck.text import visible
from smcheck.values import AnswerError, as_text

Parse = Callable[[str], Value | None]
Check = Callable[[object], Value]


def ask_by_widget(
    question: Question, position: Position, current: Value | None, parse: Parse, check: Check
) -> Value | None:
    """Ask ``question`` with the prompt its kind's widget uses; raise GoBack to go back."""
    widget = qtypes.spec(question.type).widget
    match widget:
        case Widget.YESNO:
            return yes_no(question, position, current, parse)
        case Widget.TEXT:
            return text(question, position, current, parse)
        case Widget.PICK_ONE:
            return pick_one(question, position, current, check)
        case Widget.PICK_MANY:
            return pick_many(question, position, current, check)
        case _:  # a widget without a case is a mypy error here (--strict checks exhaustiveness)
            assert_never(widget)


def yes_no(
    question: Question, position: Position, current: Value | None, parse: Parse
) -> Value | None:
    """A whole word, yes or no, then Enter."""
    return ask_yes_no(
        visible(question.prompt),
        current=current if isinstance(current, bool) else None,
        parse=parse,
        can_go_back=position.can_go_back,
        required=question.required,
        policy=policy_of(position),
    )


def text(
    question: Question, position: Position, current: Value | None, parse: Parse
) -> Value | None:
    """A line of text, read by the kind's own parser (a date, an address)."""
    typed_as = qtypes.spec(question.type).typed
    assert typed_as is not None, "every text kind says how to type it (checked at import)"
    words = [typed_as.screen]
    if not question.required:
        words.append("optional: Enter alone leaves it blank")
    default = _text_default(current)
    words.extend(back_words(position.can_go_back, typed=True, prefilled=bool(default)))
    if position.clauses:
        words.append(POLICY_WORDS)

    def judge(typed: str) -> str | None:
        try:
            parse(typed)
        except AnswerError as exc:
            return str(exc)
        return None

    def echo(typed: str) -> str:
        # What was recorded, where it is not what was typed ("18 Jan 2027", "www.instagram.com/x"):
        # the screen shows both, as plain mode's "Recorded:" line does.
        value = parse(typed)
        written = typed.strip()
        if value is None:
            return written
        recorded = as_text(question, value)
        return written if recorded == written else f"{written}, recorded as {recorded}"

    typed = ask_text(
        visible(question.prompt),
        "; ".join(words),
        default=default,
        judge=judge,
        can_go_back=position.can_go_back,
        policy=policy_of(position),
        echo=echo,
    )
    return parse(typed)


def pick_one(question: Question, position: Position, current: Value | None, check: Check) -> Value:
    """One choice of a numbered list, pointed at the current answer."""
    values = [c.value for c in question.choices]
    pointed = values.index(current) if isinstance(current, str) and current in values else 0
    return _listed(question, position, check, pointed=pointed, ticked=None)


def pick_many(question: Question, position: Position, current: Value | None, check: Check) -> Value:
    """Tick boxes, the current answer's ticked."""
    values = [c.value for c in question.choices]
    ticked = (
        {values.index(v) for v in current or () if v in values}
        if isinstance(current, tuple)
        else set()
    )
    return _listed(question, position, check, pointed=0, ticked=ticked)


def _listed(
    question: Question, position: Position, check: Check, *, pointed: int, ticked: set[int] | None
) -> Value:
    """The numbered list of ``question``'s choices: pick one (``ticked`` None) or tick boxes."""
    values = [c.value for c in question.choices]
    multi = ticked is not None

    def submit(at: int, ticks: list[int]) -> tuple[object, str]:
        value = check(tuple(values[i] for i in ticks)) if multi else check(values[at])
        return value, visible(as_text(question, value))

    answer = ask_choices(
        visible(question.prompt),
        [c.label for c in question.choices],
        multi=multi,
        pointed=pointed,
        ticked=ticked or set(),
        can_go_back=position.can_go_back,
        submit=submit,
        policy=policy_of(position),
        names=[(c.label, c.value) for c in question.choices],
    )
    assert isinstance(answer, str | tuple)
    return answer


def _text_default(current: Value | None) -> str:
    if current is None:
        return ""
    if isinstance(current, dt.date):
        return current.isoformat()
    if isinstance(current, bool):
        return "yes" if current else "no"
    if isinstance(current, tuple):
        return ", ".join(current)
    return str(current)

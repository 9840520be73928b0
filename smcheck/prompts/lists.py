"""A numbered list, to pick one or tick boxes: the full-screen control that takes a choice by its
number or the arrow keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import questionary
from prompt_toolkit.application import Application
from prompt_toolkit.key_binding import KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import Layout
from questionary.prompts.common import InquirerControl, create_inquirer_layout

from smcheck.prompts.common import (
    POLICY_WORDS,
    STYLE,
    WENT_BACK,
    Fragments,
    Line,
    back_words,
    columns,
    prompt_tokens,
    run,
    shared_bindings,
    wrap_label,
)
from smcheck.text import visible
from smcheck.values import AnswerError

# -- pick one, tick boxes -----------------------------------------------------------------------------


def ask_choices(
    message: str,
    labels: Sequence[str],
    *,
    multi: bool,
    pointed: int,
    ticked: set[int],
    can_go_back: bool,
    submit: Callable[[int, list[int]], tuple[object, str]],
    instruction: str | None = None,
    back_hint: str | None = None,
    policy: str | None = None,
) -> object:
    """A numbered list: one to pick (``multi`` False) or boxes to tick.

    Digits move to the choice with that number and, at tick boxes, tick or untick it. With more than
    nine choices digits build a number: ``1`` then ``2`` goes to 12. A number is complete when no
    further digit could follow (``2`` of 12 choices) or at the next other key; at tick boxes the choice
    is ticked then (so ``1`` ``2`` ticks only 12, and ``1`` then Space ticks 1). ``submit(pointed,
    ticked)`` returns the answer and the words shown once it is given, or raises AnswerError, whose
    reason is shown in place while the list stays as it was.
    """
    count = len(labels)
    digits = len(str(count))
    prefix = 3 + (2 if multi else 0) + digits + 2  # pointer, tick mark, "12. "
    width = columns()
    choices = [
        questionary.Choice(
            title=f"{n:>{digits}}. " + wrap_label(visible(label), width, prefix),
            value=n - 1,
            checked=(n - 1) in ticked,
        )
        for n, label in enumerate(labels, start=1)
    ]
    ic = InquirerControl(
        choices, None, pointer="»", use_indicator=multi, initial_choice=choices[pointed]
    )
    if instruction is None:
        if multi:
            instruction = "type a number or Space to tick, ↑↓ to move, Enter when done"
        else:
            instruction = "type its number or use ↑↓, then Enter"
        instruction = "; ".join([instruction, *back_words(can_go_back, typed=False)])
        if policy is not None:
            instruction += "; " + POLICY_WORDS
    line = Line(instruction, policy=policy)
    state: dict[str, Any] = {"pending": 0, "answer": None}
    out_of_range = f"type a number from 1 to {count}"
    ignored = out_of_range + (", Space to tick" if multi else "") + ", or use ↑↓"

    def tokens() -> Fragments:
        if state["pending"] and line.hint is None:
            low, high = state["pending"] * 10, min(count, state["pending"] * 10 + 9)
            pending = Line(
                f"{state['pending']}: type another digit for {low} to {high}, or go on",
                error=line.error,
            )
            return prompt_tokens(message, pending, None)
        return prompt_tokens(message, line, state["answer"])

    def went_back(_event: KeyPressEvent) -> None:
        # The list folds away like an answered one: what stays on the screen says where they went.
        state["pending"] = 0
        state["answer"] = WENT_BACK
        ic.is_answered = True

    bindings = shared_bindings(
        line, can_go_back, back_key=True, back_hint=back_hint, on_back=went_back
    )

    def toggle(index: int) -> None:
        value = ic.choices[index].value
        if value in ic.selected_options:
            ic.selected_options.remove(value)
        else:
            ic.selected_options.append(value)

    def finish_number() -> bool:
        """Complete a number being typed; True if there was one."""
        number = int(state["pending"])
        state["pending"] = 0
        if number and multi:
            toggle(number - 1)
        return bool(number)

    after_number = {"yes": False}
    """Whether the last key completed a number: a Space or comma then only separates numbers, as a
    person types "1 3" or "1,3" (the plain mode's way), and does not untick the choice just ticked."""

    def digit(event: KeyPressEvent) -> None:
        line.hint = None
        after_number["yes"] = True
        typed = int(event.data)
        pending = int(state["pending"])
        longer = pending * 10 + typed
        if pending and longer <= count:
            state["pending"] = longer
        else:
            finish_number()
            if not 1 <= typed <= count:
                line.hint = out_of_range
                return
            state["pending"] = typed
        ic.pointed_at = int(state["pending"]) - 1
        if state["pending"] * 10 > count:
            finish_number()

    for key in "0123456789":
        bindings.add(key, eager=True)(digit)

    def move(step: int) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            line.hint = None
            after_number["yes"] = False
            finish_number()
            ic.pointed_at = (ic.pointed_at + step) % count

        return handler

    def move_to(index: int) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            line.hint = None
            finish_number()
            ic.pointed_at = index

        return handler

    for key in ("down", "c-n"):
        bindings.add(key, eager=True)(move(1))
    for key in ("up", "c-p"):
        bindings.add(key, eager=True)(move(-1))

    @bindings.add(",", eager=True)
    def _comma(event: KeyPressEvent) -> None:
        separated = after_number["yes"]  # "1, 3": a space after the comma separates too
        finish_number()
        line.hint = None if separated else ignored

    @bindings.add(" ", eager=True)
    def _space(event: KeyPressEvent) -> None:
        line.hint = None
        if after_number["yes"]:  # "1 3": the space separates two numbers
            after_number["yes"] = False
            finish_number()
            return
        if not multi:
            finish_number()
            line.hint = ignored
        elif not finish_number():
            toggle(ic.pointed_at)

    @bindings.add("enter", eager=True)
    def _enter(event: KeyPressEvent) -> None:
        line.hint = None
        finish_number()
        ticked_now = [int(str(c.value)) for c in ic.choices if c.value in ic.selected_options]
        try:
            answer, words = submit(ic.pointed_at, ticked_now)
        except AnswerError as exc:
            line.error = str(exc)
            return
        line.error = None
        state["answer"] = words
        ic.is_answered = True
        event.app.exit(result=answer)

    for key in ("home", "end"):
        bindings.add(key, eager=True)(move_to(0 if key == "home" else count - 1))

    @bindings.add("backspace", eager=True)
    @bindings.add("left", eager=True)
    @bindings.add("right", eager=True)
    @bindings.add("delete", eager=True)
    @bindings.add("tab", eager=True)
    @bindings.add(Keys.Any)
    def _other(event: KeyPressEvent) -> None:
        # Keys that would edit the hidden input line under the list (prompt-toolkit's own bindings)
        # are caught here too, so that no key is silently ignored.
        if event.key_sequence[0].key == Keys.Backspace:
            state["pending"] = 0  # Backspace drops a number being typed rather than ticking it
        after_number["yes"] = False
        finish_number()
        line.hint = ignored

    layout: Layout = create_inquirer_layout(ic, tokens)
    application: Application[object] = Application(
        layout=layout, key_bindings=bindings, style=STYLE
    )
    return run(questionary.Question(application))

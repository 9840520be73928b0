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

from smcheck import picking
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

MAX_NAME = 200
"""The most a name typed at a list holds (a paste of a whole page is cut, not kept)."""


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
    names: picking.Names | None = None,
) -> object:
    """A numbered list: one to pick (``multi`` False) or boxes to tick.

    Digits move to the choice with that number and, at tick boxes, tick or untick it. With more than
    nine choices digits build a number: ``1`` then ``2`` goes to 12. A number is complete when no
    further digit could follow (``2`` of 12 choices) or at the next other key; at tick boxes the choice
    is ticked then (so ``1`` ``2`` ticks only 12, and ``1`` then Space ticks 1). ``submit(pointed,
    ticked)`` returns the answer and the words shown once it is given, or raises AnswerError, whose
    reason is shown in place while the list stays as it was.

    A letter begins a name (``facebook``, ``current students and alumni``), read on Enter as plain mode
    reads it (:mod:`smcheck.picking`; ``names`` are each choice's names, its label unless given): it
    is shown as it is typed, the pointer follows the choice it begins to name, and a name that is no
    choice, or several, is refused with the reason. Enter never takes the pointed choice in its place;
    an arrow key after a name drops it (the person has gone on to point), Ctrl-U clears it.
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
            instruction = "type numbers or names, or Space to tick; ↑↓ to move, Enter when done"
        else:
            instruction = "type its number or name, or use ↑↓, then Enter"
        instruction = "; ".join([instruction, *back_words(can_go_back, typed=False)])
        if policy is not None:
            instruction += "; " + POLICY_WORDS
    line = Line(instruction, policy=policy)
    called: picking.Names = names if names is not None else [(label,) for label in labels]
    state: dict[str, Any] = {"pending": 0, "answer": None, "word": ""}
    out_of_range = f"type a number from 1 to {count}"
    ignored = out_of_range + (", Space to tick" if multi else "") + ", or use ↑↓"

    def tokens() -> Fragments:
        if state["word"] and state["answer"] is None:
            # A name being typed stays on the screen as typed, with what Enter does with it.
            typing = Line("Enter takes it; Backspace to change it", error=line.error)
            return prompt_tokens(message, typing, None, typed=visible(state["word"]))
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
        if state["word"]:
            type_into_name(event.data)
            return
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
            line.error = None
            after_number["yes"] = False
            state["word"] = ""  # moving on from a name typed: Enter takes where the pointer is
            finish_number()
            ic.pointed_at = (ic.pointed_at + step) % count

        return handler

    def move_to(index: int) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            line.hint = None
            line.error = None
            state["word"] = ""
            finish_number()
            ic.pointed_at = index

        return handler

    for key in ("down", "c-n"):
        bindings.add(key, eager=True)(move(1))
    for key in ("up", "c-p"):
        bindings.add(key, eager=True)(move(-1))

    @bindings.add(",", eager=True)
    def _comma(event: KeyPressEvent) -> None:
        if state["word"]:
            type_into_name(",")
            return
        separated = after_number["yes"]  # "1, 3": a space after the comma separates too
        finish_number()
        line.hint = None if separated else ignored

    @bindings.add(" ", eager=True)
    def _space(event: KeyPressEvent) -> None:
        if state["word"]:
            type_into_name(" ")
            return
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
        at = ic.pointed_at
        try:
            if state["word"]:
                # What was typed is the answer: never the pointed choice in its place.
                if multi:
                    named = picking.many(called, state["word"])
                    ticked_now += [i for i in named if i not in ticked_now]
                else:
                    at = picking.one(called, state["word"])
            answer, words = submit(at, ticked_now)
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
        key = event.key_sequence[0].key
        if key == Keys.Backspace and state["word"]:
            type_into_name(None)
            return
        # A printable key comes as itself (an arrow or Tab as an escape or control character).
        data = event.data
        if data and data.isprintable() and (state["word"] or data[0].isalpha()):
            finish_number()
            type_into_name(event.data)  # a letter begins a name: "facebook", "current students"
            return
        if key == Keys.Backspace:
            state["pending"] = 0  # Backspace drops a number being typed rather than ticking it
        after_number["yes"] = False
        finish_number()
        line.hint = ignored

    @bindings.add("c-u", eager=True)
    def _clear(event: KeyPressEvent) -> None:
        state["word"] = ""  # the name being typed, all of it, as Ctrl-U clears a line
        line.error = None

    @bindings.add(Keys.BracketedPaste, eager=True)
    def _paste(event: KeyPressEvent) -> None:
        pasted = " ".join(event.data.split())  # a pasted name, on one line
        if pasted:
            finish_number()
            type_into_name(pasted)

    def type_into_name(text: str | None) -> None:
        """Add ``text`` to the name being typed (None: take its last character away), and point at
        the choice the part being typed begins to name."""
        line.hint = None
        line.error = None
        word = state["word"] + text if text is not None else state["word"][:-1]
        state["word"] = word[:MAX_NAME]
        typing = state["word"].split(",")[-1] if multi else state["word"]
        found = picking.candidates(called, picking.last_named(typing))
        if found:
            ic.pointed_at = found[0]

    layout: Layout = create_inquirer_layout(ic, tokens)
    application: Application[object] = Application(
        layout=layout, key_bindings=bindings, style=STYLE
    )
    return run(questionary.Question(application))

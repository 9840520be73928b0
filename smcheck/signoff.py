"""The sign-off: who signs, and the declaration they make. Asked through the same asker and validators
as the checklist's own questions, and checked again by ``verify``."""

from __future__ import annotations

from typing import NamedTuple

from smcheck.checklist import Checklist, QType, Question, Validators

SIGNOFF_SECTION = "signoff"

SIGNOFF_QUESTIONS: tuple[Question, ...] = tuple(
    Question(
        id=f"{SIGNOFF_SECTION}.{key}",
        section=SIGNOFF_SECTION,
        type=kind,
        prompt=prompt,
        help=help_text,
        clauses=(),
        required=True,
        default=None,
        choices=(),
        validate=Validators(max_length=200),
        when=None,
        rules=(),
    )
    for key, kind, prompt, help_text in (
        ("name", QType.TEXT, "Your full name", "The person signing off this proposal."),
        ("email", QType.EMAIL, "Your email address", "Where the reviewer can reach you."),
        ("role", QType.TEXT, "Your role", "Your job title, e.g. Marketing Officer."),
        ("department", QType.TEXT, "Your department", "The department or section you work in."),
    )
)
"""The sign-off's identity questions: asked through the same asker and validators as the checklist's."""


def agree_question(checklist: Checklist) -> Question:
    """The yes/no question that makes the checklist's declaration."""
    return Question(
        id=f"{SIGNOFF_SECTION}.agree",
        section=SIGNOFF_SECTION,
        type=QType.YESNO,
        prompt="Do you make this declaration?",
        help=checklist.declaration,
        clauses=(),
        required=True,
        default=None,
        choices=(),
        validate=Validators(),
        when=None,
        rules=(),
    )


class SignOff(NamedTuple):
    """Who signed off, as typed at sign-off; the time is taken when the record is written."""

    name: str
    email: str
    role: str
    department: str

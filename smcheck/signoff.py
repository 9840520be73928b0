"""The sign-off: who signs, and the declaration they make. Asked through the same asker and validators
as the checklist's own questions, and checked again by ``verify``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
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
"""The sign-off's identity questions when no checklist rule applies (any email address may sign off):
asked through the same asker and validators as the checklist's. Use :func:`signoff_questions`."""


def signoff_questions(checklist: Checklist | None) -> tuple[Question, ...]:
    """The sign-off's identity questions under a checklist's ``[signoff]`` rule: the email question takes
    its ``email_domains`` (the same meaning as an email question's ``validate.domains``: the domain or a
    subdomain). With no checklist, or one without the rule, :data:`SIGNOFF_QUESTIONS`.

    The interview, ``--answers`` and ``verify`` all ask this function, so none is kinder than another.
    """
    if checklist is None or not checklist.signoff.email_domains:
        return SIGNOFF_QUESTIONS
    return _with_domains(checklist.signoff.email_domains)


@lru_cache(maxsize=16)
def _with_domains(domains: tuple[str, ...]) -> tuple[Question, ...]:
    """Built once per rule (verify asks for every record of a batch)."""
    at = " or ".join(domains)
    return tuple(
        question._replace(
            help=f"{question.help.removesuffix('.')}: an address at {at}.",
            validate=question.validate._replace(domains=domains),
        )
        if question.type is QType.EMAIL
        else question
        for question in SIGNOFF_QUESTIONS
    )


def _yes_no(key: str, prompt: str, help_text: str) -> Question:
    """A required yes/no question of the sign-off."""
    return Question(
        id=f"{SIGNOFF_SECTION}.{key}",
        section=SIGNOFF_SECTION,
        type=QType.YESNO,
        prompt=prompt,
        help=help_text,
        clauses=(),
        required=True,
        default=None,
        choices=(),
        validate=Validators(),
        when=None,
        rules=(),
    )


def agree_question(checklist: Checklist) -> Question:
    """The yes/no question that makes the checklist's declaration (the declaration itself is shown
    once, as the sign-off begins)."""
    return _yes_no("agree", "Do you make this declaration?", "")


def named_question(checklist: Checklist, name: str, email: str) -> Question:
    """ "Are you NAME (EMAIL), the administrator?": whether the person signing off is the one the
    checklist's ``[signoff.prefill]`` answers name."""
    who = checklist.signoff.who or "the person named earlier"
    return _yes_no(
        "is_named",
        f"Are you {name} ({email}), {who}?",
        "If you are, your name and email address are taken from your answers.",
    )


def offered_to_anyone(checklist: Checklist, known: Mapping[str, str]) -> dict[str, str]:
    """Of the sign-off details taken from earlier answers (``known``, by sign-off key), those offered to
    whoever signs off, whether or not they are the person ``[signoff.prefill]`` names: the details that
    are not about that person but about the channel (its department), i.e. taken from a question
    outside the section of the named person's name."""
    sources = dict(checklist.signoff.prefill)
    named = checklist.question(sources.get("name", ""))
    if named is None:
        return {}
    out = {}
    for key, value in known.items():
        source = checklist.question(sources.get(key, ""))
        if source is not None and source.section != named.section:
            out[key] = value
    return out


class SignOff(NamedTuple):
    """Who signed off, as typed at sign-off; the time is taken when the record is written."""

    name: str
    email: str
    role: str
    department: str

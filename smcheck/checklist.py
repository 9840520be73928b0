"""The checklist as validated data: frozen models, conditions and how values read.

A checklist file is parsed once, at the edge, into :class:`Checklist` by :mod:`smcheck.loader` (the strict
loader that doubles as linter). Everything downstream works on these models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeAlias

Value: TypeAlias = bool | str | dt.date | tuple[str, ...]
"""An answer: yes/no is a bool, text-like answers are str, dates are dates, multiple choice is a tuple."""

Answers: TypeAlias = Mapping[str, Value]


class QType(StrEnum):
    """The kinds of question, and so of answer."""

    YESNO = "yesno"
    TEXT = "text"
    EMAIL = "email"
    URL = "url"
    DATE = "date"
    CHOICE = "choice"
    MULTI = "multi"


class Applies(StrEnum):
    """How a clause bears on the person answering."""

    CHECK = "check"
    INFORM = "inform"
    REVIEW = "review"


class Level(StrEnum):
    """How serious a rule's finding is."""

    WARNING = "warning"
    BLOCKER = "blocker"
    REFERRAL = "referral"


class Clause(NamedTuple):
    """One numbered clause of the policy."""

    id: str
    """Stable id, e.g. ``GG-1``."""
    applies: Applies
    """Whether the proposer checks it, is informed of it, or the reviewer handles it."""
    text: str
    """The clause's words."""


# Conditions are typed NamedTuples (cheap to define: see the commit on start-up). Each carries its own
# tag, so that tuple equality can never confuse all(x) with any(x).


class Compare(NamedTuple):
    """A condition on one earlier answer."""

    question: str
    """The id of the question it looks at."""
    op: Literal[
        "equals", "not_equals", "one_of", "contains", "answered", "before", "after", "mentions"
    ]
    """How the answer is compared."""
    value: Value | tuple[Value, ...]
    """What it is compared with (for ``one_of`` a tuple of values, for ``answered`` a bool, for
    ``before``/``after`` a date or ``"today"``, for ``mentions`` a tuple of phrases)."""


class AllOf(NamedTuple):
    """Holds when every item holds."""

    items: tuple[Condition, ...]
    tag: Literal["all"] = "all"


class AnyOf(NamedTuple):
    """Holds when at least one item holds."""

    items: tuple[Condition, ...]
    tag: Literal["any"] = "any"


class Not(NamedTuple):
    """Holds when the item does not."""

    item: Condition
    tag: Literal["not"] = "not"


Condition: TypeAlias = Compare | AllOf | AnyOf | Not


def holds(condition: Condition, answers: Answers, today: dt.date | None = None) -> bool:
    """Evaluate a condition against answers. An unanswered question makes every comparison false.

    ``today`` is the date ``before``/``after = "today"`` compare with (only rules use them: the date the
    answers are judged on, the record's creation date when verifying); without it they never hold.
    """
    # verify judges every condition of a checklist for each record: plain loops and locals, no
    # generator per call (a third of the time it took).
    if type(condition) is not Compare:  # most conditions are a single comparison
        if type(condition) is AllOf:
            for item in condition.items:  # noqa: SIM110 - no generator per call (see above)
                if not holds(item, answers, today):
                    return False
            return True
        if type(condition) is AnyOf:
            for item in condition.items:  # noqa: SIM110 - no generator per call (see above)
                if holds(item, answers, today):
                    return True
            return False
        assert isinstance(condition, Not)
        return not holds(condition.item, answers, today)
    question, op, value = condition
    answer = answers.get(question)
    if op == "answered":
        return (answer is not None) == value
    if answer is None:
        return False
    if op == "equals":
        return answer == value
    if op == "not_equals":
        return answer != value
    if op == "one_of":
        assert isinstance(value, tuple)
        return answer in value
    if op == "mentions":
        assert isinstance(value, tuple)
        return isinstance(answer, str) and any(_mentions(answer, str(phrase)) for phrase in value)
    if op == "before" or op == "after":
        bound = today if value == "today" else value
        if not isinstance(bound, dt.date) or not isinstance(answer, dt.date):
            return False
        return answer < bound if op == "before" else answer > bound
    # contains
    return isinstance(answer, tuple) and value in answer


def _mentions(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, in any case ("DMO" is in "ask the DMO
    first", not in "admonish"). A plain search, so the time is linear in the text's length."""
    haystack, needle = text.casefold(), phrase.casefold()
    if not needle:
        return False
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        before = haystack[start - 1] if start > 0 else " "
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = haystack.find(needle, start + 1)
    return False


def referenced(condition: Condition) -> Iterator[str]:
    """The question ids a condition looks at."""
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            yield from referenced(item)
    elif isinstance(condition, Not):
        yield from referenced(condition.item)
    else:
        yield condition.question


def describe(condition: Condition) -> str:
    """The condition in plain words, for `checklist show` and messages."""
    if isinstance(condition, AllOf):
        return "(" + " and ".join(describe(i) for i in condition.items) + ")"
    if isinstance(condition, AnyOf):
        return "(" + " or ".join(describe(i) for i in condition.items) + ")"
    if isinstance(condition, Not):
        return f"not {describe(condition.item)}"
    shown = format_value(condition.value) if not isinstance(condition.value, bool) else ""
    if condition.op == "answered":
        return f"{condition.question} is {'answered' if condition.value else 'not answered'}"
    if condition.op == "equals":
        return f"{condition.question} = {format_value(condition.value)}"
    if condition.op == "not_equals":
        return f"{condition.question} != {format_value(condition.value)}"
    if condition.op == "one_of":
        return f"{condition.question} is one of {shown}"
    if condition.op in ("before", "after"):
        return f"{condition.question} is {condition.op} {shown}"
    if condition.op == "mentions":
        return f"{condition.question} mentions {shown}"
    return f"{condition.question} includes {shown}"


def format_value(value: object) -> str:
    """An answer as a person reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(format_value(v) for v in value) if value else "(none)"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class Choice(NamedTuple):
    """One option of a choice or multi question."""

    value: str
    """What is stored in the record."""
    label: str
    """What the proposer sees."""
    was: str | None = None
    """``multi`` only: the yes/no question of an earlier version this box replaces, so that a yes to it
    in an older record ticks the box when that record's answers are carried over (a renewal)."""


DateBound: TypeAlias = dt.date | Literal["today"]


# --------------------------------------------------------------------------------------------------
# Patterns: matched in time linear in the answer's length, whoever wrote the checklist

MAX_PATTERN_LENGTH = 500
"""The longest ``validate.pattern`` a checklist may carry, in characters."""

PATTERN_MAX_MEM = 4 << 20
"""The memory RE2 may use for one compiled pattern (its default is 8 MiB); a pattern that needs more is
refused when the checklist is loaded, and matching never needs more."""

_RE2_FEATURES = "backreferences, lookaround, atomic groups, possessive repeats, \\Z"


class PatternError(ValueError):
    """A pattern smcheck will not match; the message says why, in words."""


class Pattern:
    """A checklist's ``validate.pattern``, compiled by RE2 (google-re2): whatever the pattern, matching
    takes time linear in the answer's length, so a pattern built to backtrack (``(a+)+$``) cannot hang
    ``verify``. Compiled once, when the checklist is loaded; equal when the source text is."""

    __slots__ = ("_regex", "source")

    def __init__(self, source: str, regex: Any) -> None:
        self.source = source
        """The pattern as written in the checklist."""
        self._regex = regex
        """The compiled RE2 object (re2 has no type information)."""

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of ``text`` matches."""
        return self._regex.fullmatch(text) is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"


def compile_pattern(source: str) -> Pattern:
    """Compile a checklist pattern with RE2, or raise :class:`PatternError` saying why it cannot be used.

    re2 is imported here, not at start-up: only a checklist with a pattern needs it.
    """
    if len(source) > MAX_PATTERN_LENGTH:
        raise PatternError(
            f"is {len(source)} characters long; a pattern may have at most {MAX_PATTERN_LENGTH}"
        )
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise write its own complaint to stderr
    options.max_mem = PATTERN_MAX_MEM
    options.never_capture = True  # only "does it match" is asked: groups need not be tracked
    try:
        return Pattern(source, re2.compile(source, options))
    except re2.error as exc:
        raise PatternError(_pattern_refusal(source, exc)) from None


def _pattern_refusal(source: str, exc: Exception) -> str:
    """Why RE2 refused a pattern, in words for the checklist's author."""
    raw = exc.args[0] if exc.args else ""
    detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if detail.startswith("pattern too large"):
        return (
            "is too large for smcheck's linear-time pattern engine (compiled, it needs more than"
            f" {PATTERN_MAX_MEM >> 20} MiB); use fewer or smaller counted repeats"
        )
    if detail.startswith("invalid repetition size"):
        return (
            f"repeats too often ({detail.removeprefix('invalid repetition size: ')}): smcheck's"
            " linear-time pattern engine allows counted repeats up to {1000} (nested counts multiply)"
        )
    try:
        re.compile(source)
    except (re.error, RecursionError, OverflowError) as python:
        return f"not a valid regular expression: {python}"
    return (
        f"uses a feature smcheck's linear-time pattern engine does not support ({_RE2_FEATURES}):"
        f" {detail}"
    )


class Validators(NamedTuple):
    """Extra constraints on an answer, beyond its type."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    """A regular expression the whole answer must match."""
    pattern_hint: str | None = None
    """What ``pattern`` asks for, in words."""
    domains: tuple[str, ...] = ()
    """Email only: allowed domains (a subdomain of one is allowed too)."""
    schemes: tuple[str, ...] = ("https",)
    """URL only: allowed schemes."""
    min_date: DateBound | None = None
    max_date: DateBound | None = None
    min_items: int | None = None
    max_items: int | None = None
    compiled: Pattern | None = None
    """``pattern``, compiled when the checklist is loaded (matched for every answer of every record)."""
    differs_from: tuple[str, ...] = ()
    """Ids of earlier questions whose answers this one must not repeat (compared without regard to case
    or spacing): a deputy who is not the administrator."""
    differs_hint: str | None = None
    """What ``differs_from`` asks, in words ("the deputy must be someone other than the administrator")."""
    prefix: str | None = None
    """Normal form (``[normalize] prefix``): the answer starts with this, added when it is not typed."""
    prefix_when: Condition | None = None
    """When ``prefix`` applies (on earlier answers: the platforms whose handles start with @)."""


# Every model is a typed NamedTuple: immutable, and cheap to define at start-up (a frozen dataclass costs
# ~0.4 ms to create on Python 3.11; see the commits on start-up). Conditions carry a tag (see above).
class Rule(NamedTuple):
    """Marks a risky answer as a warning, a blocker or a referral, with the action that fixes it."""

    id: str
    """Stable id, unique in the checklist."""
    question: str
    """The question it belongs to; it applies only while that question is shown."""
    level: Level
    when: Condition
    message: str
    """What is wrong, in plain words."""
    action: str
    """What the proposer must do."""
    clauses: tuple[str, ...]
    refer_to: str | None = None
    """For referrals: who the proposer is referred to."""
    explained_by: str | None = None
    """The question that asks the proposer to explain this finding to the reviewer (shown under the
    same condition); its answer is shown with the finding by verify, export and status."""


class Wording(NamedTuple):
    """Another prompt or help for a question, used while its condition holds on earlier answers (so a
    question never reads wrongly after an answer: "if not the deputy" after "no deputy")."""

    when: Condition
    prompt: str | None
    help: str | None


class Derivation(NamedTuple):
    """An answer that earlier answers already give (``[[sections.questions.derive]]``): while ``when``
    holds on the answers before the question, the interview fills ``value`` in instead of asking, and
    the review shows it as filled in from those answers (the person may still change it there)."""

    when: Condition
    value: Value
    """The answer it gives, of the question's type."""


class Question(NamedTuple):
    """One question of the interview."""

    id: str
    """Stable dotted id, ``section.name``."""
    section: str
    type: QType
    prompt: str
    help: str
    clauses: tuple[str, ...]
    required: bool
    default: Value | None
    choices: tuple[Choice, ...]
    validate: Validators
    when: Condition | None
    rules: tuple[Rule, ...]
    wording: tuple[Wording, ...] = ()
    """Other wordings, the first whose condition holds is used (see :func:`smcheck.outcome.worded`)."""
    derive: tuple[Derivation, ...] = ()
    """Answers that earlier answers give, the first whose condition holds (see
    :func:`smcheck.outcome.derived`): such a question is filled in, not asked."""
    renewal: Value | None = None
    """The answer a renewal gives this question (``renewal``), whatever the old record said: a channel
    being renewed is live, say. ``smcheck renew`` and ``new --answers OLD-RECORD`` fill it in; the
    review shows it, and the person may change it there."""

    @property
    def renewal_only(self) -> bool:
        """Whether only a renewal answers it: an optional question with a :attr:`renewal` answer. A
        new interview does not ask it (it stays blank unless the person answers it in the review)."""
        return self.renewal is not None and not self.required

    def label_of(self, value: str) -> str:
        """The label shown for a choice value."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value


class Section(NamedTuple):
    """A group of questions, asked together."""

    id: str
    title: str
    intro: str
    clauses: tuple[str, ...]
    questions: tuple[Question, ...]


class Policy(NamedTuple):
    """The policy a checklist encodes."""

    title: str
    owner: str
    source: str
    url: str | None
    reviewer: str | None = None
    """Who approves proposals (shown to the proposer as the next step), e.g. the Digital Marketing Officer."""


class Column(NamedTuple):
    """A column of the register: a label and the question whose answer fills it."""

    label: str
    question: str


class CoSigner(NamedTuple):
    """A party who must co-sign a record when its condition holds on the answers."""

    role: str
    """The role their approval is recorded under, e.g. ``advancement-office``."""
    title: str
    """Who they are, in words: "the Advancement Office"."""
    when: Condition
    clauses: tuple[str, ...]


class SignoffRule(NamedTuple):
    """What the checklist asks of whoever signs a record off (``[signoff]``): the institution's rule, as
    data, applied by the interview, ``--answers`` and ``verify`` alike."""

    email_domains: tuple[str, ...] = ()
    """The signer's address must be at one of these domains or a subdomain of one; empty: any address."""
    prefill: tuple[tuple[str, str], ...] = ()
    """Sign-off details that earlier answers may give (``name``, ``email``, ``role``, ``department`` to
    question ids): the interview offers them when the person signing off is that person."""
    who: str | None = None
    """Who ``prefill`` describes, in words: "the channel's designated administrator"."""


class Checklist(NamedTuple):
    """A whole checklist, as read from its file."""

    id: str
    version: str
    title: str
    review_months: int
    policy: Policy
    clauses: tuple[Clause, ...]
    declaration: str
    """The sign-off declaration, copied verbatim into every record."""
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    """Every question, in interview order (the sections' questions, flattened once at load)."""
    name_from: tuple[str, ...]
    """Question ids whose answers make a record's default file name."""
    cosigners: tuple[CoSigner, ...]
    """Parties who must co-sign a record, and when (e.g. the Advancement Office when alumni are contacted)."""
    path: Path
    sha256: str
    """SHA-256 of the file's exact bytes, recorded in every record."""
    register: tuple[Column, ...] = ()
    """The register's columns (``smcheck status``): answers that identify a channel at a glance."""
    signoff: SignoffRule = SignoffRule()
    """Who may sign off (``[signoff]``); by default anyone with an email address."""
    effective: dt.date | None = None
    """The day this version takes effect (``effective``): from then on, after :attr:`grace_days`, the
    versions before it are refused for new sign-offs. None: it says nothing of when (see
    :func:`smcheck.registry.takes` for versions that cannot say it themselves)."""
    grace_days: int = 0
    """How many days from :attr:`effective` on the version before is still accepted (``grace_days``)."""
    retired: tuple[str, ...] = ()
    """Question ids of earlier versions that this one no longer asks (``retired``): their answers are
    left behind when an older record's answers are carried over (a renewal)."""

    def renewal_answers(self) -> dict[str, Value]:
        """The answers a renewal gives, by question id (each question's ``renewal``)."""
        return {q.id: q.renewal for q in self.questions if q.renewal is not None}

    def question(self, qid: str) -> Question | None:
        """The question with this id, if any."""
        for question in self.questions:
            if question.id == qid:
                return question
        return None

    def clause(self, cid: str) -> Clause | None:
        """The clause with this id, if any."""
        for clause in self.clauses:
            if clause.id == cid:
                return clause
        return None


MAX_GRACE_DAYS = 366
"""The longest grace period a checklist version may give the version before it, in days."""

_VERSION = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9}){0,5}")


def version_key(version: str) -> tuple[int, ...] | None:
    """A version of dotted numbers (``1.2.0``) as a key that orders versions (``1.10`` after ``1.9``);
    None for any other version string, which is never ordered (and so never superseded)."""
    if not _VERSION.fullmatch(version):
        return None
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # 1.2 and 1.2.0 are one version
        parts.pop()
    return tuple(parts)


class Takes(NamedTuple):
    """When a version of a checklist takes effect, and how long the version before it is still accepted
    for new sign-offs (a grace period). A record signed off under an older version on or after
    :attr:`refused_from` is refused; one signed off before stays valid."""

    version: str
    """The version that takes effect."""
    effective: dt.date
    """The day it takes effect (UTC)."""
    grace_days: int = 0
    """Days from :attr:`effective` on which older versions are still accepted for new sign-offs."""

    @property
    def refused_from(self) -> dt.date:
        """The first day (UTC) on which a sign-off under an older version is refused."""
        return self.effective + dt.timedelta(days=self.grace_days)

    @property
    def accepted_until(self) -> dt.date:
        """The last day (UTC) on which a sign-off under an older version is still accepted."""
        return self.refused_from - dt.timedelta(days=1)

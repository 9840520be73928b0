"""Reading a checklist file: the strict loader that doubles as linter.

A checklist file is parsed once, at the edge, into the models of :mod:`smcheck.checklist`. Every problem
names the file and the place in it (``sections[2].questions[4].when.question``), all at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from smcheck import qtypes
from smcheck.checklist import (
    MAX_GRACE_DAYS,
    AllOf,
    AnyOf,
    Applies,
    Checklist,
    Choice,
    Clause,
    Column,
    Compare,
    Condition,
    CoSigner,
    DateBound,
    Derivation,
    Level,
    Not,
    PatternError,
    Policy,
    QType,
    Question,
    Rule,
    Section,
    SignoffRule,
    Takes,
    Validators,
    Value,
    Wording,
    compile_pattern,
    version_key,
)
from smcheck.errors import FileProblem
from smcheck.fsutil import read_regular
from smcheck.qtypes import Widget
from smcheck.text import codepoint, first_hidden
from smcheck.tomlread import Problems, Table, TomlProblem, loads_guarded, type_name
from smcheck.values import AnswerError, check_comparable, check_typed

FORMAT = 1
"""The checklist file format this smcheck reads."""

MAX_CHECKLIST_BYTES = 1024 * 1024

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PART = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_CLAUSE_ID = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_RULE_ID = re.compile(r"[a-z0-9_]+(?:[.-][a-z0-9_]+)*")


FORMAT_DOC = "https://github.com/essex-digital/smcheck/blob/main/checklists/README.md"
"""Where the checklist format is described (an address, so the hint works wherever smcheck is installed)."""

FORMAT_HINT = (
    f"the checklist format: {FORMAT_DOC} (smcheck schema checklist prints its JSON Schema)"
)
VERSIONS_HINT = f"the versions file: {FORMAT_DOC}"


def load_checklist(path: Path) -> Checklist:
    """Read and validate a checklist file; raise :class:`FileProblem` listing every problem found."""
    data = _read_bytes(path)
    problems = Problems(str(path))
    checklist = parse_checklist(data, path, problems)
    if problems or checklist is None:
        raise FileProblem(str(path), problems.lines, hint=FORMAT_HINT)
    return checklist


def lint_checklist(path: Path) -> list[str]:
    """Every problem in a checklist file, each naming the file and the place; empty when it is fine."""
    data = _read_bytes(path)
    problems = Problems(str(path))
    parse_checklist(data, path, problems)
    return problems.lines


def load_versions(path: Path) -> dict[str, tuple[Takes, ...]]:
    """Read the versions file (``checklists/archive/versions.toml``): when each listed version of a
    shipped checklist took effect, and its grace period, for versions whose own file cannot say so (its
    bytes, and so its digest, are pinned in every record made with it). Raises :class:`FileProblem`
    listing every problem, each naming the place in the file."""
    data = _read_bytes(path)
    problems = Problems(str(path))
    raw = decode_toml(data, problems)
    found: dict[str, list[Takes]] = {}
    if raw is not None:
        top = Table(raw, "", problems)
        fmt = top.integer("format")
        if fmt is not None and fmt != FORMAT:
            problems.add("format", f"is {fmt}, but this smcheck reads format {FORMAT}")
        seen: set[tuple[str, tuple[int, ...]]] = set()
        for item in top.tables("versions"):
            cid = item.nonempty("id")
            if cid is not None and not _SLUG.fullmatch(cid):
                problems.add(item.at("id"), "must be a checklist id, like essex-social-media")
                cid = None
            version = item.nonempty("version")
            key = version_key(version) if version is not None else None
            if version is not None and key is None:
                problems.add(item.at("version"), "must be dotted numbers, like 1.2.0")
            effective = item.local_date("effective")
            grace = item.integer("grace_days", required=False)
            if grace is not None and not 0 <= grace <= MAX_GRACE_DAYS:
                problems.add(item.at("grace_days"), f"must be between 0 and {MAX_GRACE_DAYS} days")
                grace = None
            item.finish()
            if cid is None or version is None or key is None or effective is None:
                continue
            if (cid, key) in seen:
                problems.add(item.at("version"), f"{cid} {version} is listed twice")
                continue
            seen.add((cid, key))
            found.setdefault(cid, []).append(Takes(version, effective, grace or 0))
        top.finish()
    if problems:
        raise FileProblem(str(path), problems.lines, hint=VERSIONS_HINT)
    return {cid: tuple(items) for cid, items in found.items()}


def _read_bytes(path: Path) -> bytes:
    data = read_regular(path, MAX_CHECKLIST_BYTES)
    if len(data) > MAX_CHECKLIST_BYTES:
        raise FileProblem(str(path), [f"{path}: larger than {MAX_CHECKLIST_BYTES} bytes"])
    return data


def decode_toml(data: bytes, problems: Problems) -> dict[str, object] | None:
    """Decode UTF-8 TOML strictly; report a BOM, bad UTF-8 or bad TOML with its line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        problems.add("", "starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add("", f"not UTF-8 text (bad byte at offset {exc.start})")
        return None
    try:
        return loads_guarded(text)
    except TomlProblem as exc:
        problems.add("", exc.message.removeprefix("is "))
    return None


def _other_kind(raw: dict[str, object], path: Path) -> str | None:
    """What a file smcheck made for something else is (:mod:`smcheck.filekinds`: a record, a draft,
    an answers file), with the command that takes it; None for a file that may be meant as a
    checklist (one with ``format`` or ``sections`` is read as one, key by key)."""
    from smcheck.filekinds import Kind, of_document
    from smcheck.text import as_run, shell_word

    if "sections" in raw or "format" in raw:
        return None
    word = shell_word(path)
    match of_document(raw):
        case Kind.RECORD:
            return f"{Kind.RECORD}, not a checklist: it is checked with " + as_run(
                f"smcheck verify {word}"
            )
        case Kind.DRAFT:
            return f"{Kind.DRAFT}, not a checklist: it is continued with " + as_run(
                f"smcheck new --resume {word}"
            )
        case Kind.ANSWERS:
            return f"{Kind.ANSWERS}, not a checklist: a record is made from it with " + as_run(
                f"smcheck new --answers {word}"
            )
        case _:
            return None


def parse_checklist(data: bytes, path: Path, problems: Problems) -> Checklist | None:
    """Parse checklist bytes into a model, adding every problem to ``problems``."""
    raw = decode_toml(data, problems)
    if raw is None:
        return None
    other = _other_kind(raw, path)
    if other is not None:  # a file smcheck made for something else: one line, not a list of keys
        problems.add("", other)
        return None
    if not _plainly_printable(data):
        _refuse_hidden_characters(raw, "", problems)
    top = Table(raw, "", problems)
    fmt = top.integer("format")
    if fmt is not None and fmt != FORMAT:
        problems.add("format", f"is {fmt}, but this smcheck reads checklist format {FORMAT}")
        return None
    cid = top.nonempty("id")
    if cid is not None and not _SLUG.fullmatch(cid):
        problems.add(
            "id", "must be lower-case letters, digits and single dashes, like essex-social-media"
        )
    version = top.nonempty("version")
    title = top.nonempty("title")
    review_months = top.integer("review_months", required=False)
    if review_months is not None and not 1 <= review_months <= 60:
        problems.add("review_months", "must be between 1 and 60")
    effective, grace_days = _takes_effect(top, version, problems)
    policy = _policy(top.table("policy"))
    clauses = _clauses(top, problems)
    declaration_table = top.table("declaration")
    declaration = None
    if declaration_table is not None:
        declaration = declaration_table.nonempty("text")
        declaration_table.finish()
    name_from = top.strings("name_from", required=False) or []
    retired = top.strings("retired", required=False) or []
    for index, qid in enumerate(retired):
        if not _OLD_ID.fullmatch(qid):
            problems.add(f"retired[{index}]", "must be a question id, like monitoring.cover")
    signoff = _signoff_rule(top.table("signoff", required=False), problems)

    ctx = _Context(problems, {c.id: c for c in clauses})
    sections = tuple(_sections(top, ctx))
    cosigners = tuple(_cosigners(top, ctx))
    register = tuple(_register(top, ctx))
    top.finish()
    _check_references(sections, ctx, name_from)
    for index, qid in enumerate(retired):
        if qid in ctx.questions:
            problems.add(f"retired[{index}]", f"{qid} is a question of this version")
    for key, qid in signoff.prefill:
        if qid not in ctx.questions:
            problems.add(f"signoff.prefill.{key}", f"no question has the id {qid!r}")
    if problems or None in (cid, version, title, policy, declaration):
        return None
    assert cid and version and title and policy and declaration
    return Checklist(
        id=cid,
        version=version,
        title=title,
        review_months=review_months or 12,
        policy=policy,
        clauses=tuple(clauses),
        declaration=declaration,
        sections=sections,
        questions=tuple(q for s in sections for q in s.questions),
        name_from=tuple(name_from),
        cosigners=cosigners,
        register=register,
        signoff=signoff,
        effective=effective,
        grace_days=grace_days,
        retired=tuple(retired),
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _takes_effect(
    table: Table, version: str | None, problems: Problems
) -> tuple[dt.date | None, int]:
    """A version's ``effective`` day and ``grace_days`` (optional both; a grace needs a day, and a day
    needs a version of dotted numbers, which is how smcheck knows the versions it replaces)."""
    effective = table.local_date("effective", required=False)
    grace = table.integer("grace_days", required=False)
    if grace is not None and not 0 <= grace <= MAX_GRACE_DAYS:
        problems.add(table.at("grace_days"), f"must be between 0 and {MAX_GRACE_DAYS} days")
        grace = None
    if grace is not None and not table.has("effective"):
        problems.add(
            table.at("grace_days"),
            "a grace period counts from the day the version takes effect: give effective too",
        )
    if effective is not None and version is not None and version_key(version) is None:
        problems.add(
            table.at("effective"),
            f"needs a version of dotted numbers (like 1.3.0), not {version!r}, so that the"
            " versions it replaces are known",
        )
    return effective, grace or 0


_ESCAPE_OF_CONTROL = re.compile(rb"\\[bfruU]")


def _plainly_printable(data: bytes) -> bool:
    """True when no string in the file can hold a control or invisible character: the text itself is
    printable (line breaks and tabs aside) and has no escape that makes one (\\b \\f \\r \\u \\U).
    A fast path: when it is False, every string is looked at."""
    text = data.decode("utf-8").replace("\n", " ").replace("\t", " ")
    return first_hidden(text) is None and _ESCAPE_OF_CONTROL.search(data) is None


def _refuse_hidden_characters(node: object, where: str, problems: Problems) -> None:
    """Checklist text is shown in terminals: refuse hidden characters in it (smcheck.text's rule; line
    breaks and tabs are allowed in checklist text)."""
    if isinstance(node, dict):
        for key, value in node.items():
            _refuse_hidden_characters(value, f"{where}.{key}" if where else key, problems)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _refuse_hidden_characters(value, f"{where}[{index}]", problems)
    elif isinstance(node, str):
        char = first_hidden(node, allow="\n\t")
        if char is not None:
            problems.add(where, f"holds a control or invisible character ({codepoint(char)})")


class _Context:
    """What the loader has seen so far, for checks that span the whole file."""

    def __init__(self, problems: Problems, clauses: dict[str, Clause]) -> None:
        self.problems = problems
        self.clauses = clauses
        self.questions: dict[str, Question] = {}
        self.rule_ids: set[str] = set()
        self.broken: set[str] = set()
        """Ids of questions present but invalid: conditions naming them are not reported again."""
        self.used_clauses: set[str] = set()
        self.pending: list[tuple[str, Condition, str, bool]] = []
        """Conditions, checked once every question is known: (place, condition, owner, is-when)."""
        self.differs: list[tuple[str, str, str]] = []
        """``differs_from`` references: (place, the question named, the question that names it)."""
        self.explained: list[tuple[str, Rule]] = []
        """Rules with ``explained_by``, checked once every question is known."""


def _policy(table: Table | None) -> Policy | None:
    if table is None:
        return None
    title = table.nonempty("title")
    owner = table.nonempty("owner")
    source = table.nonempty("source")
    url = table.string("url", required=False)
    reviewer = table.nonempty("reviewer", required=False)
    table.finish()
    if title is None or owner is None or source is None:
        return None
    return Policy(title, owner, source, url, reviewer)


_SIGNOFF_KEYS = ("name", "email", "role", "department")


def _signoff_rule(table: Table | None, problems: Problems) -> SignoffRule:
    if table is None:
        return SignoffRule()
    inner = table.table("prefill", required=False)
    domains = _domains(table, "email_domains", problems, required=inner is None)
    prefill: list[tuple[str, str]] = []
    who = None
    if inner is not None:
        who = inner.nonempty("who")
        for key in _SIGNOFF_KEYS:
            qid = inner.nonempty(key, required=key in ("name", "email"))
            if qid is not None:
                prefill.append((key, qid))
        inner.finish()
    table.finish()
    return SignoffRule(email_domains=domains, prefill=tuple(prefill), who=who)


def _clauses(top: Table, problems: Problems) -> list[Clause]:
    out: list[Clause] = []
    seen: set[str] = set()
    for table in top.tables("clauses"):
        cid = table.nonempty("id")
        applies = table.member("applies", Applies)
        text = table.nonempty("text")
        table.finish()
        if cid is not None:
            if not _CLAUSE_ID.fullmatch(cid):
                problems.add(
                    table.at("id"), "must be capital letters, digits and dashes, like GG-1"
                )
            if cid in seen:
                problems.add(table.at("id"), f"duplicate clause id {cid!r}")
            seen.add(cid)
        if cid and applies and text:
            out.append(Clause(cid, applies, text))
    return out


def _clause_refs(table: Table, key: str, ctx: _Context, *, required: bool) -> tuple[str, ...]:
    ids = table.strings(key, required=required) or []
    for index, cid in enumerate(ids):
        if cid not in ctx.clauses:
            ctx.problems.add(f"{table.at(key)}[{index}]", f"no clause has the id {cid!r}")
        ctx.used_clauses.add(cid)
    return tuple(ids)


def _sections(top: Table, ctx: _Context) -> Iterator[Section]:
    seen: set[str] = set()
    for table in top.tables("sections"):
        sid = table.nonempty("id")
        if sid is not None:
            if not _PART.fullmatch(sid):
                ctx.problems.add(
                    table.at("id"), "must be lower-case letters, digits and underscores"
                )
            if sid in seen:
                ctx.problems.add(table.at("id"), f"duplicate section id {sid!r}")
            seen.add(sid)
        title = table.nonempty("title")
        intro = table.string("intro", required=False) or ""
        clauses = _clause_refs(table, "clauses", ctx, required=False)
        questions = tuple(_questions(table, sid or "?", ctx))
        if not questions and table.has("questions"):
            ctx.problems.add(table.at("questions"), "a section needs at least one question")
        table.finish()
        if sid and title:
            yield Section(sid, title, intro, clauses, questions)


def _questions(section: Table, sid: str, ctx: _Context) -> Iterator[Question]:
    for table in section.tables("questions"):
        qid = table.nonempty("id")
        if qid is not None:
            parts = qid.split(".")
            if len(parts) < 2 or not all(_PART.fullmatch(p) for p in parts):
                ctx.problems.add(
                    table.at("id"),
                    "must be dotted lower-case parts, like channel.platform",
                )
            elif parts[0] != sid:
                ctx.problems.add(table.at("id"), f"must start with its section id, {sid}.")
            if qid in ctx.questions:
                ctx.problems.add(table.at("id"), f"duplicate question id {qid!r}")
            for other in ctx.questions:
                if other.startswith(qid + ".") or qid.startswith(other + "."):
                    ctx.problems.add(
                        table.at("id"),
                        f"{qid!r} and {other!r} cannot both be ids (one contains the other)",
                    )
        kind = table.member("type", QType)
        prompt = table.nonempty("prompt")
        help_text = table.string("help", required=False) or ""
        clauses = _clause_refs(table, "clauses", ctx, required=True)
        required = table.boolean("required", required=False)
        choices = _choices(table, kind, ctx.problems)
        validators = _validators(table.table("validate", required=False), kind, ctx.problems)
        when = (
            _condition(table.raw("when"), table.at("when"), ctx.problems)
            if table.has("when")
            else None
        )
        rules = tuple(_rules(table, qid or "?", clauses, ctx))
        wording = tuple(_wording(table, ctx))
        derive_tables = [
            (item, _required_condition(item, ctx, "missing; say which earlier answers give it"))
            for item in table.tables("derive", required=False)
        ]
        normalize = table.table("normalize", required=False)
        if normalize is not None:
            if kind is not None and "normalize" not in qtypes.spec(kind).validators:
                takes = qtypes.names(qtypes.kinds_taking("normalize"))
                ctx.problems.add(table.at("normalize"), f"applies to {takes} questions, not {kind}")
            prefix = normalize.nonempty("prefix")
            prefix_when = (
                _condition(normalize.raw("when"), normalize.at("when"), ctx.problems)
                if normalize.has("when")
                else None
            )
            normalize.finish()
            validators = validators._replace(prefix=prefix, prefix_when=prefix_when)
            # A question without a usable id is already refused; its condition cannot be placed
            # in the order of questions (and checking it would look up a question that is not there).
            if prefix_when is not None and qid is not None:
                ctx.pending.append((normalize.at("when"), prefix_when, qid, True))
        default_raw = table.raw("default")
        renewal_raw = table.raw("renewal")
        table.finish()
        if qid is None or kind is None or prompt is None:
            if qid is not None:
                ctx.broken.add(qid)
            continue
        default: Value | None = None
        question = Question(
            id=qid,
            section=sid,
            type=kind,
            prompt=prompt,
            help=help_text,
            clauses=clauses,
            required=True if required is None else required,
            default=None,
            choices=choices,
            validate=validators,
            when=when,
            rules=rules,
            wording=wording,
        )
        for index, other in enumerate(validators.differs_from):
            ctx.differs.append((f"{table.at('validate')}.differs_from[{index}]", other, qid))
        if default_raw is not None:
            try:
                default = check_typed(question, default_raw, today=dt.date.today())
            except AnswerError as exc:
                ctx.problems.add(table.at("default"), f"not a valid answer: {exc}")
            else:
                question = question._replace(default=default)
        if renewal_raw is not None:
            try:
                renewal = check_typed(question, renewal_raw, today=dt.date.today())
            except AnswerError as exc:
                ctx.problems.add(table.at("renewal"), f"not a valid answer: {exc}")
            else:
                question = question._replace(renewal=renewal)
        derive: list[Derivation] = []
        for index, (item, condition) in enumerate(derive_tables):
            raw_value = item.raw("value")
            if raw_value is None:
                ctx.problems.add(item.at("value"), "missing; the answer the earlier answers give")
            else:
                try:
                    value = check_typed(question, raw_value, today=dt.date.today())
                except AnswerError as exc:
                    ctx.problems.add(item.at("value"), f"not a valid answer: {exc}")
                else:
                    if condition is not None:
                        derive.append(Derivation(condition, value))
                        where = f"{table.at('derive')}[{index}].when"
                        ctx.pending.append((where, condition, qid, True))
            item.finish()
        question = question._replace(derive=tuple(derive))
        if when is not None:
            ctx.pending.append((table.at("when"), when, qid, True))
        for index, rule in enumerate(rules):
            ctx.pending.append((f"{table.at('rules')}[{index}].when", rule.when, qid, False))
            if rule.explained_by is not None:
                ctx.explained.append((f"{table.at('rules')}[{index}].explained_by", rule))
        for index, variant in enumerate(wording):
            ctx.pending.append((f"{table.at('wording')}[{index}].when", variant.when, qid, True))
        ctx.questions[qid] = question
        yield question


def _choices(table: Table, kind: QType | None, problems: Problems) -> tuple[Choice, ...]:
    entry = qtypes.spec(kind) if kind is not None else None
    wants = entry is not None and entry.has_choices
    if not table.has("choices"):
        if wants:
            problems.add(table.at("choices"), f"missing; a {kind} question needs choices")
        return ()
    if not wants and kind is not None:
        listed = " and ".join(k.value for k in qtypes.kinds_with(lambda e: e.has_choices))
        problems.add(table.at("choices"), f"only {listed} questions have choices, not {kind}")
    out: list[Choice] = []
    seen: set[str] = set()
    for item in table.tables("choices"):
        value = item.nonempty("value")
        label = item.nonempty("label")
        was = item.string("was", required=False)
        item.finish()
        if was is not None:
            if entry is None or entry.widget is not Widget.PICK_MANY:
                problems.add(
                    item.at("was"), "only a multi question's boxes replace earlier questions"
                )
            elif not _OLD_ID.fullmatch(was):
                problems.add(item.at("was"), "must be a question id, like account.two_factor")
        if value is not None:
            if value in seen:
                problems.add(item.at("value"), f"duplicate choice {value!r}")
            seen.add(value)
        if value and label:
            out.append(Choice(value, label, was))
    if wants and not out and not problems:
        problems.add(table.at("choices"), "needs at least one choice")
    return tuple(out)


_VALIDATOR_KEYS = (
    "min_length",
    "max_length",
    "pattern",
    "pattern_hint",
    "domains",
    "schemes",
    "min",
    "max",
    "min_items",
    "max_items",
    "differs_from",
    "differs_hint",
)
_VALIDATOR_TYPES: dict[str, tuple[QType, ...]] = {
    key: qtypes.kinds_taking(key) for key in _VALIDATOR_KEYS
}
"""The kinds of question each ``validate`` key applies to, as the table of kinds says."""


def _validators(table: Table | None, kind: QType | None, problems: Problems) -> Validators:
    if table is None:
        return Validators()
    for key in table.data:
        allowed = _VALIDATOR_TYPES.get(key)
        if allowed is not None and kind is not None and kind not in allowed:
            names = ", ".join(a.value for a in allowed)
            problems.add(table.at(key), f"applies to {names} questions, not {kind}")
    lengths = [table.integer(k, required=False) for k in ("min_length", "max_length")]
    items = [table.integer(k, required=False) for k in ("min_items", "max_items")]
    for key, number in zip(
        ("min_length", "max_length", "min_items", "max_items"), lengths + items, strict=True
    ):
        if number is not None and number < 0:
            problems.add(table.at(key), "must not be negative")
    pattern = table.nonempty("pattern", required=False)
    compiled = None
    if pattern is not None:
        try:
            compiled = compile_pattern(pattern)
        except PatternError as exc:
            problems.add(table.at("pattern"), str(exc))
    hint = table.string("pattern_hint", required=False)
    if pattern is not None and hint is None:
        problems.add(table.at("pattern_hint"), "missing; say in words what the pattern asks for")
    domains = _domains(table, "domains", problems, required=False)
    schemes = table.strings("schemes", required=False)
    differs_from = table.strings("differs_from", required=False) or []
    differs_hint = table.nonempty("differs_hint", required=False)
    bounds: list[DateBound | None] = []
    for key in ("min", "max"):
        raw = table.raw(key)
        if raw is None or raw == "today" or type(raw) is dt.date:
            bounds.append(raw)
        else:
            problems.add(table.at(key), f'must be a date or "today", not {type_name(raw)}')
            bounds.append(None)
    table.finish()
    return Validators(
        min_length=lengths[0],
        max_length=lengths[1],
        pattern=pattern,
        pattern_hint=hint,
        domains=domains,
        schemes=tuple(schemes) if schemes else ("https",),
        min_date=bounds[0],
        max_date=bounds[1],
        min_items=items[0],
        max_items=items[1],
        compiled=compiled,
        differs_from=tuple(differs_from),
        differs_hint=differs_hint,
    )


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
"""A domain name of two or more labels (ASCII: an address's domain must be, to be an address at all)."""


def _domains(table: Table, key: str, problems: Problems, *, required: bool) -> tuple[str, ...]:
    """An array of email domains (``essex.ac.uk``), lower-cased: at least one, each a domain name of two
    or more labels, none twice. An address is allowed at a domain or at any subdomain of it."""
    values = table.strings(key, required=required)
    if values is None:
        return ()
    if table.data.get(key) == []:  # (items of the wrong type are reported one by one)
        problems.add(table.at(key), "must name at least one domain, like essex.ac.uk")
    out: list[str] = []
    for index, value in enumerate(values):
        where = f"{table.at(key)}[{index}]"
        domain = value.lower()
        if domain.startswith(("@", "*.", ".")):
            problems.add(
                where,
                f"{value!r}: write the domain alone, like essex.ac.uk (its subdomains are allowed too)",
            )
        elif len(domain) > 253 or not _DOMAIN.fullmatch(domain):
            problems.add(
                where,
                f"{value!r} is not a domain name like essex.ac.uk (two or more labels of ASCII letters,"
                " digits and inner dashes, joined by dots)",
            )
        elif domain in out:
            problems.add(where, f"duplicate domain {value!r}")
        else:
            out.append(domain)
    return tuple(out)


_OLD_ID = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)+")
"""A question id (of this version or an earlier one)."""

_COMPARISONS = (
    "equals",
    "not_equals",
    "one_of",
    "contains",
    "answered",
    "before",
    "after",
    "mentions",
)


def _condition(raw: object, where: str, problems: Problems) -> Condition | None:
    """Parse a condition written as data (an inline table of exactly one form)."""
    if type(raw) is not dict:
        problems.add(where, f"a condition must be a table, not {type_name(raw)}")
        return None
    keys = set(raw)
    for combinator in ("all", "any"):
        if keys == {combinator}:
            items = raw[combinator]
            if type(items) is not list or not items:
                problems.add(f"{where}.{combinator}", "must be a non-empty array of conditions")
                return None
            parsed = [
                _condition(item, f"{where}.{combinator}[{i}]", problems)
                for i, item in enumerate(items)
            ]
            if any(p is None for p in parsed):
                return None
            conditions = tuple(p for p in parsed if p is not None)
            return AllOf(conditions) if combinator == "all" else AnyOf(conditions)
    if keys == {"not"}:
        inner = _condition(raw["not"], f"{where}.not", problems)
        return Not(inner) if inner is not None else None
    if "question" in keys and len(keys) == 2:
        (op,) = keys - {"question"}
        question = raw["question"]
        if type(question) is not str:
            problems.add(f"{where}.question", f"must be a question id, not {type_name(question)}")
            return None
        if op not in _COMPARISONS:
            problems.add(
                f"{where}.{op}", f"unknown comparison; use one of {', '.join(_COMPARISONS)}"
            )
            return None
        value = raw[op]
        if op == "answered" and type(value) is not bool:
            problems.add(f"{where}.answered", "must be true or false")
            return None
        if op in ("before", "after") and value != "today" and type(value) is not dt.date:
            problems.add(f"{where}.{op}", f'must be a date or "today", not {type_name(value)}')
            return None
        if op == "one_of":
            if type(value) is not list or not value:
                problems.add(f"{where}.one_of", "must be a non-empty array of values")
                return None
            value = tuple(value)
        elif op == "mentions":
            if (
                type(value) is not list
                or not value
                or not all(type(v) is str and v.strip() for v in value)
            ):
                problems.add(f"{where}.mentions", "must be a non-empty array of words or phrases")
                return None
            value = tuple(value)
        elif type(value) is list:
            value = tuple(value)
        return Compare(question, op, value)
    problems.add(
        where,
        "a condition is one of {question = ID,"
        " equals|not_equals|one_of|contains|answered|before|after|mentions = ...},"
        " {all = [...]}, {any = [...]} or {not = {...}}",
    )
    return None


def _rules(table: Table, qid: str, clauses: tuple[str, ...], ctx: _Context) -> Iterator[Rule]:
    for item in table.tables("rules", required=False):
        rid = item.nonempty("id")
        if rid is not None:
            if not _RULE_ID.fullmatch(rid):
                ctx.problems.add(item.at("id"), "must be lower-case, like alumni.not-consulted")
            if rid in ctx.rule_ids:
                ctx.problems.add(item.at("id"), f"duplicate rule id {rid!r}")
            ctx.rule_ids.add(rid)
        level = item.member("level", Level)
        when = _required_condition(item, ctx, "missing; a rule needs a condition")
        message = item.nonempty("message")
        action = item.nonempty("action")
        own = _clause_refs(item, "clauses", ctx, required=False) if item.has("clauses") else clauses
        refer_to = item.nonempty("refer_to", required=level is Level.REFERRAL)
        if refer_to is not None and level is not Level.REFERRAL:
            ctx.problems.add(
                item.at("refer_to"), "only a referral rule refers the proposer elsewhere"
            )
        explained_by = item.nonempty("explained_by", required=False)
        item.finish()
        if rid and level and when and message and action:
            yield Rule(rid, qid, level, when, message, action, own, refer_to, explained_by)


def _required_condition(item: Table, ctx: _Context, missing: str) -> Condition | None:
    """An item's ``when``, which it must have (``missing`` says why, when it has none)."""
    if not item.has("when"):
        ctx.problems.add(item.at("when"), missing)
        return None
    return _condition(item.raw("when"), item.at("when"), ctx.problems)


def _wording(table: Table, ctx: _Context) -> Iterator[Wording]:
    for item in table.tables("wording", required=False):
        when = _required_condition(item, ctx, "missing; say when this wording is used")
        prompt = item.nonempty("prompt", required=False)
        help_text = item.string("help", required=False)
        if prompt is None and help_text is None:
            ctx.problems.add(item.at("prompt"), "a wording gives a prompt, a help text or both")
        item.finish()
        if when is not None and (prompt is not None or help_text is not None):
            yield Wording(when, prompt, help_text)


def _register(top: Table, ctx: _Context) -> Iterator[Column]:
    for index, item in enumerate(top.tables("register", required=False)):
        label = item.nonempty("label")
        question = item.nonempty("question")
        item.finish()
        if label and question:
            if question not in ctx.questions:
                ctx.problems.add(
                    f"register[{index}].question", f"no question has the id {question!r}"
                )
            else:
                yield Column(label, question)


_RESERVED_ROLES = ("proposer", "reviewer")


def _cosigners(top: Table, ctx: _Context) -> Iterator[CoSigner]:
    seen: set[str] = set()
    for index, item in enumerate(top.tables("cosign", required=False)):
        role = item.nonempty("role")
        if role is not None:
            if not _SLUG.fullmatch(role):
                ctx.problems.add(item.at("role"), "must be lower-case letters, digits and dashes")
            elif role in _RESERVED_ROLES:
                ctx.problems.add(item.at("role"), f"{role!r} is a built-in role, not a co-signer")
            elif role in seen:
                ctx.problems.add(item.at("role"), f"duplicate co-signer role {role!r}")
            seen.add(role)
        title = item.nonempty("title")
        when = _required_condition(item, ctx, "missing; say when this party must co-sign")
        clauses = _clause_refs(item, "clauses", ctx, required=True)
        item.finish()
        if role and title and when is not None:
            # Checked with the rules' conditions: may name any question.
            ctx.pending.append((f"cosign[{index}].when", when, "", False))
            yield CoSigner(role, title, when, clauses)


def _check_references(sections: Sequence[Section], ctx: _Context, name_from: list[str]) -> None:
    """Conditions name known questions (a `when` only earlier ones) with values of the right type."""
    order = {qid: index for index, qid in enumerate(ctx.questions)}
    for where, condition, owner, is_when in ctx.pending:
        if owner and owner not in order:
            continue  # its question is refused already (a wrong type, say): it has no place
        _check_condition(condition, where, owner, is_when, order, ctx)
    for index, qid in enumerate(name_from):
        if qid not in ctx.questions:
            ctx.problems.add(f"name_from[{index}]", f"no question has the id {qid!r}")
    for where, other, owner in ctx.differs:
        target = ctx.questions.get(other)
        if target is None:
            ctx.problems.add(where, f"names an unknown question {other!r}")
        elif order[other] >= order[owner]:
            ctx.problems.add(where, f"names {other!r}, which is not asked before {owner!r}")
        elif "differs_from" not in qtypes.spec(target.type).validators:
            ctx.problems.add(where, f"compares with {other!r}, which is {target.type}, not text")
    for where, rule in ctx.explained:
        assert rule.explained_by is not None
        target = ctx.questions.get(rule.explained_by)
        if target is None:
            ctx.problems.add(where, f"names an unknown question {rule.explained_by!r}")
        elif target.type is not QType.TEXT:
            ctx.problems.add(
                where, f"{target.id} is {target.type}; an explanation is a text question"
            )
        elif order[rule.explained_by] <= order[rule.question]:
            ctx.problems.add(
                where, f"{target.id} must come after {rule.question}, whose rule it explains"
            )
    for clause in ctx.clauses.values():
        if clause.applies is not Applies.REVIEW and clause.id not in ctx.used_clauses:
            ctx.problems.add(
                "clauses",
                f"clause {clause.id} ({clause.applies}) is not referenced by any question, rule or section",
            )


def _check_condition(
    condition: Condition,
    where: str,
    owner: str,
    is_when: bool,
    order: dict[str, int],
    ctx: _Context,
) -> None:
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            _check_condition(item, where, owner, is_when, order, ctx)
        return
    if isinstance(condition, Not):
        _check_condition(condition.item, where, owner, is_when, order, ctx)
        return
    target = ctx.questions.get(condition.question)
    if target is None:
        if condition.question not in ctx.broken:
            ctx.problems.add(where, f"names an unknown question {condition.question!r}")
        return
    if is_when and order[condition.question] >= order[owner]:
        ctx.problems.add(
            where, f"names {condition.question!r}, which is not asked before {owner!r}"
        )
        return
    if condition.op == "answered":
        return
    if condition.op in ("before", "after"):
        if is_when or not owner:
            ctx.problems.add(
                where,
                f"'{condition.op}' compares with the day the answers are judged, so only a rule"
                " may use it",
            )
        else:
            _check_kind_takes(condition.op, target, where, ctx)
        return
    if condition.op == "mentions":
        _check_kind_takes(condition.op, target, where, ctx)
        return
    if condition.op == "contains":
        if not _check_kind_takes(condition.op, target, where, ctx):
            return
        values: tuple[object, ...] = (condition.value,)
    elif condition.op == "one_of":
        assert isinstance(condition.value, tuple)
        values = condition.value
    else:
        values = (condition.value,)
    for value in values:
        try:
            check_comparable(target, value)
        except AnswerError as exc:
            ctx.problems.add(where, f"compares {target.id} with {value!r}: {exc}")


def _check_kind_takes(op: str, target: Question, where: str, ctx: _Context) -> bool:
    """Whether a condition with ``op`` may look at ``target``'s kind of answer (the table of kinds
    says); when it may not, the problem is added."""
    if op in qtypes.spec(target.type).ops:
        return True
    needs = " or ".join(kind.value for kind in qtypes.kinds_comparing(op))
    ctx.problems.add(where, f"'{op}' needs a {needs} question; {target.id} is {target.type}")
    return False

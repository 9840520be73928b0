"""JSON Schemas (draft 2020-12) for checklists and records, derived from the models.

TOML editors that read JSON Schema (Taplo, Even Better TOML) then check files as people type. TOML dates
map to strings with ``format: date`` / ``date-time``, as those editors map them. The checklist schema
takes its enumerations from the model enums; the record schema is generated from a checklist model: each
question's answer gets its exact type, choices and lengths, so a wrong choice is flagged in the editor.
"""

from __future__ import annotations

from typing import Any

from smcheck import qtypes
from smcheck.checklist import (
    MAX_GRACE_DAYS,
    MAX_PATTERN_LENGTH,
    Applies,
    Checklist,
    Level,
    QType,
    Question,
)
from smcheck.outcome import Status

DIALECT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]


def _strict(properties: Schema, required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


_STRING: Schema = {"type": "string", "minLength": 1}
_STRINGS: Schema = {"type": "array", "items": {"type": "string"}}
_ID_REFS: Schema = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[A-Z0-9]+(-[A-Z0-9]+)*$"},
}
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAINS: Schema = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {"type": "string", "maxLength": 253, "pattern": f"^{_LABEL}(\\.{_LABEL})+$"},
}
"""Email domains (``validate.domains``, ``[signoff] email_domains``), as the linter reads them."""


def _condition() -> Schema:
    value: Schema = {"type": ["boolean", "string", "array"]}
    comparisons = {
        op: _strict({"question": {"type": "string"}, op: value}, ["question", op])
        for op in ("equals", "not_equals", "one_of", "contains")
    }
    comparisons["answered"] = _strict(
        {"question": {"type": "string"}, "answered": {"type": "boolean"}}, ["question", "answered"]
    )
    comparisons["mentions"] = _strict(
        {"question": {"type": "string"}, "mentions": {**_STRINGS, "minItems": 1}},
        ["question", "mentions"],
    )
    day: Schema = {"anyOf": [{"const": "today"}, {"type": "string", "format": "date"}]}
    for op in ("before", "after"):
        comparisons[op] = _strict({"question": {"type": "string"}, op: day}, ["question", op])
    return {
        "oneOf": [
            *comparisons.values(),
            _strict(
                {"all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}}},
                ["all"],
            ),
            _strict(
                {"any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}}},
                ["any"],
            ),
            _strict({"not": {"$ref": "#/$defs/condition"}}, ["not"]),
        ]
    }


def checklist_schema() -> Schema:
    """The schema of a checklist file."""
    date_bound: Schema = {"anyOf": [{"const": "today"}, {"type": "string", "format": "date"}]}
    validators = _strict(
        {
            "min_length": {"type": "integer", "minimum": 0},
            "max_length": {"type": "integer", "minimum": 0},
            "pattern": {"type": "string", "minLength": 1, "maxLength": MAX_PATTERN_LENGTH},
            "pattern_hint": {"type": "string"},
            "domains": _DOMAINS,
            "schemes": _STRINGS,
            "min": date_bound,
            "max": date_bound,
            "min_items": {"type": "integer", "minimum": 0},
            "max_items": {"type": "integer", "minimum": 0},
            "differs_from": _STRINGS,
            "differs_hint": _STRING,
        }
    )
    rule = _strict(
        {
            "id": _STRING,
            "level": {"enum": [level.value for level in Level]},
            "when": {"$ref": "#/$defs/condition"},
            "message": _STRING,
            "action": _STRING,
            "clauses": _ID_REFS,
            "refer_to": _STRING,
            "explained_by": _STRING,
        },
        ["id", "level", "when", "message", "action"],
    )
    wording = _strict(
        {"when": {"$ref": "#/$defs/condition"}, "prompt": _STRING, "help": {"type": "string"}},
        ["when"],
    )
    normalize = _strict({"prefix": _STRING, "when": {"$ref": "#/$defs/condition"}}, ["prefix"])
    derive = _strict({"when": {"$ref": "#/$defs/condition"}, "value": {}}, ["when", "value"])
    question = _strict(
        {
            "id": {
                "type": "string",
                "pattern": "^[a-z0-9]+(_[a-z0-9]+)*(\\.[a-z0-9]+(_[a-z0-9]+)*)+$",
            },
            "type": {"enum": [kind.value for kind in QType]},
            "prompt": _STRING,
            "help": {"type": "string"},
            "clauses": _ID_REFS,
            "required": {"type": "boolean"},
            "default": {},
            "choices": {
                "type": "array",
                "items": _strict(
                    {"value": _STRING, "label": _STRING, "was": _STRING}, ["value", "label"]
                ),
            },
            "validate": validators,
            "when": {"$ref": "#/$defs/condition"},
            "rules": {"type": "array", "items": rule},
            "wording": {"type": "array", "items": wording},
            "normalize": normalize,
            "derive": {"type": "array", "items": derive},
            # Of the question's own type, like default (the linter checks it against the question).
            "renewal": {},
        },
        ["id", "type", "prompt", "clauses"],
    )
    section = _strict(
        {
            "id": {"type": "string", "pattern": "^[a-z0-9]+(_[a-z0-9]+)*$"},
            "title": _STRING,
            "intro": {"type": "string"},
            "clauses": _ID_REFS,
            "questions": {"type": "array", "minItems": 1, "items": question},
        },
        ["id", "title", "questions"],
    )
    return {
        "$schema": DIALECT,
        "$id": "https://smcheck.invalid/schema/checklist.json",
        "title": "smcheck checklist",
        "$defs": {"condition": _condition()},
        **_strict(
            {
                "format": {"const": 1},
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "version": _STRING,
                "title": _STRING,
                "review_months": {"type": "integer", "minimum": 1, "maximum": 60},
                "effective": {"type": "string", "format": "date"},
                "grace_days": {"type": "integer", "minimum": 0, "maximum": MAX_GRACE_DAYS},
                "name_from": _STRINGS,
                "retired": _STRINGS,
                "policy": _strict(
                    {
                        "title": _STRING,
                        "owner": _STRING,
                        "source": _STRING,
                        "url": {"type": "string"},
                        "reviewer": _STRING,
                    },
                    ["title", "owner", "source"],
                ),
                "clauses": {
                    "type": "array",
                    "items": _strict(
                        {
                            "id": {"type": "string", "pattern": "^[A-Z0-9]+(-[A-Z0-9]+)*$"},
                            "applies": {"enum": [a.value for a in Applies]},
                            "text": _STRING,
                        },
                        ["id", "applies", "text"],
                    ),
                },
                "declaration": _strict({"text": _STRING}, ["text"]),
                "signoff": _strict(
                    {
                        "email_domains": _DOMAINS,
                        "prefill": _strict(
                            {
                                "who": _STRING,
                                "name": _STRING,
                                "email": _STRING,
                                "role": _STRING,
                                "department": _STRING,
                            },
                            ["who", "name", "email"],
                        ),
                    }
                ),
                "cosign": {
                    "type": "array",
                    "items": _strict(
                        {
                            "role": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                            "title": _STRING,
                            "when": {"$ref": "#/$defs/condition"},
                            "clauses": _ID_REFS,
                        },
                        ["role", "title", "when", "clauses"],
                    ),
                },
                "register": {
                    "type": "array",
                    "items": _strict(
                        {"label": _STRING, "question": _STRING}, ["label", "question"]
                    ),
                },
                "sections": {"type": "array", "minItems": 1, "items": section},
            },
            ["format", "id", "version", "title", "policy", "clauses", "declaration", "sections"],
        ),
        # A grace period counts from the day the version takes effect (as the loader says).
        "dependentRequired": {"grace_days": ["effective"]},
    }


def _answer(question: Question) -> Schema:
    """The schema of one answer, from its question (its kind's fragment, :mod:`smcheck.qtypes`)."""
    return {**qtypes.spec(question.type).schema(question), "description": question.prompt}


SCHEMA_BASE = "https://raw.githubusercontent.com/essex-digital/smcheck/main/smcheck/data/schemas"
"""Where the shipped checklists' answers schemas are published (``smcheck/data/schemas/`` in the
repository, shipped in the package too), for the
``#:schema`` directive ``checklist template`` writes, which Taplo and Even Better TOML follow."""


def answers_schema_url(checklist: Checklist) -> str:
    """The published address of a checklist's answers schema (``smcheck/data/schemas/answers-ID.schema.json``)."""
    return f"{SCHEMA_BASE}/answers-{checklist.id}.schema.json"


def _sections(checklist: Checklist) -> Schema:
    sections: Schema = {}
    for section in checklist.sections:
        properties = {q.id.split(".", 1)[1]: _answer(q) for q in section.questions}
        sections[section.id] = {**_strict(properties), "description": section.title}
    return sections


def answers_schema(checklist: Checklist) -> Schema:
    """The schema of an answers file for ``checklist`` (``smcheck new --answers FILE``): the file people
    edit by hand. Each answer is typed and checked as the record's are (choices, lengths, patterns,
    email domains); which answers a file needs depends on its other answers, which ``smcheck new``
    checks, so no answer is required here."""
    from smcheck.signoff import signoff_questions

    signoff: Schema = {}
    for question in signoff_questions(checklist):
        field = {"type": "string", "minLength": 1, "maxLength": question.validate.max_length or 200}
        if question.type is QType.EMAIL:
            field.update(qtypes.email_schema(question.validate.domains))
        signoff[question.id.rsplit(".", 1)[1]] = {**field, "description": question.prompt}
    signoff["agree"] = {
        "type": "boolean",
        "description": "true makes the checklist's declaration (or pass --agree)",
    }
    return {
        "$schema": DIALECT,
        "$id": answers_schema_url(checklist),
        "title": f"smcheck answers for checklist {checklist.id} {checklist.version}",
        **_strict(
            {
                "checklist": {"const": checklist.id},
                "answers": _strict(_sections(checklist)),
                "signoff": _strict(signoff),
            },
            ["answers"],
        ),
    }


def record_schema(checklist: Checklist) -> Schema:
    """The schema of a record made against ``checklist`` (content and signatures part alike)."""
    sections = _sections(checklist)
    finding = _strict(
        {
            "rule": _STRING,
            "level": {"enum": [level.value for level in Level]},
            "question": _STRING,
            "message": _STRING,
            "action": _STRING,
            "clauses": _STRINGS,
            "refer_to": _STRING,
            "explained_by": _STRING,
        },
        ["rule", "level", "question", "message", "action", "clauses"],
    )
    hex64: Schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
    return {
        "$schema": DIALECT,
        "$id": f"https://smcheck.invalid/schema/record-{checklist.id}.json",
        "title": f"smcheck record for checklist {checklist.id} {checklist.version}",
        **_strict(
            {
                "record": _strict(
                    {
                        "schema": {"const": 1},
                        "id": {"type": "string", "format": "uuid"},
                        "created": {"type": "string", "format": "date-time"},
                        "smcheck_version": _STRING,
                        "review_by": {"type": "string", "format": "date"},
                    },
                    ["schema", "id", "created", "smcheck_version", "review_by"],
                ),
                "checklist": _strict(
                    {"id": {"const": checklist.id}, "version": _STRING, "sha256": hex64},
                    ["id", "version", "sha256"],
                ),
                "answers": _strict(sections),
                "outcome": _strict(
                    {
                        "status": {"enum": [s.value for s in Status]},
                        "actions": {"type": "array", "items": finding},
                    },
                    ["status", "actions"],
                ),
                "signoff": _strict(
                    {
                        "name": _STRING,
                        "email": {
                            "type": "string",
                            **qtypes.email_schema(checklist.signoff.email_domains),
                        },
                        "role": _STRING,
                        "department": _STRING,
                        "declaration": {"const": checklist.declaration},
                    },
                    ["name", "email", "role", "department", "declaration"],
                ),
                "signature": {
                    "type": "array",
                    "items": _strict(
                        {
                            "method": {"enum": ["sha256", "sshsig"]},
                            "digest": hex64,
                            "role": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                            "statement": {"type": "string"},
                            "sshsig": {"type": "string", "pattern": "^[A-Za-z0-9+/]+={0,2}$"},
                        },
                        ["method"],
                    ),
                },
            },
            ["record", "checklist", "answers", "outcome", "signoff", "signature"],
        ),
    }


def register_row_schema() -> Schema:
    """The schema of one register row: ``status --format json``'s ``channels`` items, and ``verify
    --format json``'s ``register`` object (both :func:`smcheck.register.row_json`)."""
    from smcheck.register import STATES

    text_or_null: Schema = {"type": ["string", "null"]}
    return _strict(
        {
            "channel": {
                **text_or_null,
                "description": "The channel's name; null for an invalid row.",
            },
            "name": {
                **text_or_null,
                "description": "The channel's name as the file writes it (also what an invalid file"
                " claims), null when it names none.",
            },
            "platform": {**text_or_null, "description": "The platform, by its label."},
            "handle": text_or_null,
            "department": text_or_null,
            "path": {"type": "string"},
            "state": {
                "enum": [state.value for state in STATES],
                "description": "The register's state: verify's, with an approved record's review"
                " overdue or due within 30 days said as review-overdue or review-due.",
            },
            "review_by": {"type": ["string", "null"], "format": "date"},
            "columns": {"type": "object", "additionalProperties": {"type": "string"}},
            "detail": {"type": "string", "description": "Who must act next and why, in words."},
            "acting": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "description": "The roles that must act (proposer, reviewer, a co-signer role),"
                " the first first; empty when nobody need act.",
            },
            "notes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Every warning, every decision's comment, the channel's other files.",
            },
            "rereview_under": text_or_null,
            "folder_not_searched": {"type": "boolean"},
        },
        [
            "channel",
            "name",
            "platform",
            "handle",
            "department",
            "path",
            "state",
            "review_by",
            "columns",
            "detail",
            "acting",
            "notes",
            "rereview_under",
            "folder_not_searched",
        ],
    )


def report_schema() -> Schema:
    """The schema of what ``verify --format json`` prints (an array of these objects) and ``--format
    jsonl`` prints (one per line): a record verify checked, or a file or folder it could not open."""
    from smcheck.trust.policy import State
    from smcheck.verify import Verdict

    verdicts: Schema = {"enum": [v.value for v in Verdict]}
    check = _strict(
        {"check": _STRING, "status": verdicts, "code": _STRING, "message": {"type": "string"}},
        ["check", "status", "code", "message"],
    )
    signature = _strict(
        {
            "role": {"type": ["string", "null"]},
            "principal": {"type": ["string", "null"]},
            "fingerprint": {"type": ["string", "null"]},
            "trust": {"type": "string"},
            "message": {"type": "string"},
            "required": {"type": "boolean"},
            "decision": {"type": "string"},
            "approver": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
        },
        ["role", "principal", "fingerprint", "trust", "message", "required"],
    )
    finding = _strict(
        {
            "check": _STRING,
            "status": verdicts,
            "code": _STRING,
            "message": {"type": "string"},
            "where": {"type": ["string", "null"]},
        },
        ["check", "status", "code", "message", "where"],
    )
    warning: Schema = {
        "type": "object",
        "properties": {
            "code": {
                "enum": [
                    "repeated-record-id",
                    "repeated-channel",
                    "copies-together",
                    "copies-conflict",
                ]
            },
            "message": {"type": "string"},
            "other": {"type": "string"},
            "others": _STRINGS,
            "state": {"type": "string"},
            "merge_command": {"type": "string"},
        },
        "required": ["code", "message"],
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "$id": "https://smcheck.invalid/schema/verify-report.json",
        "title": "smcheck verify --format json (each item) and --format jsonl (each line)",
        **_strict(
            {
                "path": {"type": "string"},
                "valid": {"type": "boolean"},
                "state": {"enum": [s.value for s in State]},
                "record_id": {"type": ["string", "null"]},
                "checks": {"type": "array", "items": check},
                "signatures": {"type": "array", "items": signature},
                "findings": {"type": "array", "items": finding},
                "warnings": {"type": "array", "items": warning},
                "restore_command": {"type": "string"},
                "rereview_under": {"type": "string"},
                "error": {
                    "type": "string",
                    "description": "Why a file (or folder) could not be opened: then no checks.",
                },
                "folder_not_searched": {"type": "boolean"},
                "register": register_row_schema(),
            },
            ["path", "valid", "state", "register"],
        ),
    }

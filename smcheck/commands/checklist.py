"""``smcheck checklist list|show|lint|template``: for reviewers and for policy owners writing their own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from smcheck import console, qtypes, registry
from smcheck.checklist import Checklist, Question, describe, format_value
from smcheck.choices import TextFormat, choose
from smcheck.errors import FileProblem
from smcheck.loader import FORMAT_HINT, lint_checklist


def run_list(
    *, fmt: TextFormat | None = None, aliases: Mapping[str, TextFormat] | None = None
) -> int:
    """List the shipped checklists, as text or JSON (``fmt``, or the hidden ``--json`` in
    ``aliases``)."""
    json_out = choose(fmt, TextFormat.TEXT, aliases or {}) is TextFormat.JSON
    checklists = registry.shipped()
    if json_out:
        console.print_json(
            [
                {
                    "id": c.id,
                    "version": c.version,
                    "title": c.title,
                    "questions": len(c.questions),
                    "sha256": c.sha256,
                    "path": str(c.path),
                }
                for c in checklists
            ]
        )
        return 0
    for c in checklists:
        console.show_lines(
            [f"{c.id}  {c.version}  {c.title}  ({len(c.questions)} questions)"], out=True
        )
    return 0


def _question_json(q: Question) -> dict[str, object]:
    v = q.validate
    validators = {
        key: value
        for key, value in (
            ("min_length", v.min_length),
            ("max_length", v.max_length),
            ("pattern", v.pattern),
            ("domains", list(v.domains) or None),
            ("schemes", list(v.schemes) if "schemes" in qtypes.spec(q.type).validators else None),
            ("min", v.min_date if v.min_date is None or v.min_date == "today" else str(v.min_date)),
            ("max", v.max_date if v.max_date is None or v.max_date == "today" else str(v.max_date)),
            ("min_items", v.min_items),
            ("max_items", v.max_items),
            ("differs_from", list(v.differs_from) or None),
        )
        if value is not None
    }
    return {
        "id": q.id,
        "type": q.type.value,
        "prompt": q.prompt,
        "help": q.help,
        "required": q.required,
        "default": format_value(q.default) if q.default is not None else None,
        "choices": [{"value": c.value, "label": c.label} for c in q.choices],
        "validate": validators,
        "when": describe(q.when) if q.when is not None else None,
        "clauses": list(q.clauses),
        "rules": [
            {
                "id": r.id,
                "level": r.level.value,
                "when": describe(r.when),
                "message": r.message,
                "action": r.action,
                "clauses": list(r.clauses),
                "refer_to": r.refer_to,
                "explained_by": r.explained_by,
            }
            for r in q.rules
        ],
        "wording": [
            {"when": describe(w.when), "prompt": w.prompt, "help": w.help} for w in q.wording
        ],
        "derive": [{"when": describe(d.when), "value": format_value(d.value)} for d in q.derive],
        "normalize": (
            {
                "prefix": v.prefix,
                "when": describe(v.prefix_when) if v.prefix_when is not None else None,
            }
            if v.prefix
            else None
        ),
    }


def run_show(
    ref: str, *, fmt: TextFormat | None = None, aliases: Mapping[str, TextFormat] | None = None
) -> int:
    """Every section and question with its id, type, choices, condition, clause ids and rules, as
    text or JSON (``fmt``, or the hidden ``--json`` in ``aliases``)."""
    json_out = choose(fmt, TextFormat.TEXT, aliases or {}) is TextFormat.JSON
    checklist = registry.resolve(ref)
    if json_out:
        console.print_json(
            {
                "id": checklist.id,
                "version": checklist.version,
                "title": checklist.title,
                "sha256": checklist.sha256,
                "review_months": checklist.review_months,
                "policy": checklist.policy._asdict(),
                "clauses": [
                    {"id": c.id, "applies": c.applies.value, "text": c.text}
                    for c in checklist.clauses
                ],
                "declaration": checklist.declaration,
                "sections": [
                    {
                        "id": s.id,
                        "title": s.title,
                        "clauses": list(s.clauses),
                        "questions": [_question_json(q) for q in s.questions],
                    }
                    for s in checklist.sections
                ],
            }
        )
        return 0
    lines = [
        f"{checklist.id} {checklist.version}: {checklist.title}",
        f"sha256 {checklist.sha256}",
        "",
    ]
    for number, section in enumerate(checklist.sections, start=1):
        lines.append(f"{number}. {section.title} [{section.id}]")
        for q in section.questions:
            data = _question_json(q)
            lines.append(f"   {q.id}  ({q.type}{'' if q.required else ', optional'})  {q.prompt}")
            if q.choices:
                lines.append("       choices: " + ", ".join(c.value for c in q.choices))
            if q.when is not None:
                lines.append(f"       asked when: {data['when']}")
            if q.clauses:
                lines.append("       clauses: " + ", ".join(q.clauses))
            if q.validate.differs_from:
                lines.append("       must differ from: " + ", ".join(q.validate.differs_from))
            if q.validate.prefix:
                when = q.validate.prefix_when
                lines.append(
                    f"       starts with {q.validate.prefix!r}"
                    + (f" when {describe(when)}" if when is not None else "")
                )
            for variant in q.wording:
                lines.append(f"       worded differently when {describe(variant.when)}")
            for derivation in q.derive:  # not asked then: earlier answers give it
                lines.append(
                    f"       filled in as {format_value(derivation.value)}"
                    f" when {describe(derivation.when)}"
                )
            for rule in q.rules:
                lines.append(f"       {rule.level.value} {rule.id}: when {describe(rule.when)}")
                if rule.explained_by:
                    lines.append(f"         explained in {rule.explained_by}")
        lines.append("")
    console.show_lines(lines, out=True)
    return 0


def run_lint(path: Path) -> int:
    """Check a checklist file; print every problem with its place; exit 1 when there are any."""
    problems = lint_checklist(path)
    if problems:
        console.show_lines(problems)
        raise FileProblem(
            str(path),
            problems,
            hint=FORMAT_HINT,
        )
    console.say(f"{path}: OK", style="green")
    return 0


def _example(q: Question) -> str:
    if q.default is not None:
        return _toml_value(q.default)
    return qtypes.spec(q.type).example(q)


def _toml_value(value: object) -> str:
    import tomli_w

    return tomli_w.dumps({"v": list(value) if isinstance(value, tuple) else value})[4:].strip()


def _comment(text: str) -> list[str]:
    return ["# " + line if line else "#" for line in text.strip().splitlines()]


def template(checklist: Checklist) -> str:
    """A commented answers file to fill in: every question, its guidance, type, choices and condition."""
    from smcheck.schema import answers_schema_url

    # Taplo and Even Better TOML check the file against the schema as it is typed (`#:schema`);
    # a checklist of one's own gets no directive: its schema is `smcheck schema answers -c FILE`.
    directive = (
        [f"#:schema {answers_schema_url(checklist)}"] if registry.is_shipped(checklist) else []
    )
    out = [
        *directive,
        f"# Answers for checklist {checklist.id} {checklist.version}: {checklist.title}",
        "# Fill in each answer (remove the leading '# ' of its line), leave out the questions whose",
        "# 'Asked only when' does not hold, then run:  smcheck new --answers THIS-FILE",
        "",
        f'checklist = "{checklist.id}"',
    ]
    for section in checklist.sections:
        out += ["", f"[answers.{section.id}]", f"# ---- {section.title} ----"]
        for q in section.questions:
            name = q.id.split(".", 1)[1]
            out.append("")
            out += _comment(q.prompt)
            if q.help:
                out += _comment(q.help)
            kind = qtypes.spec(q.type).described
            out.append(f"# Type: {kind}{'' if q.required else ' (optional)'}")
            if q.choices:
                out.append(
                    "# Choices: "
                    + ", ".join(f"{json.dumps(c.value)} ({c.label})" for c in q.choices)
                )
            if q.when is not None:
                out.append(f"# Asked only when: {describe(q.when)}")
            for derivation in q.derive:
                out.append(
                    f"# Leave it out when {describe(derivation.when)}:"
                    f" it is filled in as {format_value(derivation.value)}"
                )
            if q.clauses:
                out.append("# Policy: " + ", ".join(q.clauses))
            out.append(f"# {name} = {_example(q)}")
    out += ["", "[signoff]"]
    out += _comment(checklist.declaration)
    out += [
        '# name = ""',
        '# email = ""',
        '# role = ""',
        '# department = ""',
        "# agree = true    # true makes the declaration above",
    ]
    return "\n".join(out) + "\n"


def run_template(ref: str) -> int:
    """Print the template on stdout."""
    import sys

    sys.stdout.write(template(registry.resolve(ref)))
    return 0

"""``smcheck schema KIND``: JSON Schemas for editors."""

from __future__ import annotations

from typing import assert_never

from smcheck import console, registry
from smcheck.choices import SchemaKind


def run(kind: SchemaKind, *, checklist_ref: str) -> int:
    """Print the schema of checklists, or of records or answers files for one checklist."""
    from smcheck.schema import answers_schema, checklist_schema, record_schema

    match kind:
        case SchemaKind.CHECKLIST:
            console.print_json(checklist_schema())
        case SchemaKind.RECORD:
            console.print_json(record_schema(registry.resolve(checklist_ref)))
        case SchemaKind.ANSWERS:
            console.print_json(answers_schema(registry.resolve(checklist_ref)))
        case SchemaKind.REPORT:
            from smcheck.schema import report_schema

            console.print_json(report_schema())
        case _:
            assert_never(kind)
    return 0

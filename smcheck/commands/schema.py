"""``smcheck schema checklist|record``: JSON Schemas for editors."""

from __future__ import annotations

from smcheck import console, registry
from smcheck.errors import UsageError


def run(kind: str, *, checklist_ref: str) -> int:
    """Print the schema of checklists, or of records made against one checklist."""
    from smcheck.schema import checklist_schema, record_schema

    if kind == "checklist":
        console.print_json(checklist_schema())
    elif kind == "record":
        console.print_json(record_schema(registry.resolve(checklist_ref)))
    else:
        raise UsageError(f"smcheck schema takes checklist or record, not {kind!r}")
    return 0

"""smcheck schema: the JSON Schemas accept what smcheck writes and refuse what it refuses."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
from helpers.desk import open_desk, runner
from helpers.records import DATA, ROOT, make_record_bytes

from smcheck.cli import app
from smcheck.layout import MARKER


def as_json(value: Any) -> Any:
    """TOML data as a TOML editor hands it to JSON Schema: dates and times become strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_of(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["schema", *args])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    return sorted(e.message for e in validator(schema).iter_errors(as_json(data)))


def test_the_shipped_and_the_tiny_checklists_are_valid() -> None:
    schema = schema_of("checklist")
    for path in [*sorted((ROOT / "checklists").glob("*.toml")), DATA / "tiny.toml"]:
        assert errors(schema, tomllib.loads(path.read_text())) == [], path


def test_the_checklist_schema_refuses_what_the_linter_refuses() -> None:
    schema = schema_of("checklist")
    data = tomllib.loads((DATA / "tiny.toml").read_text())
    data["sections"][0]["questions"][0]["colour"] = "red"
    data["sections"][0]["questions"][1]["type"] = "boolean"
    data["sections"][0]["questions"][2]["rules"][0]["when"] = "club.has_owner == false"
    found = errors(schema, data)
    assert any("'colour' was unexpected" in e for e in found)
    assert any("'boolean' is not one of" in e for e in found)
    assert len(found) == 3


def test_records_signed_and_approved_are_valid(tmp_path: Path) -> None:
    schema = schema_of("record")
    unsigned = tomllib.loads(make_record_bytes().decode())
    assert errors(schema, unsigned) == []
    for desk in open_desk(tmp_path):
        record = desk.new()
        assert desk.approve(record, "reviewer")[0] == 0
        assert errors(schema, tomllib.loads(record.read_text())) == []


def test_the_record_schema_knows_each_questions_answer() -> None:
    schema = schema_of("record")
    text = make_record_bytes().decode()
    data = tomllib.loads(text)
    data["answers"]["channel"]["platform"] = "myspace"
    data["answers"]["administrator"]["accepts"] = "yes"
    data["answers"]["channel"]["colour"] = "red"
    found = errors(schema, data)
    assert "'myspace' is not one of" in " ".join(found)
    assert "'yes' is not of type 'boolean'" in found
    assert any("'colour' was unexpected" in e for e in found)
    assert MARKER.decode().strip() in text  # the marker is a comment: editors see one TOML document


def test_schema_for_another_checklist_and_a_bad_kind() -> None:
    schema = schema_of("record", "--checklist", str(DATA / "tiny.toml"))
    assert schema["properties"]["checklist"]["properties"]["id"] == {"const": "tiny-club"}
    assert set(schema["properties"]["answers"]["properties"]) == {"club", "web"}
    assert runner.invoke(app, ["schema", "registers"]).exit_code == 2


def test_the_checklist_schema_knows_the_signoff_rule() -> None:
    schema = schema_of("checklist")
    assert "signoff" in schema["properties"]
    data = tomllib.loads((DATA / "tiny.toml").read_text())
    data["signoff"] = {"email_domains": ["example.ac.uk"]}
    assert errors(schema, data) == []
    data["signoff"] = {"email_domains": ["@example.ac.uk"], "who": "staff"}
    found = errors(schema, data)
    assert any("'who' was unexpected" in e for e in found)
    assert any("'@example.ac.uk' does not match" in e for e in found)
    data["signoff"] = {"email_domains": []}
    assert errors(schema, data) == ["[] should be non-empty"]
    del data["signoff"]
    data["sections"][0]["questions"][0]["validate"]["pattern"] = "a" * 501
    assert len(errors(schema, data)) == 1


def test_the_record_schema_follows_the_signoff_rule() -> None:
    schema = schema_of("record")
    data = tomllib.loads(make_record_bytes().decode())
    for accepted in ("h.marsh@essex.ac.uk", "H.Marsh@History.ESSEX.ac.uk"):
        data["signoff"]["email"] = accepted
        assert errors(schema, data) == [], accepted
    for refused in ("helen.marsh@gmail.com", "h@notessex.ac.uk", "h@essex.ac.uk.example.com"):
        data["signoff"]["email"] = refused
        assert len(errors(schema, data)) == 1, refused
    # The tiny checklist has no rule: any address.
    tiny = schema_of("record", "--checklist", str(DATA / "tiny.toml"))
    assert "pattern" not in tiny["properties"]["signoff"]["properties"]["email"]

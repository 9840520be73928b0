"""The answers file's JSON Schema (``smcheck schema answers``), the one people edit by hand: generated
from the checklist, published in ``smcheck/data/schemas/``, named by ``checklist template``'s ``#:schema`` line."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.records import EXAMPLE_ANSWERS, ROOT
from jsonschema import Draft202012Validator, FormatChecker
from typer.testing import CliRunner

from smcheck.checklist import Checklist
from smcheck.cli import app
from smcheck.commands.checklist import template
from smcheck.schema import answers_schema, answers_schema_url

runner = CliRunner()
PUBLISHED = ROOT / "smcheck" / "data" / "schemas" / "answers-essex-social-media.schema.json"


def as_json(value: Any) -> Any:
    """TOML values as JSON sees them (dates as ISO strings, as Taplo gives them to a schema)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def problems(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [e.message for e in validator.iter_errors(as_json(document))]


def test_the_schema_is_valid_and_the_published_copy_is_current(essex: Checklist) -> None:
    schema = answers_schema(essex)
    Draft202012Validator.check_schema(schema)
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == schema, (
        "regenerate it: smcheck schema answers > smcheck/data/schemas/answers-essex-social-media.schema.json"
    )
    result = runner.invoke(app, ["schema", "answers"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == schema


def test_the_shipped_example_answers_file_is_valid(essex: Checklist) -> None:
    document = tomllib.loads(EXAMPLE_ANSWERS.read_text(encoding="utf-8"))
    assert problems(answers_schema(essex), document) == []


def test_a_template_filled_in_is_valid_and_names_the_schema(essex: Checklist) -> None:
    text = template(essex)
    assert text.splitlines()[0] == f"#:schema {answers_schema_url(essex)}"
    example = tomllib.loads(EXAMPLE_ANSWERS.read_text(encoding="utf-8"))
    section = ""
    filled: list[str] = []
    for line in text.splitlines():
        if match := re.fullmatch(r"\[answers\.(\w+)\]", line):
            section = match.group(1)
        elif match := re.fullmatch(r"# (\w+) = .*", line):
            answers = example["answers"].get(section, {})
            if match.group(1) in answers:
                value = tomli_w.dumps({match.group(1): answers[match.group(1)]}).strip()
                line = value
        filled.append(line)
    document = tomllib.loads("\n".join(filled))
    assert document["answers"]["channel"]["platform"] == "instagram"
    assert problems(answers_schema(essex), document) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"answers": {"administrator": {"accepts": "yes"}}}, "'yes' is not of type 'boolean'"),
        ({"answers": {"channel": {"colour": "red"}}}, "Additional properties are not allowed"),
        ({"answers": {"channel": {"platform": "myspace"}}}, "'myspace' is not one of"),
        ({"answers": {"channel": {"audiences": ["alumni", "aliens"]}}}, "'aliens' is not one of"),
        ({"answers": {"administrator": {"email": "h@gmail.com"}}}, "does not match"),
        ({"signoff": {"agree": "true"}}, "'true' is not of type 'boolean'"),
        ({"checklist": "another-checklist"}, "was expected"),
        ({"answers": {"typo": {}}}, "Additional properties are not allowed"),
    ],
)
def test_the_schema_refuses_what_new_refuses(
    essex: Checklist, change: dict[str, Any], expected: str
) -> None:
    document = tomllib.loads(EXAMPLE_ANSWERS.read_text(encoding="utf-8"))
    for key, value in change.items():
        if isinstance(value, dict):
            for inner, fields in value.items():
                document.setdefault(key, {}).setdefault(inner, {})
                if isinstance(fields, dict):
                    document[key][inner].update(fields)
                else:
                    document[key][inner] = fields
        else:
            document[key] = value
    found = problems(answers_schema(essex), document)
    assert any(expected in p for p in found), found


def test_taplo_checks_an_answers_file_against_the_schema(tmp_path: Path) -> None:
    if shutil.which("taplo") is None:
        # CI installs Taplo from the npm registry and sets SMCHECK_NEEDS_TAPLO: there, no skip.
        if os.environ.get("SMCHECK_NEEDS_TAPLO"):
            pytest.fail("SMCHECK_NEEDS_TAPLO is set, but taplo is not on PATH")
        pytest.skip("needs Taplo (npm install -g @taplo/cli)")
    good = tmp_path / "good.toml"
    good.write_text(
        f"#:schema {PUBLISHED.as_uri()}\n" + EXAMPLE_ANSWERS.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text(encoding="utf-8").replace("accepts = true", 'accepts = "yes"'))
    ok = subprocess.run(["taplo", "check", str(good)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    refused = subprocess.run(
        ["taplo", "check", str(bad)], capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0

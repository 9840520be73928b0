"""smcheck diff: what changed between two records of one channel."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.records import EXAMPLE_ANSWERS
from typer.testing import CliRunner

from smcheck.cli import app

runner = CliRunner()
EXAMPLE = EXAMPLE_ANSWERS.read_text(encoding="utf-8")


def make(tmp_path: Path, name: str, text: str = EXAMPLE) -> Path:
    answers = tmp_path / f"{name}.answers.toml"
    answers.write_text(text, encoding="utf-8")
    output = tmp_path / f"{name}.smcheck.toml"
    result = runner.invoke(app, ["new", "--answers", str(answers), "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output


def test_a_resubmission_shows_changed_answers_and_outcome(tmp_path: Path) -> None:
    old = make(tmp_path, "old")
    # No deputy named: "Is there a deputy?" is filled in as no, and the cover plan is asked.
    changed = "\n".join(
        line
        for line in EXAMPLE.splitlines()
        if not line.startswith(("deputy_name", "deputy_email"))
    ).replace(
        "accepts = true",
        'accepts = true\ncover_plan = "The head of department checks it when I am away."',
    )
    new = make(
        tmp_path, "new", changed.replace('frequency = "daily"', 'frequency = "weekly"') + "\n"
    )
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 1
    out = result.stdout
    assert "~ administrator.has_deputy (Is there a deputy who can run the channel" in out
    assert ": yes -> no" in out
    assert "- administrator.deputy_name" in out
    assert "~ monitoring.frequency" in out
    assert "outcome:" in out and "+ administrator.no-deputy" in out
    assert "~ status" in out and "ready -> ready-with-warnings" in out
    assert "different channels" not in out


def test_identical_answers_are_no_difference_and_json(tmp_path: Path) -> None:
    old, new = make(tmp_path, "a"), make(tmp_path, "b")
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    assert "no differences in answers, outcome or signatures" in result.stdout
    data = json.loads(runner.invoke(app, ["diff", "--json", str(old), str(new)]).stdout)
    assert data["changes"] == [] and data["same_channel"] is True


def test_another_channel_is_pointed_out(tmp_path: Path) -> None:
    old = make(tmp_path, "a")
    # Another handle and another web address: another channel.
    other = EXAMPLE.replace('handle = "@essexhistory"', 'handle = "@essexarchives"')
    new = make(tmp_path, "b", other.replace("/essexhistory/", "/essexarchives/"))
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 1
    assert "different channels" in result.stdout


def test_a_broken_record_is_one_clear_line(tmp_path: Path) -> None:
    old = make(tmp_path, "a")
    broken = tmp_path / "broken.smcheck.toml"
    broken.write_bytes(b"")
    result = runner.invoke(app, ["diff", str(old), str(broken)])
    assert result.exit_code == 1
    assert "broken.smcheck.toml: the file is empty" in result.output
    assert "Traceback" not in result.output

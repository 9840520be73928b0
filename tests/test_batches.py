"""verify on folders and batches: files found by suffix, bad files reported one by one, repeats noticed,
JSON lines streamed, counts by state (the folder report's shape: tests/test_folder_report.py)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers.records import make_record_bytes
from typer.testing import CliRunner

from smcheck.cli import app

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "register"
    (root / "history").mkdir(parents=True)
    (root / "history" / "instagram.smcheck.toml").write_bytes(make_record_bytes())
    (root / "empty.smcheck.toml").write_bytes(b"")
    (root / "notes.toml").write_text('title = "not a record, and not named like one"\n')
    (root / "plain.smcheck.toml").write_text('title = "named like a record, but is not one"\n')
    (root / "loop.smcheck.toml").symlink_to(root / "loop.smcheck.toml")
    (root / "back").symlink_to(root, target_is_directory=True)  # a folder loop: not followed
    return root


def test_a_folder_is_searched_for_records_and_bad_files_do_not_stop_the_rest(folder: Path) -> None:
    result = runner.invoke(app, ["verify", str(folder)])
    assert result.exit_code == 2  # the symlink loop cannot be opened
    out = result.stdout
    assert re.search(r"UNSIGNED +\S*history/instagram\.smcheck\.toml", out)
    assert "empty.smcheck.toml" in out and "the file is empty" in out
    assert "plain.smcheck.toml" in out and "not a complete record" in out
    assert "notes.toml" not in out  # only the documented suffix
    assert "loop.smcheck.toml" in result.stderr and "symbolic links" in result.stderr
    assert re.search(r"CANNOT OPEN +\S*loop\.smcheck\.toml", out)
    assert out.count("=> INVALID") == 2 and "=> VALID" not in out  # rows of the failing only
    assert "4 records: 2 invalid, 1 unsigned, 1 could not be opened" in out
    assert "Traceback" not in result.output


def test_the_same_record_twice_is_a_warning_naming_both_files(tmp_path: Path) -> None:
    first = tmp_path / "a.smcheck.toml"
    second = tmp_path / "b.smcheck.toml"
    first.write_bytes(make_record_bytes())
    second.write_bytes(make_record_bytes())
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 0
    assert f"{second}: same record id as {first}" in result.stdout
    assert f"{second}: same channel (instagram @essexhistory) as {first}" in result.stdout
    objects = [
        json.loads(line)
        for line in runner.invoke(app, ["verify", "--jsonl", str(tmp_path)]).stdout.splitlines()
    ]
    assert [o["path"] for o in objects] == [str(first), str(second)]
    assert objects[0]["warnings"] == []
    assert {w["code"] for w in objects[1]["warnings"]} == {"repeated-record-id", "repeated-channel"}
    assert all(w["other"] == str(first) for w in objects[1]["warnings"])


def test_jsonl_is_one_object_per_line_including_unreadable_files(folder: Path) -> None:
    result = runner.invoke(app, ["verify", "--jsonl", str(folder)])
    lines = result.stdout.splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == 4
    assert {o["valid"] for o in objects} == {True, False}
    assert any(o.get("error", "").startswith("cannot read") for o in objects)


def test_json_and_jsonl_together_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", "--json", "--jsonl", str(tmp_path)])
    assert result.exit_code == 2


def test_an_unreadable_folder_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        result = runner.invoke(app, ["verify", str(tmp_path)])
        assert result.exit_code == 2
        assert "locked" in result.stderr
    finally:
        locked.chmod(0o755)


def test_quiet_prints_only_invalid_records(tmp_path: Path) -> None:
    good = tmp_path / "good.smcheck.toml"
    good.write_bytes(make_record_bytes())
    result = runner.invoke(app, ["verify", "--quiet", str(good)])
    assert (result.exit_code, result.stdout) == (0, "")
    bad = tmp_path / "bad.smcheck.toml"
    bad.write_bytes(make_record_bytes().replace(b"Priya Shah", b"Priya Shaw"))
    result = runner.invoke(app, ["verify", "-q", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == f"INVALID {bad}: fails integrity\n"


@pytest.mark.pty
def test_a_large_batch_on_a_terminal_shows_progress_and_still_reports(tmp_path: Path) -> None:
    from helpers.terminal import start_terminal

    for number in range(25):
        (tmp_path / f"r{number:02}.smcheck.toml").write_bytes(make_record_bytes())
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "120"}
    terminal = start_terminal(["verify", str(tmp_path)], env=env, cwd=tmp_path)
    terminal.expect("25 records: 25 unsigned")
    assert terminal.finish() == 0
    assert "Verifying" in terminal.transcript  # the bar was drawn (and then removed)
    assert "Records, problems first" in terminal.transcript


def test_no_progress_bar_when_piped_or_small() -> None:
    from smcheck.formats.text import PROGRESS_FROM, progress

    assert progress(PROGRESS_FROM - 1) is None
    assert progress(1000) is None  # pytest captures stderr: not a terminal


def test_the_pre_commit_hooks_run_commands_that_exist(tmp_path: Path) -> None:
    """Each hook's entry is a real smcheck command line; pre-commit appends the changed files."""
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    entries = [
        line.split(":", 1)[1].strip()
        for line in hooks.splitlines()
        if line.strip().startswith("entry:")
    ]
    assert entries == [
        "smcheck verify --format quiet",
        "smcheck verify --format quiet --require signed",
    ]
    assert hooks.count(r"files: \.smcheck\.toml$") == 2
    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(make_record_bytes())
    result = runner.invoke(app, [*entries[0].split()[1:], str(record)])
    assert (result.exit_code, result.stdout) == (0, "")
    result = runner.invoke(app, [*entries[1].split()[1:], str(record)])
    assert result.exit_code == 1 and "fails signature" in result.stdout

"""smcheck export: a readable document of a record, with every untrusted string shown as itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.records import edit, make_record_bytes
from typer.testing import CliRunner

from smcheck.cli import app

runner = CliRunner()
HOSTILE = "<script>alert(1)</script> **bold** [x](http://evil) \x1b[31m\u202egnp.exe"


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(make_record_bytes())
    return path


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    # The TOML stays valid (escapes written as TOML escapes); the digest is resealed.
    toml_text = HOSTILE.replace("\x1b", "\\u001b").replace("\u202e", "\\u202e")
    data = edit(make_record_bytes(), b'name = "Essex History"', f'name = "{toml_text}"'.encode())
    path = tmp_path / "hostile.smcheck.toml"
    path.write_bytes(data)
    return path


def test_markdown_has_each_section_with_its_answers_and_clauses(record: Path) -> None:
    result = runner.invoke(app, ["export", str(record)])
    assert result.exit_code == 0
    md = result.stdout
    assert md.startswith("# University of Essex: official social media channel checklist\n")
    assert "**instagram @essexhistory**" in md
    for heading in (
        "## The record",
        "## The channel",
        "## Alumni and the Advancement Office",
        "## Outcome and actions",
        "## Sign-off",
        "## Signatures",
    ):
        assert heading in md
    assert "- **Which platform will the channel be on?**: Instagram" in md
    assert "*(Policy: GG-1)*" in md
    assert "not signed: integrity only" in md


def test_html_is_self_contained_and_has_no_scripts(record: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["export", str(record), "--format", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)\s*=\s*["\']?https?:', page, re.I)
    assert "default-src 'none'" in page
    assert "<dt>Which platform will the channel be on?</dt><dd>Instagram" in page
    # Never overwritten without --force.
    again = runner.invoke(app, ["export", str(record), "--format", "html", "--output", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_hostile_text_shows_as_itself(hostile: Path) -> None:
    page = runner.invoke(app, ["export", str(hostile), "--format", "html"]).stdout
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x1b" not in page and "\u202e" not in page
    assert "\\x1b[31m" in page and "\\u202e" in page
    md = runner.invoke(app, ["export", str(hostile)]).stdout
    assert "\\<script\\>" in md and "\\*\\*bold\\*\\*" in md and "\\[x\\](http://evil)" in md
    assert "\x1b" not in md and "\u202e" not in md


def test_unknown_format_and_broken_record(record: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", str(record), "--format", "pdf"]).exit_code == 2
    broken = tmp_path / "b.smcheck.toml"
    broken.write_bytes(b"")
    result = runner.invoke(app, ["export", str(broken)])
    assert result.exit_code == 1 and "the file is empty" in result.output


def test_a_draft_or_a_resaved_record_is_refused_with_what_to_do(
    record: Path, tmp_path: Path
) -> None:
    """export reads a file that is no record as verify and show do: a draft says how it is finished, a
    record an e-mail program gave a byte-order mark says the command that restores it."""
    draft = tmp_path / "club.draft.toml"
    draft.write_bytes(b"# smcheck draft: unfinished answers.\n\n[draft]\n[answers]\n[signoff]\n")
    result = runner.invoke(app, ["export", str(draft)])
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "the file is a draft" in said and f"smcheck new --resume {draft}" in said
    resaved = tmp_path / "mailed.smcheck.toml"
    resaved.write_bytes(b"\xef\xbb\xbf" + record.read_bytes())
    result = runner.invoke(app, ["export", str(resaved)])
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert f"to restore the original bytes, run: (set -C; tail -c +4 < {resaved}" in said

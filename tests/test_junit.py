"""``verify --format junit``: one JUnit test case per record, in the schema GitLab and GitHub's test
report actions read; a VALID record passes, an INVALID one is a failure with verify's one-line reason,
a file that cannot be read is an error, warnings go in <system-out>. Hostile file names and contents
never break the XML. Exit codes are verify's."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.desk import runner
from helpers.records import edit, make_record_bytes

from smcheck.cli import app
from smcheck.formats.junit import SUITE, xml_text


def junit(*args: str | Path) -> tuple[int, bytes, ET.Element]:
    """Run verify --format junit; its exit code, the bytes written and the parsed document."""
    result = runner.invoke(app, ["verify", "--format", "junit", *map(str, args)])
    data = result.stdout_bytes
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n"), result.output
    return result.exit_code, data, ET.fromstring(data)


def suite_of(root: ET.Element) -> ET.Element:
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == SUITE
    return suites[0]


def counts(element: ET.Element) -> tuple[int, int, int, int]:
    """tests, failures, errors, skipped, as the element says them."""
    return (
        int(element.get("tests", "-1")),
        int(element.get("failures", "-1")),
        int(element.get("errors", "-1")),
        int(element.get("skipped", "-1")),
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two valid records (unsigned: integrity only), and one whose content was changed."""
    records = tmp_path / "records"
    records.mkdir()
    good = make_record_bytes()
    (records / "a-good.smcheck.toml").write_bytes(good)
    (records / "b-good.smcheck.toml").write_bytes(edit(good, b"Essex History", b"Essex Archive"))
    tampered = good.replace(b"@essexhistory", b"@essexhist0ry")  # not resealed: integrity fails
    (records / "c-tampered.smcheck.toml").write_bytes(tampered)
    return records


def test_one_test_case_per_record_valid_passes_invalid_fails(folder: Path) -> None:
    code, _, root = junit(folder)
    assert code == 1  # as in every format: a record is invalid
    suite = suite_of(root)
    assert counts(root) == counts(suite) == (3, 1, 0, 0)
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        str(folder / "a-good.smcheck.toml"),
        str(folder / "b-good.smcheck.toml"),
        str(folder / "c-tampered.smcheck.toml"),
    ]
    assert all(c.get("file") == c.get("name") and c.get("classname") == str(folder) for c in cases)
    assert [c.find("failure") is None for c in cases] == [True, True, False]
    failure = cases[2].find("failure")
    assert failure is not None
    assert failure.get("message") == "fails: integrity"
    assert failure.get("type") == "digest-mismatch"
    assert failure.text is not None and " FAIL  integrity " in failure.text
    assert failure.text.rstrip().endswith("=> INVALID")
    out = cases[0].find("system-out")
    assert out is not None and out.text is not None
    assert out.text.startswith("unsigned: unsigned (integrity only)")


def test_all_valid_exits_0_with_no_failures(folder: Path) -> None:
    (folder / "c-tampered.smcheck.toml").unlink()
    code, _, root = junit(folder)
    assert code == 0
    assert counts(suite_of(root)) == (2, 0, 0, 0)


def test_a_file_that_cannot_be_read_is_an_error_and_exit_2(folder: Path) -> None:
    missing = folder.parent / "gone.smcheck.toml"
    code, _, root = junit(folder, missing)
    assert code == 2
    suite = suite_of(root)
    assert counts(suite) == (4, 1, 1, 0)
    case = suite.findall("testcase")[-1]
    error = case.find("error")
    assert case.get("name") == str(missing) and error is not None
    assert error.get("type") == "cannot-open" and error.get("message") == "no such file"


def test_warnings_go_in_system_out(folder: Path) -> None:
    (folder / "c-tampered.smcheck.toml").unlink()
    # The same record again under another name: verify warns of a copy, a resubmission or a replay.
    good = (folder / "a-good.smcheck.toml").read_bytes()
    (folder / "d-copy.smcheck.toml").write_bytes(good)
    code, _, root = junit(folder)
    assert code == 0
    case = suite_of(root).findall("testcase")[-1]
    out = case.find("system-out")
    assert out is not None and out.text is not None
    assert f"warning: same record id as {folder / 'a-good.smcheck.toml'}" in out.text


HOSTILE_NAMES = [
    "\x1b[31mred\x1b[0m.smcheck.toml",
    "\u202eevil.smcheck.toml",
    "<b>&amp;\"quote'.smcheck.toml",
    "bell\x07\x01\x1f.smcheck.toml",
    "]]>cdata.smcheck.toml",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_never_break_the_xml(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(make_record_bytes().replace(b"@essexhistory", b"@x"))  # invalid
    code, data, root = junit(tmp_path)
    assert code == 1
    case = suite_of(root).findall("testcase")[0]
    assert case.get("name") == xml_text(str(path))
    assert not any(ch in data for ch in (b"\x1b", b"\x07", b"\x01", "\u202e".encode()))


def test_a_file_name_that_is_not_utf8_never_breaks_the_xml(tmp_path: Path) -> None:
    # On Linux the name's bytes come back as lone surrogates, which no XML (nor UTF-8) can hold.
    raw = os.fsencode(tmp_path) + b"/\xff\xfe\xed\xa0\x80.smcheck.toml"
    Path(os.fsdecode(raw)).write_bytes(b"\x00\xff not a record")
    code, data, root = junit(tmp_path)
    assert code == 1
    case = suite_of(root).findall("testcase")[0]
    assert case.find("failure") is not None
    assert "\\udcff\\udcfe" in (case.get("name") or "")
    data.decode("utf-8")  # strict: every byte is UTF-8


def test_hostile_contents_never_break_the_xml(tmp_path: Path) -> None:
    """Control characters, bidi, markup and XML's own delimiters in what a record claims (its
    checklist id, which verify quotes when it does not know it)."""
    hostile = b'id = "\\u001b[2J<x>&</failure>]]>\\u0000\\u0007\\ufffe\\u202e"'
    data = edit(make_record_bytes(), b'id = "essex-social-media"', hostile)
    (tmp_path / "r.smcheck.toml").write_bytes(data)
    code, out, root = junit(tmp_path)
    assert code == 1
    case = suite_of(root).findall("testcase")[0]
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("type") == "checklist-unknown"
    # Escaped in the file, itself once parsed; the controls shown as escapes, never raw.
    assert "<x>&</failure>]]>" in failure.text and "\\x1b[2J" in failure.text
    assert not any(ch in out for ch in (b"\x1b", b"\x00", b"\x07", "\u202e".encode()))


def test_xml_text_keeps_what_xml_holds_and_drops_what_it_cannot() -> None:
    assert xml_text("Zoë <&> \u4e2d\U0001f600") == "Zoë <&> \u4e2d\U0001f600"
    # Made visible first, as every view does; whatever remains that XML 1.0 cannot hold goes.
    assert xml_text("a\x00b\x1bc") == "a\\x00b\\x1bc"
    assert xml_text("\udcff") == "\\udcff"
    assert xml_text("line\nnext", keep_newlines=True) == "line\nnext"
    assert xml_text("line\nnext") == "line\\x0anext"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--json", "--format", "junit"], "--json and --format junit cannot be used together"),
        (["--quiet", "--jsonl"], "--jsonl and --quiet cannot be used together"),
        (["--json", "--jsonl"], "--json and --jsonl cannot be used together"),
        (
            ["--format", "quiet", "--verbose"],
            "--format quiet and --verbose cannot be used together",
        ),
        (["-q", "--verbose"], "--quiet and --verbose cannot be used together"),
    ],
)
def test_two_formats_are_refused_in_one_line(folder: Path, args: list[str], said: str) -> None:
    result = runner.invoke(app, ["verify", *args, str(folder)])
    assert result.exit_code == 2
    assert result.output == f"smcheck: error: {said}\n"


@pytest.mark.parametrize(
    ("alias", "fmt"),
    [("--json", "json"), ("--jsonl", "jsonl"), ("--quiet", "quiet"), ("-q", "quiet")],
)
def test_the_old_flags_are_hidden_aliases_that_say_the_same(
    folder: Path, alias: str, fmt: str
) -> None:
    old = runner.invoke(app, ["verify", alias, str(folder)])
    new = runner.invoke(app, ["verify", "--format", fmt, str(folder)])
    same = runner.invoke(app, ["verify", alias, "--format", fmt, str(folder)])
    assert old.exit_code == new.exit_code == same.exit_code == 1
    assert old.stdout == new.stdout == same.stdout != ""
    help_text = runner.invoke(app, ["verify", "--help"]).output
    assert re.search(rf"(^|[\s,]){alias}([\s,]|$)", help_text, re.MULTILINE) is None

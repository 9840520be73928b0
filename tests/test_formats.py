"""The formats an office uses: verify's JSON carries the register's row for each record (the channel,
its department, review date, state and who must act), described by ``smcheck schema report``; and
``status --format csv`` writes the register for a spreadsheet, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.register import TODAY, desk_of_every_state, shared_desk, signed_record

from smcheck.cli import app


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Path]]:
    """The desk and its register, built once for the tests that only read it."""
    yield from shared_desk(tmp_path_factory, _build)


def _build(desk: Desk) -> Path:
    """Every state, and a folder too deep to search (an object with no checks)."""
    folder = desk_of_every_state(desk)
    deep = folder
    for n in range(66):
        deep = deep / f"d{n}"
    deep.mkdir(parents=True)
    return folder


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_verify_json_carries_the_registers_row_and_validates_against_its_schema(
    shared: tuple[Desk, Path],
) -> None:
    desk, folder = shared
    code, out = _invoke("schema", "report")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    trust = ("--allowed-signers", str(desk.trust))
    code, out = _invoke("verify", "--json", *trust, str(folder))
    assert code == 2  # the folder not searched
    objects = json.loads(out)
    for obj in objects:
        validator.validate(obj)
    code, out = _invoke("verify", "--jsonl", *trust, str(folder))
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == objects
    # Every state the register knows is there, and verify's row is status's row (one function).
    _, listed = _invoke("status", "--json", *trust, str(folder))
    status_rows = {r["path"]: r for r in json.loads(listed)["channels"]}
    states = set()
    for obj in objects:
        row = obj["register"]
        states.add(row["state"])
        if obj["path"] in status_rows and not row["folder_not_searched"]:
            mine = status_rows[obj["path"]]
            for key in (
                "platform",
                "handle",
                "department",
                "state",
                "review_by",
                "detail",
                "acting",
            ):
                assert row[key] == mine[key], (obj["path"], key)
    assert states >= {
        "invalid", "review-overdue", "rejected", "review-due", "awaiting-reviewer",
        "awaiting-cosign", "unsigned", "approved",
    }  # fmt: skip
    (x,) = [o for o in objects if o["register"]["handle"] == "@essexonx"]
    assert x["register"]["name"] == "x @essexonx"
    assert x["register"]["platform"] == "X (formerly Twitter)"
    assert x["register"]["department"] == "Department of History"
    assert x["register"]["state"] == "awaiting-reviewer"
    assert x["register"]["acting"] == ["reviewer", "advancement-office"]
    assert x["register"]["review_by"] is not None
    (deep,) = [o for o in objects if o["register"]["folder_not_searched"]]
    assert deep["error"] == "more than 64 folders deep: not searched"
    # The schema refuses what it does not describe.
    bad = {**x, "register": {**x["register"], "state": "fine"}}
    assert not validator.is_valid(bad)


def _csv(desk: Desk, folder: Path) -> tuple[bytes, list[list[str]]]:
    result = runner.invoke(
        app, ["status", "--format", "csv", "--allowed-signers", str(desk.trust), str(folder)]
    )
    assert result.exit_code == 1  # the tampered file
    data = result.stdout_bytes
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _plain(cell: str) -> str:
    """A neutralised cell as it was."""
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell


def test_the_csv_read_back_is_the_register(shared: tuple[Desk, Path]) -> None:
    desk, folder = shared
    data, table = _csv(desk, folder)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")  # RFC 4180 line ends
    header, *rows = table
    assert header == [
        "State", "Platform", "Handle", "Department", "Administrator", "Review by", "Who must act",
        "Roles to act", "File", "Notes",
    ]  # fmt: skip
    _, listed = _invoke("status", "--json", "--allowed-signers", str(desk.trust), str(folder))
    register = json.loads(listed)["channels"]
    assert len(rows) == len(register)
    for row, want in zip(rows, register, strict=True):
        columns = want["columns"] or dict.fromkeys(header[1:5], "")
        assert [_plain(c) for c in row] == [
            want["state"].replace("-", " "),
            *(columns.get(label, "") for label in header[1:5]),
            want["review_by"] or "",
            want["detail"],
            " ".join(want["acting"]),
            want["path"],
            "\n".join(want["notes"]),
        ]


def test_a_cell_a_spreadsheet_would_run_is_neutralised(desk: Desk, tmp_path: Path) -> None:
    from smcheck.formats.register.csv import neutralised

    for hostile in (
        '=HYPERLINK("http://evil.example","click")',
        "@SUM(A1:A9)",
        "-1+2",
        "+1",
        "\tx",
        "\rx",
    ):
        assert neutralised(hostile) == "'" + hostile
    assert neutralised("Department of History") == "Department of History"
    top = tmp_path / "register"
    top.mkdir()
    for n, department in enumerate(
        ('=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "-1+2")
    ):
        signed_record(desk, f"r{n}", TODAY, handle=f"@r{n}", department=department)
    result = runner.invoke(
        app, ["status", "--format", "csv", "--allowed-signers", str(desk.trust), str(top)]
    )
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    departments = sorted(row[3] for row in rows[1:])
    assert departments == [
        "'-1+2", "'=HYPERLINK(\"http://evil.example\",\"click\")", "'@SUM(A1:A9)",
    ]  # fmt: skip
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_format_json_is_json_and_does_not_mix_with_json(shared: tuple[Desk, Path]) -> None:
    desk, folder = shared
    trust = ("--allowed-signers", str(desk.trust))
    _, one = _invoke("status", "--json", *trust, str(folder))
    _, other = _invoke("status", "--format", "json", *trust, str(folder))
    assert json.loads(one) == json.loads(other)
    result = runner.invoke(app, ["status", "--json", "--format", "csv", *trust, str(folder)])
    assert result.exit_code == 2
    assert "--json and --format csv cannot be used together" in result.output


def test_format_html_writes_the_page_to_stdout_or_output(
    shared: tuple[Desk, Path], tmp_path: Path
) -> None:
    desk, folder = shared
    trust = ("--allowed-signers", str(desk.trust))
    code, page = _invoke("status", "--format", "html", *trust, str(folder))
    assert code == 1 and page.startswith("<!DOCTYPE html>")
    out = tmp_path / "register.html"
    code, said = _invoke("status", "-f", "html", "-o", str(out), *trust, str(folder))
    assert code == 1 and said == ""
    assert out.read_text(encoding="utf-8") == page
    # An existing file is replaced only with --force.
    result = runner.invoke(app, ["status", "-f", "html", "-o", str(out), *trust, str(folder)])
    assert result.exit_code == 1 and "choose another --output file" in result.output, result.output
    # Any format goes to --output: the CSV with its byte-order mark, as on standard output.
    sheet = tmp_path / "register.csv"
    _invoke("status", "-f", "csv", "-o", str(sheet), *trust, str(folder))
    assert sheet.read_bytes() == _csv(desk, folder)[0]


def test_the_old_html_flag_is_a_hidden_alias_that_still_prints_the_text(
    shared: tuple[Desk, Path], tmp_path: Path
) -> None:
    desk, folder = shared
    trust = ("--allowed-signers", str(desk.trust))
    page = tmp_path / "old.html"
    code, text = _invoke("status", "--html", str(page), *trust, str(folder))
    _, plain = _invoke("status", *trust, str(folder))
    _, html = _invoke("status", "--format", "html", *trust, str(folder))
    assert code == 1 and text == plain and page.read_text(encoding="utf-8") == html
    # With --format html it is that format's --output: nothing else is printed.
    again = tmp_path / "again.html"
    code, said = _invoke("status", "--html", str(again), "-f", "html", *trust, str(folder))
    assert code == 1 and said == "" and again.read_text(encoding="utf-8") == html
    help_text = runner.invoke(app, ["status", "--help"]).output
    assert "--html" not in help_text and "--json" not in help_text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--json", "--html", "p.html"], "--json and --html cannot be used together"),
        (
            ["--html", "p.html", "--format", "csv"],
            "--html and --format csv cannot be used together",
        ),
        (["--html", "p.html", "--output", "q.html"], "--html and --output cannot be used together"),
    ],
)
def test_two_status_formats_are_refused_in_one_line(
    shared: tuple[Desk, Path], args: list[str], said: str
) -> None:
    _, folder = shared
    result = runner.invoke(app, ["status", *args, str(folder)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"smcheck: error: {said}"


@pytest.mark.parametrize(
    "command",
    [
        ["checklist", "list"],
        ["checklist", "show", "essex-social-media"],
    ],
)
def test_commands_that_had_json_take_format_json_and_keep_json_hidden(command: list[str]) -> None:
    old = runner.invoke(app, [*command, "--json"])
    new = runner.invoke(app, [*command, "--format", "json"])
    text = runner.invoke(app, [*command, "--format", "text"])
    default = runner.invoke(app, command)
    assert old.exit_code == new.exit_code == text.exit_code == 0
    assert old.stdout == new.stdout and json.loads(new.stdout)
    assert text.stdout == default.stdout and not text.stdout.startswith(("{", "["))
    refused = runner.invoke(app, [*command, "--json", "--format", "text"])
    assert refused.exit_code == 2
    assert refused.output == "smcheck: error: --json and --format text cannot be used together\n"
    help_text = runner.invoke(app, [*command, "--help"]).output
    assert "--format text|json" in help_text and "--json" not in help_text


def test_diff_takes_format_json_and_keeps_json_hidden(shared: tuple[Desk, Path]) -> None:
    desk, folder = shared
    records = sorted(folder.glob("*.smcheck.toml"))[:2]
    trust = ("--allowed-signers", str(desk.trust))
    old = runner.invoke(app, ["diff", "--json", *trust, *map(str, records)])
    new = runner.invoke(app, ["diff", "--format", "json", *trust, *map(str, records)])
    assert old.exit_code == new.exit_code and old.stdout == new.stdout
    assert json.loads(new.stdout)["changes"] is not None
    refused = runner.invoke(app, ["diff", "--json", "-f", "text", *map(str, records)])
    assert refused.exit_code == 2
    assert refused.output == "smcheck: error: --json and --format text cannot be used together\n"


def test_every_trust_verdict_is_a_signature_status_with_the_same_string() -> None:
    """SigStatus repeats the trust file's verdicts (Trust) beside the policy's own rules: the same
    strings, which verify's JSON publishes as each signature's ``trust``."""
    from smcheck.trust.allowed import Trust
    from smcheck.trust.policy import SigStatus

    assert {SigStatus.of(t).value for t in Trust} == {t.value for t in Trust}
    assert [s.value for s in SigStatus if s.value not in {t.value for t in Trust}] == [
        "not-checked", "broken", "unknown-role", "repeated", "own-record", "two-roles",
        "before-signoff", "in-future", "unsigned-record",
    ]  # fmt: skip
    assert SigStatus.WRONG_PRINCIPAL.words == "wrong principal"


def test_every_format_choice_has_its_module() -> None:
    """A member added to VerifyFormat or StatusFormat without its module (or its case) fails here as
    well as in mypy: each is one module of smcheck.formats, named as the choice."""
    import datetime as dt

    from smcheck import formats
    from smcheck.choices import StatusFormat, VerifyFormat
    from smcheck.formats.register import Listing, encoding, pieces
    from smcheck.register import Register, count

    for choice in VerifyFormat:
        made = formats.reporter(choice, total=0, one_record=False)
        assert isinstance(made, formats.Reporter)
        assert type(made).__module__ == f"smcheck.formats.{choice.value}"
    empty = Register((), (), count([]))
    for shown in StatusFormat:
        text = "".join(pieces(shown, Listing(empty, dt.date(2026, 12, 1))))
        assert text and text.encode(encoding(shown))

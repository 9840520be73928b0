"""smcheck status --todo and --role: what needs someone, most urgent first, and one office's share;
every warning and rejection comment on its row; an overdue review its own group in verify's report; a
folder not searched said as a folder; no local trust-file path in the register."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.register import TODAY, desk_of_every_state, shared_desk, signed_record

from smcheck.cli import app

COMMENT = "The department has no one to answer comments at weekends: please name a deputy."


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Path]]:
    """The desk and its register, built once for the tests that only read it."""
    yield from shared_desk(tmp_path_factory, _build)


def _build(desk: Desk) -> Path:
    """A register in every state, and a rejection with a comment."""
    folder = desk_of_every_state(desk)
    said_no = signed_record(desk, "commented", TODAY, handle="@commented")
    args = ("--decision", "rejected", "--comment", COMMENT)
    assert desk.approve(said_no, "reviewer", *args)[0] == 0
    return folder


def _status(desk: Desk, folder: Path, *extra: str, width: int = 120) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["status", *extra, "--allowed-signers", str(desk.trust), str(folder)],
        env={"COLUMNS": str(width)},
    )
    return result.exit_code, result.stdout


def _rows(desk: Desk, folder: Path, *extra: str) -> list[dict[str, Any]]:
    code, out = _status(desk, folder, "--json", *extra)
    assert code == 1, out  # the tampered file fails the run, whatever is listed
    channels: list[dict[str, Any]] = json.loads(out)["channels"]
    return channels


def _handle(row: dict[str, Any]) -> str:
    columns = row["columns"]
    assert isinstance(columns, dict)
    return str(columns.get("Handle", row["path"]))


def test_todo_lists_only_where_someone_must_act_most_urgent_first(
    shared: tuple[Desk, Path],
) -> None:
    desk, folder = shared
    rows = _rows(desk, folder, "--todo")
    assert [(_handle(r), r["state"], r["acting"]) for r in rows] == [
        ("@invalid", "invalid", ["reviewer"]),
        ("@overdue", "review-overdue", ["proposer"]),
        ("@commented", "rejected", ["proposer"]),
        ("@nocosign", "rejected", ["proposer"]),
        ("@rejected", "rejected", ["proposer"]),
        ("@awaiting", "awaiting-reviewer", ["reviewer", "advancement-office"]),
        ("@essexonx", "awaiting-reviewer", ["reviewer", "advancement-office"]),
        ("@cosign", "awaiting-cosign", ["advancement-office"]),
        ("@unsigned", "unsigned", ["proposer"]),
        ("@due", "review-due", ["proposer"]),
        ("@drafted", "draft", ["proposer"]),
    ]
    # The whole register has the approved channel too, with nobody to act.
    whole = {_handle(r): r for r in _rows(desk, folder)}
    assert whole["@approved"]["acting"] == []
    # The text says what the listing is, and what is wanted of whom on each row.
    _, text = _status(desk, folder, "--todo")
    words = " ".join(text.split())
    assert words.startswith("10 channels: 1 review overdue, 3 rejected, 1 review due,")
    assert "(where someone must act, most urgent first)" in words
    assert "@approved" not in text
    _, wide = _status(desk, folder, "--todo", width=400)  # each row's notes on its first line
    (cosign,) = [line for line in wide.splitlines() if "@cosign" in line]
    assert cosign.startswith("awaiting cosign ")
    assert cosign.endswith("awaiting the Advancement Office's co-signature")


def test_every_warning_and_every_rejection_comment_is_on_its_row(shared: tuple[Desk, Path]) -> None:
    desk, folder = shared
    rows = {_handle(r): r for r in _rows(desk, folder)}
    # A rejection's comment, with who gave it.
    assert f"rejected by the Digital Marketing Officer: {COMMENT}" in rows["@commented"]["notes"]
    # A warning with no explanation attached (verify's review-date warning).
    overdue = rows["@overdue"]["notes"]
    assert isinstance(overdue, list)
    assert any(
        n.startswith("warning: review date: the channel was due for re-review") for n in overdue
    )
    # The outcome's warning itself, with what the proposer says of it.
    (x,) = rows["@essexonx"]["notes"]
    assert x.startswith("warning: monitoring.infrequent: The channel will be checked less than")
    assert x.endswith(
        "(the proposer explains: Replies come through the department office, who read it/them daily.)"
    )
    # The text register shows them on the row.
    _, text = _status(desk, folder)
    words = " ".join(text.split())
    assert COMMENT in words and "warning: review date:" in words


def test_role_narrows_every_format_to_that_office(
    shared: tuple[Desk, Path], tmp_path: Path
) -> None:
    desk, folder = shared
    office = {"@awaiting", "@essexonx", "@cosign"}
    assert {_handle(r) for r in _rows(desk, folder, "--role", "advancement-office")} == office
    assert {_handle(r) for r in _rows(desk, folder, "--role", "reviewer")} == {
        "@invalid", "@awaiting", "@essexonx",
    }  # fmt: skip
    both = _rows(desk, folder, "--todo", "--role", "advancement-office")
    assert [_handle(r) for r in both] == ["@awaiting", "@essexonx", "@cosign"]
    # Text, CSV and the HTML page alike.
    page = tmp_path / "office.html"
    code, text = _status(desk, folder, "--role", "advancement-office", "--html", str(page))
    assert code == 1
    assert " ".join(text.split()).startswith(
        "3 channels: 2 awaiting reviewer, 1 awaiting cosign (where advancement-office must act)"
    )
    for handle in ("@approved", "@rejected", "@unsigned", "@invalid"):
        assert handle not in text
        assert handle not in page.read_text()
    assert all(handle in page.read_text() for handle in office)
    assert "(where advancement-office must act)" in html.unescape(page.read_text())
    _, out = _status(desk, folder, "--format", "csv", "--role", "advancement-office")
    table = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert {row[2].lstrip("'") for row in table[1:]} == office


def test_an_unknown_role_is_a_usage_error(shared: tuple[Desk, Path]) -> None:
    desk, folder = shared
    result = runner.invoke(
        app,
        [
            "status",
            "--role",
            "advancment-office",
            "--allowed-signers",
            str(desk.trust),
            str(folder),
        ],
    )
    assert result.exit_code == 2
    assert "--role advancment-office: no checklist has this role" in result.output
    assert "give one of: proposer, reviewer, advancement-office" in result.output


def test_an_overdue_review_is_its_own_group_in_verifys_folder_report(
    shared: tuple[Desk, Path],
) -> None:
    desk, folder = shared
    code, out = desk.verify(folder)
    assert code == 1
    lines = out.splitlines()
    (overdue,) = [line for line in lines if "overdue.smcheck.toml" in line and "  " in line[:30]]
    assert overdue.strip().startswith("REVIEW OVERDUE")
    approved = [line for line in lines if line.strip().startswith("APPROVED")]
    assert approved and not any("overdue.smcheck.toml" in line for line in approved)
    # Counted as its own group: "2 approved" would hide it. (The output mixes in stderr, where a note
    # says the folder's draft was not verified.)
    summary = [line for line in lines if not line.startswith("smcheck: note:")][-1]
    assert "1 approved, review overdue" in summary
    assert ", 2 approved" in summary  # due and approved; overdue apart
    assert "smcheck: note: 1 draft in the folder was not verified" in out


def test_a_folder_not_searched_is_counted_as_a_folder(desk: Desk, tmp_path: Path) -> None:
    top = tmp_path / "register"
    top.mkdir()
    signed_record(desk, "one", TODAY, handle="@one")
    deep = top
    for n in range(66):
        deep = deep / f"d{n}"
    deep.mkdir(parents=True)
    code, out = desk.verify(top)
    assert code == 2  # as before: something was not looked at
    assert "1 record: 1 awaiting the reviewer, 1 folder not searched" in out.splitlines()
    assert any(line.strip().startswith("NOT SEARCHED") for line in out.splitlines())
    code, text = _status(desk, top)
    words = " ".join(text.split())
    assert code == 1
    assert words.startswith("1 channel: 1 awaiting reviewer; 1 folder not searched")
    assert "file that does not verify" not in words
    assert (
        "folder not searched: more than 64 folders deep; the records below it, if any, are not in"
        " this register: give this folder itself to search what is in it" in words
    )
    rows = _rows(desk, top)
    assert json.loads(_status(desk, top, "--json")[1])["folders_not_searched"] == 1
    (folder_row,) = [r for r in rows if r["folder_not_searched"]]
    assert folder_row["acting"] == ["reviewer"]


def test_the_register_names_no_local_trust_file_path(desk: Desk, tmp_path: Path) -> None:
    top = tmp_path / "register"
    top.mkdir()
    desk.new(key="attacker", output="register/stranger.smcheck.toml")
    local = str(desk.trust.resolve())
    page = tmp_path / "register.html"
    code, text = _status(desk, top, "--html", str(page))
    assert code == 1
    words = " ".join(text.split())
    assert local not in "".join(text.split())
    assert "not trusted yet:" in words
    assert "is not in the reviewer's trust file" in words
    assert "smcheck trust add" in words and "--allowed-signers" not in words
    assert local not in html.unescape(page.read_text())
    data = json.loads(_status(desk, top, "--json")[1])
    assert local not in json.dumps(data)


def test_show_says_what_verify_says_with_its_count_and_each_decision_with_its_comment(
    desk: Desk,
) -> None:
    record = signed_record(
        desk,
        "warned",
        TODAY,
        handle="@warned",
        edits={
            'frequency = "daily"': 'frequency = "fortnightly"\n'
            'infrequent_reason = "The department office reads it daily."',
        },
    )
    args = ("--decision", "rejected", "--comment", COMMENT)
    assert desk.approve(record, "reviewer", *args)[0] == 0
    _, verified = desk.verify(record)
    last = verified.strip().splitlines()[-1].strip()
    assert last.startswith("=> VALID (2 warnings): rejected by the Digital Marketing Officer")
    result = runner.invoke(
        app, ["show", "--allowed-signers", str(desk.trust), str(record)], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == "smcheck verify: " + last.removeprefix("=> ")
    words = " ".join(result.stdout.split())
    assert (
        f"the Digital Marketing Officer (reviewer): rejected by dmo@essex.ac.uk on"
        f" {TODAY:%Y-%m-%d}: {COMMENT}" in words
    )
    assert "the proposer (proposer): signed" in words
    assert "signature by role" not in words

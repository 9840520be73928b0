"""``smcheck new --answers``: no prompts, the same validators and rules, every problem listed at once."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.records import DATA, EXAMPLE_ANSWERS
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.record import SUFFIX

runner = CliRunner()
EXAMPLE = EXAMPLE_ANSWERS.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


def new(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["new", *args])
    return result.exit_code, result.output


def records(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"))


def write(tmp_path: Path, text: str, name: str = "answers.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_answers_make_a_record_that_verifies(tmp_path: Path) -> None:
    code, output = new("--answers", str(EXAMPLE_ANSWERS))
    assert code == 0, output
    (record,) = records(tmp_path)
    assert record.name.startswith("instagram-essexhistory-")
    assert f"Record written: {record.name}" in output
    assert "smcheck verify" in output
    result = runner.invoke(app, ["verify", str(record)])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output


def test_every_missing_or_invalid_answer_is_listed_at_once_by_id(tmp_path: Path) -> None:
    text = (
        EXAMPLE.replace('handle = "@essexhistory"\n', "")
        # Both the administrator's address and the sign-off's: the checklist's [signoff] rule holds too.
        .replace('email = "h.marsh@essex.ac.uk"', 'email = "h.marsh@gmail.com"')
        .replace("accepts = true", 'accepts = "yes"')
        .replace("[answers.channel]", '[answers.channel]\ncolour = "red"')
    )
    code, output = new("--answers", str(write(tmp_path, text)))
    assert code == 1
    for expected in (
        "channel.colour: not a question of checklist essex-social-media 1.3.1",
        "channel.handle: missing",
        "administrator.email: must be an address at essex.ac.uk",
        "administrator.accepts: must be yes or no (true or false), not a string",
        "signoff.email: must be an address at essex.ac.uk",
        "5 missing or invalid answers",
    ):
        assert expected in output
    assert records(tmp_path) == []


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ('"2027-01-18"', "2027-01-18"),  # what the answers schema, as Taplo reads TOML, accepts
        ('"18 January 2027"', "2027-01-18"),  # as typed at the prompt
        ("2027-01-18", "2027-01-18"),
    ],
)
def test_a_date_in_quotes_is_read_as_typed_at_the_prompt(
    tmp_path: Path, written: str, meant: str
) -> None:
    text = EXAMPLE.replace("launch_date = 2027-01-18", f"launch_date = {written}")
    assert text != EXAMPLE or written == "2027-01-18"
    code, output = new("--answers", str(write(tmp_path, text)))
    assert code == 0, output
    (record,) = records(tmp_path)
    assert f"\nlaunch_date = {meant}\n" in record.read_text(encoding="utf-8")  # a TOML date
    assert runner.invoke(app, ["verify", str(record)]).exit_code == 0


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ('"31/04/2027"', "channel.launch_date: there is no 31 April"),
        ('"next monday"', "channel.launch_date: type a date as YYYY-MM-DD"),
        ('""', "channel.launch_date: type a date as YYYY-MM-DD"),
    ],
)
def test_a_date_in_quotes_that_is_no_date_says_why(
    tmp_path: Path, written: str, reason: str
) -> None:
    text = EXAMPLE.replace("launch_date = 2027-01-18", f"launch_date = {written}")
    code, output = new("--answers", str(write(tmp_path, text)))
    assert code == 1
    assert reason in output
    assert records(tmp_path) == []


def test_an_answer_to_a_question_that_is_not_asked_is_refused(tmp_path: Path) -> None:
    # The example leaves has_deputy to be filled in from the deputy's name; a file that answers it no
    # all the same is taken at its word, and the deputy's address is then not asked.
    text = EXAMPLE.replace(
        'deputy_name = "Tom Reid"', 'deputy_name = "Tom Reid"\nhas_deputy = false'
    )
    code, output = new("--answers", str(write(tmp_path, text)))
    assert code == 1
    assert (
        "administrator.deputy_email: answered, but not asked because administrator.has_deputy = yes does not hold"
        in output
    )
    assert records(tmp_path) == []


def test_blockers_stop_the_record_and_list_the_actions(tmp_path: Path) -> None:
    text = EXAMPLE
    # Nobody named at the Advancement Office fills in "consulted?" as no (1.3.0); who/when are only
    # asked once it was consulted: drop them all.
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(
            ("advancement_name", "advancement_email", "advancement_date", "advancement_advice")
        )
    ]
    code, output = new("--answers", str(write(tmp_path, "\n".join(kept) + "\n")))
    assert code == 1, output
    assert "Sign-off is not possible yet" in output
    assert "GG-1" in output
    assert "no record written: the answers are blocked" in output
    assert records(tmp_path) == []


def test_a_record_can_be_replayed_as_answers(tmp_path: Path) -> None:
    assert new("--answers", str(EXAMPLE_ANSWERS))[0] == 0
    (first,) = records(tmp_path)
    code, output = new("--answers", str(first))
    assert code == 1
    assert "signoff.agree: missing; to make the declaration, pass --agree" in output
    code, output = new("--answers", str(first), "--agree", "--output", "again" + SUFFIX)
    assert code == 0, output
    old = tomllib.loads((tmp_path / first.name).read_text().split("# --- smcheck signatures")[0])
    again = tomllib.loads(
        (tmp_path / ("again" + SUFFIX)).read_text().split("# --- smcheck signatures")[0]
    )
    # A record replayed is a renewal: the channel is live now, and the rest is as it was.
    assert again["answers"]["channel"].pop("live") is True
    assert old["answers"] == again["answers"]
    assert old["record"]["id"] != again["record"]["id"]


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine.smcheck.toml"
    target.write_text("precious")
    code, output = new("--answers", str(EXAMPLE_ANSWERS), "--output", str(target))
    assert code == 1
    assert "already exists" in output and "--force" in output
    assert target.read_text() == "precious"
    code, _ = new("--answers", str(EXAMPLE_ANSWERS), "--output", str(target), "--force")
    assert code == 0
    assert target.read_text().startswith("# smcheck record")


def test_default_names_never_collide(tmp_path: Path) -> None:
    assert new("--answers", str(EXAMPLE_ANSWERS))[0] == 0
    assert new("--answers", str(EXAMPLE_ANSWERS))[0] == 0
    first, second = sorted(records(tmp_path), key=lambda p: len(p.name))
    assert second.name == first.name.replace(SUFFIX, "-2" + SUFFIX)


def test_the_second_checklist_works_through_the_same_code(tmp_path: Path) -> None:
    text = """checklist = "tiny-club"
[answers.club]
name = "Chess Club"
kind = "sport"
has_owner = true
owner_email = "owner@example.ac.uk"
[answers.web]
sites = ["site", "insta"]
url = "https://chess.example.ac.uk"
[signoff]
name = "Ann Lee"
email = "ann@example.ac.uk"
role = "Secretary"
department = "Chess Club"
agree = true
"""
    code, output = new(
        "--checklist", str(DATA / "tiny.toml"), "--answers", str(write(tmp_path, text))
    )
    assert code == 0, output
    (record,) = records(tmp_path)
    assert record.name.startswith("chess-club-")
    data = tomllib.loads(record.read_text().split("# --- smcheck")[0])
    assert data["answers"]["web"]["sites"] == [
        "insta",
        "site",
    ]  # normal form: the checklist's order
    assert data["outcome"]["status"] == "ready-with-warnings"
    verified = runner.invoke(app, ["verify", "--checklist", str(DATA / "tiny.toml"), str(record)])
    assert verified.exit_code == 0, verified.output


def test_answers_for_another_checklist_are_refused(tmp_path: Path) -> None:
    code, output = new("--checklist", str(DATA / "tiny.toml"), "--answers", str(EXAMPLE_ANSWERS))
    assert code == 2
    assert "is for checklist 'essex-social-media', not 'tiny-club'" in output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbf" + EXAMPLE.encode(), "starts with a byte-order mark"),
        (b"[answers\n", "not valid TOML"),
        (EXAMPLE.encode().replace(b"Essex History", b"Essex \xff"), "not UTF-8"),
        (b'checklist = "essex-social-media"\nsurprise = 1\n[answers]\n', "surprise: unknown key"),
    ],
)
def test_bad_answers_files_give_one_clear_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "answers.toml"
    path.write_bytes(content)
    code, output = new("--answers", str(path))
    assert code == 1
    assert expected in output
    assert "Traceback" not in output
    assert records(tmp_path) == []


def test_missing_answers_file_is_a_usage_error(tmp_path: Path) -> None:
    code, output = new("--answers", str(tmp_path / "nope.toml"))
    assert code == 2
    assert "nope.toml: no such file" in output


def test_options_that_do_not_go_together() -> None:
    assert new("--answers", str(EXAMPLE_ANSWERS), "--resume")[0] == 2
    code, output = new("somedraft.toml")
    assert code == 2 and "only given with --resume" in output


@pytest.mark.parametrize(
    "content",
    [
        "[answers." + ".".join(["a"] * 40) + "]\nx = 1\n",
        "[answers]\nx = " + "[" * 5000 + "]" * 5000 + "\n",
        "[answers]\n" + ".".join(["k"] * 20000) + " = 1\n",
    ],
    ids=["deep-tables", "deep-arrays", "long-dotted-key"],
)
def test_a_deeply_nested_answers_file_is_refused_quickly(tmp_path: Path, content: str) -> None:
    code, output = new("--answers", str(write(tmp_path, content)))
    assert code == 1
    assert "nested too deeply" in output
    assert "Traceback" not in output and "internal error" not in output


def test_answers_can_come_from_standard_input(tmp_path: Path) -> None:
    out = tmp_path / "from-stdin.smcheck.toml"
    result = runner.invoke(
        app, ["new", "--answers", "-", "--output", str(out)], input=EXAMPLE_ANSWERS.read_bytes()
    )
    assert result.exit_code == 0, result.output
    assert tomllib.loads(out.read_text(encoding="utf-8"))["answers"]["channel"]["handle"] == (
        "@essexhistory"
    )
    # A record replayed from standard input is verified from the bytes read, like a file.
    again = tmp_path / "again.smcheck.toml"
    tampered = out.read_bytes().replace(b"Essex History", b"Essex Hist0ry")
    result = runner.invoke(
        app, ["new", "--answers", "-", "--agree", "--output", str(again)], input=tampered
    )
    assert result.exit_code == 1 and "does not verify" in result.output
    assert not again.exists()


def test_bad_answers_on_standard_input_are_named_as_such(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "--answers", "-"], input=b"x = [\n")
    assert result.exit_code == 1
    assert "standard input: not valid TOML" in result.output
    assert "Traceback" not in result.output


def test_a_draft_given_for_an_answers_file_says_how_to_continue_it(tmp_path: Path) -> None:
    draft = tmp_path / "my club.draft.toml"
    draft.write_text(
        '# smcheck draft\n\n[draft]\nchecklist = "essex-social-media"\n\n[answers.channel]\n'
        'platform = "instagram"\n\n[signoff]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.smcheck.toml"
    result = CliRunner().invoke(app, ["new", "--answers", str(draft), "--output", str(out)])
    said = " ".join(result.output.split())
    assert result.exit_code == 2, said
    assert f"{draft} is a draft of the interview, not an answers file" in said
    assert f"continue it with: smcheck new --resume '{draft}'" in said
    assert not out.exists()
    # From standard input there is no file to name: the list of drafts says each one's command.
    result = CliRunner().invoke(
        app, ["new", "--answers", "-", "--output", str(out)], input=draft.read_text()
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "smcheck drafts lists your drafts" in said

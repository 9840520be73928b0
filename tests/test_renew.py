"""smcheck renew: a new interview filled in from an old record, for the periodic re-review."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.records import DATA, TINY_WARNING_ANSWERS, make_record_bytes

from smcheck.checklist import Checklist
from smcheck.commands.renew import checklist_changes, progress_from
from smcheck.layout import read_layout
from smcheck.loader import load_checklist
from smcheck.record import Record, parse_content


def record_of(data: bytes) -> Record:
    return parse_content(read_layout(data)[0])


def test_the_old_answers_and_sign_off_are_the_starting_point(essex: Checklist) -> None:
    record = record_of(make_record_bytes())
    progress = progress_from(record)
    assert progress.answers == dict(record.answers)
    assert progress.signoff["email"] == "h.marsh@essex.ac.uk"
    changes = checklist_changes(record, essex)
    assert not changes.changed and changes.added == () and changes.dropped == ()


def test_a_newer_checklist_shows_what_is_new_and_what_is_gone(
    tmp_path: Path, tiny: Checklist
) -> None:
    from smcheck.layout import render
    from smcheck.outcome import evaluate
    from smcheck.record import build_record
    from smcheck.signoff import SignOff

    answers = dict(TINY_WARNING_ANSWERS)
    record_bytes = render(
        build_record(
            tiny,
            answers,
            evaluate(tiny, answers, today=dt.date(2026, 11, 2)),
            SignOff("Ann Lee", "ann@example.ac.uk", "Secretary", "Chess Club"),
            now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        )
    )
    newer_text = (
        (DATA / "tiny.toml")
        .read_text()
        .replace('version = "2.1"', 'version = "2.2"')
        .replace(
            '[[sections.questions]]\nid = "club.founded"',
            '[[sections.questions]]\nid = "club.members"\ntype = "text"\nprompt = "How many members?"\nclauses = []\n\n[[sections.questions]]\nid = "club.founded"',
        )
    )
    newer_text = newer_text.replace('id = "web.url"', 'id = "web.address"').replace(
        'question = "web.url"', 'question = "web.address"'
    )
    path = tmp_path / "tiny.toml"
    path.write_text(newer_text)
    newer = load_checklist(path)
    changes = checklist_changes(record_of(record_bytes), newer)
    assert changes.changed and (changes.old_version, changes.new_version) == ("2.1", "2.2")
    assert changes.added == ("club.members", "web.address")
    assert changes.dropped == ("web.url",)


def test_renew_without_a_terminal_points_at_answers(tmp_path: Path) -> None:
    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(make_record_bytes())
    script = Path(sys.executable).parent / "smcheck"
    result = subprocess.run(
        [str(script), "renew", str(record)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"smcheck new --answers {record} --agree" in result.stderr


@pytest.mark.pty
def test_renew_in_a_terminal_reviews_and_signs_off_afresh(tmp_path: Path) -> None:
    from helpers.terminal import ENTER, start_terminal

    old = tmp_path / "old.smcheck.toml"
    old.write_bytes(make_record_bytes())
    env = {
        **os.environ,
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "NO_COLOR": "1",
        "TERM": "xterm",
        "SMCHECK_DRAFTS": str(tmp_path / "drafts"),
    }
    term = start_terminal(
        ["renew", str(old), "--output", "new.smcheck.toml"], env=env, cwd=tmp_path
    )
    term.expect("Your answers are filled in")
    term.expect("Your answers")  # the review table, without asking anything first
    term.answer("What next?", ENTER)  # go on to sign-off
    term.answer("designated administrator?", "no" + ENTER)  # someone else signs off this time
    for prompt in ("Your full name", "Your email address", "Your role", "Your department"):
        term.answer(prompt, ENTER)  # the old sign-off details are offered
    term.answer("Do you make this declaration?", "yes" + ENTER)
    term.expect("Record written: new.smcheck.toml")
    # What is still to do, as new says it (the record is unsigned: sign it first); the channel is
    # live, so the steps complete its re-review rather than come before a launch.
    term.expect("Before the re-review is complete:")
    term.expect("Sign the record with")
    assert term.finish() == 0
    new = (tmp_path / "new.smcheck.toml").read_bytes()
    # A renewal says the channel is live (1.3.1's renewal answer); the rest is as it was.
    assert record_of(new).answers == {**record_of(old.read_bytes()).answers, "channel.live": True}
    assert record_of(new).id != record_of(old.read_bytes()).id
    assert old.read_bytes() == make_record_bytes()  # the old record is untouched

"""The shared validators: what a person types, read as they meant it, or refused with a reason in words."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from smcheck.checklist import Checklist, Question
from smcheck.text import as_run, program
from smcheck.values import AnswerError, check_typed, parse_date, parse_text

TODAY = dt.date(2026, 11, 2)


def question(checklist: Checklist, qid: str) -> Question:
    found = checklist.question(qid)
    assert found is not None, qid
    return found


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2027-02-30", "there is no 30 February"),
        ("2027-02-29", "there is no 29 February in 2027"),
        ("2027-04-31", "there is no 31 April"),
        ("2027-13-01", "there is no month 13"),
        ("2027-00-10", "there is no month 0"),
        ("2027-01-32", "there is no 32 January"),
        ("02/03/2027", "year first"),
        ("next tuesday", "type a date as YYYY-MM-DD"),
        ("2027-1-1x", "type a date as YYYY-MM-DD"),
    ],
)
def test_an_impossible_date_is_refused_saying_why(typed: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=reason):
        parse_date(typed)


def test_dates_read_as_meant() -> None:
    assert parse_date("2028-02-29") == dt.date(2028, 2, 29)  # a leap year
    assert parse_date("2027-3-5") == dt.date(2027, 3, 5)


def test_today_yesterday_and_tomorrow_are_read_as_dates(essex: Checklist) -> None:
    consulted = question(essex, "alumni.advancement_date")
    assert parse_text(consulted, "today", today=TODAY) == TODAY
    assert parse_text(consulted, " Yesterday ", today=TODAY) == TODAY - dt.timedelta(days=1)
    launch = question(essex, "channel.launch_date")
    assert parse_text(launch, "tomorrow", today=TODAY) == TODAY + dt.timedelta(days=1)
    with pytest.raises(AnswerError, match="type a date as YYYY-MM-DD"):
        parse_text(launch, "next week", today=TODAY)
    with pytest.raises(AnswerError, match="must be a date"):  # a typed value, not a person typing
        check_typed(launch, "today", today=TODAY)


def test_today_is_today_in_every_time_zone(essex: Checklist) -> None:
    # "It cannot be in the future": a person east of UTC may already be on tomorrow's date.
    consulted = question(essex, "alumni.advancement_date")
    assert check_typed(consulted, TODAY + dt.timedelta(days=1), today=TODAY)
    with pytest.raises(AnswerError, match="today or earlier"):
        check_typed(consulted, TODAY + dt.timedelta(days=2), today=TODAY)


def test_an_email_domain_is_compared_without_case_and_stored_as_typed(essex: Checklist) -> None:
    email = question(essex, "administrator.email")
    assert check_typed(email, "Jo.Bloggs@ESSEX.AC.UK", today=TODAY) == "Jo.Bloggs@ESSEX.AC.UK"
    assert check_typed(email, "jo@History.Essex.ac.uk", today=TODAY) == "jo@History.Essex.ac.uk"
    with pytest.raises(AnswerError, match=r"essex\.ac\.uk"):
        check_typed(email, "jo@essex.ac.uk.evil.example", today=TODAY)


def test_a_handle_is_normalised_only_where_the_checklist_says(essex: Checklist) -> None:
    handle = question(essex, "channel.handle")
    on = {"channel.platform": "tiktok"}
    off = {"channel.platform": "linkedin"}
    assert parse_text(handle, " essexhistory ", today=TODAY, answers=on) == "@essexhistory"
    assert parse_text(handle, "@essexhistory", today=TODAY, answers=on) == "@essexhistory"
    assert parse_text(handle, "essexhistory", today=TODAY, answers=off) == "essexhistory"
    # The normal form is a fixed point: verify's "written as smcheck writes it" check holds.
    assert check_typed(handle, "@essexhistory", today=TODAY, answers=on) == "@essexhistory"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # What a browser's address bar shows, without its https://, gets it, as a browser adds it.
        ("www.instagram.com/essexhistory", "https://www.instagram.com/essexhistory"),
        ("instagram.com/essexhistory/", "https://instagram.com/essexhistory/"),
        ("Instagram.com", "https://Instagram.com"),
        ("www.tiktok.com:443/@essex?lang=en", "https://www.tiktok.com:443/@essex?lang=en"),
        ("https://www.instagram.com/x", "https://www.instagram.com/x"),
    ],
)
def test_a_web_address_without_its_scheme_gets_https(
    essex: Checklist, typed: str, meant: str
) -> None:
    url = question(essex, "channel.url")
    assert parse_text(url, typed, today=TODAY) == meant
    # The normal form is a fixed point, so a record holding it verifies.
    assert check_typed(url, meant, today=TODAY) == meant


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("http://www.instagram.com/x", "must start with https://"),  # a scheme typed is kept
        ("essexhistory", "must start with https://"),  # no site name: nothing is guessed
        ("@essexhistory", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("user@www.instagram.com/x", "must start with https://"),
        ("ftp://www.instagram.com", "must start with https://"),
    ],
)
def test_only_a_site_name_gets_a_scheme(essex: Checklist, typed: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=reason):
        parse_text(question(essex, "channel.url"), typed, today=TODAY)


def test_the_added_scheme_is_one_the_checklist_allows_and_counts_in_the_length(
    essex: Checklist,
) -> None:
    url = question(essex, "channel.url")
    http_only = url._replace(validate=url.validate._replace(schemes=("http",)))
    assert parse_text(http_only, "example.org", today=TODAY) == "http://example.org"
    no_web = url._replace(validate=url.validate._replace(schemes=("ftp",)))
    with pytest.raises(AnswerError, match="must start with ftp://"):
        parse_text(no_web, "example.org", today=TODAY)
    short = url._replace(validate=url.validate._replace(max_length=20))
    with pytest.raises(AnswerError, match="is 27 characters long; at most 20"):
        parse_text(short, "www.example.org/abc", today=TODAY)


def test_no_typed_at_an_optional_question_is_not_taken_as_its_answer(essex: Checklist) -> None:
    # Every asker reads typed text through parse_text: full-screen and plain alike refuse it.
    for qid in ("administrator.deputy_name", "alumni.advancement_name", "account.login_email"):
        for said in ("no", "NONE", "n/a", "-"):
            with pytest.raises(
                AnswerError, match="to leave it blank, press Enter with nothing typed"
            ):
                parse_text(question(essex, qid), said, today=TODAY)
    assert parse_text(question(essex, "channel.name"), "None", today=TODAY) == "None"  # required


@pytest.mark.parametrize(
    ("qid", "said", "reason"),
    [
        # Typed for the yes-or-no question a person thought came next (one was filled in for them).
        ("channel.name", "yes", "not answered yes or no: type the answer in words$"),
        ("administrator.email", "Yes.", "not answered yes or no: type an email address$"),
        ("channel.launch_date", "no", "not answered yes or no: type the date as YYYY-MM-DD"),
        (
            "alumni.advancement_name",
            "y",
            "type the answer in words; to leave it blank, press Enter",
        ),
    ],
)
def test_yes_or_no_typed_at_a_question_that_asks_for_words_is_refused(
    essex: Checklist, qid: str, said: str, reason: str
) -> None:
    with pytest.raises(AnswerError, match=reason):
        parse_text(question(essex, qid), said, today=TODAY)


def test_a_deputy_who_is_the_administrator_is_refused(essex: Checklist) -> None:
    name = question(essex, "administrator.deputy_name")
    answers = {"administrator.name": "Dr  Jo Bloggs"}
    with pytest.raises(AnswerError, match="someone other than the administrator"):
        parse_text(name, "dr jo bloggs", today=TODAY, answers=answers)
    assert parse_text(name, "Sam Deputy", today=TODAY, answers=answers) == "Sam Deputy"


def test_yes_and_no_are_whole_words(essex: Checklist) -> None:
    yesno = question(essex, "administrator.accepts")
    for typed, meant in (
        ("y", True),
        ("YES", True),
        (" Yes ", True),
        ("Yes.", True),
        ("n", False),
        ("No", False),
        ("no!", False),
    ):
        assert parse_text(yesno, typed, today=TODAY) is meant
    for typed in ("es", "yess", "maybe", "yes please", "o"):
        with pytest.raises(AnswerError, match="yes or no"):
            parse_text(yesno, typed, today=TODAY)


def test_commands_in_messages_are_written_as_smcheck_was_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Run by its path, with no smcheck on the PATH: the messages give that path.
    fake = tmp_path / "venv dir" / "bin" / "smcheck"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(fake)])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert program() == f"'{fake}'"
    message = "resume with: smcheck new --resume d.toml; smcheck: error stays; run smcheck verify x"
    assert as_run(message) == (
        f"resume with: '{fake}' new --resume d.toml; smcheck: error stays; run '{fake}' verify x"
    )
    # On the PATH as the same program: plain "smcheck".
    monkeypatch.setenv("PATH", str(fake.parent))
    assert program() == "smcheck"
    assert as_run(message) == message
    # As a module.
    monkeypatch.setattr(sys, "argv", ["/x/smcheck/__main__.py"])
    assert program().endswith(" -m smcheck")


def test_messages_fit_the_terminal_at_word_boundaries_and_keep_commands_whole() -> None:
    from smcheck.console import fit

    message = (
        "Your answers are saved. When you have done this, continue with:"
        " smcheck new --resume /home/jo/.local/share/smcheck/drafts/instagram-essexhistory.draft.toml"
    )
    for width in (60, 80, 120):
        lines = fit(message, width=width)
        words = message.split()
        assert " ".join(" ".join(lines).split()) == " ".join(words)  # nothing lost or added
        for line in lines:
            assert len(line) <= width or line.strip().startswith("smcheck new")
        command = next(line for line in lines if "--resume" in line)
        assert "smcheck new --resume /home/jo/" in command  # the command on one line, whole
    assert fit(message) == [message]  # not a terminal: one line, as before
    assert fit("short", "  hint: ", width=60) == ["  hint: short"]

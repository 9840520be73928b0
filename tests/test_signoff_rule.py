"""The sign-off email follows the checklist's ``[signoff]`` rule (data, not code): in the interview, in
``--answers`` and in ``verify``. A checklist without the rule accepts any address."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from helpers.records import (
    DATA,
    EXAMPLE_ANSWERS,
    FIXED_NOW,
    TINY_WARNING_ANSWERS,
    edit,
    make_record_bytes,
)
from helpers.scripted import Scripted, essex_answers, run, tiny_script
from typer.testing import CliRunner

from smcheck.answers import AnswersFile, apply_answers, load_answers_file
from smcheck.checklist import Checklist, QType, Value
from smcheck.cli import app
from smcheck.layout import render
from smcheck.outcome import evaluate
from smcheck.record import SUFFIX, build_record
from smcheck.signoff import SIGNOFF_QUESTIONS, SignOff, signoff_questions

runner = CliRunner()
GMAIL = "helen.marsh@gmail.com"
RULE = "must be an address at essex.ac.uk"
EXAMPLE = EXAMPLE_ANSWERS.read_text(encoding="utf-8")
SIGNOFF_EMAIL = '[signoff]\nname = "Dr Helen Marsh"\nemail = "h.marsh@essex.ac.uk"'
"""The sign-off's address in the example answers and in a record made from them (not the administrator's)."""


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


# -- the questions -------------------------------------------------------------------------------


def test_essex_has_the_rule_and_the_email_question_takes_its_domains(essex: Checklist) -> None:
    assert essex.signoff.email_domains == ("essex.ac.uk",)
    questions = signoff_questions(essex)
    assert [q.id for q in questions] == [q.id for q in SIGNOFF_QUESTIONS]
    (email,) = [q for q in questions if q.type is QType.EMAIL]
    assert email.validate.domains == ("essex.ac.uk",)
    assert email.validate.max_length == 200  # the other validators are kept
    assert email.help == "Where the reviewer can reach you: an address at essex.ac.uk."
    others = [q for q in questions if q.type is not QType.EMAIL]
    assert others == [q for q in SIGNOFF_QUESTIONS if q.type is not QType.EMAIL]
    assert signoff_questions(essex) is questions  # built once per rule


def test_without_the_rule_the_questions_are_todays(tiny: Checklist) -> None:
    assert tiny.signoff.email_domains == ()
    assert signoff_questions(tiny) is SIGNOFF_QUESTIONS
    assert signoff_questions(None) is SIGNOFF_QUESTIONS


# -- the interview engine --------------------------------------------------------------------------


def essex_script(essex: Checklist, emails: list[Value | None]) -> Scripted:
    script: dict[str, list[Value | None]] = {q: [v] for q, v in essex_answers(essex).items()}
    for question in essex.questions:
        if not question.required:
            script.setdefault(question.id, [None])
    script.update(
        {
            "signoff.is_named": [False],  # not the administrator named in the answers
            "signoff.name": ["Dr Helen Marsh"],
            "signoff.email": emails,
            "signoff.role": ["Senior Lecturer"],
            "signoff.department": ["Department of History"],
            "signoff.agree": [True],
        }
    )
    return Scripted(script)


@pytest.mark.parametrize(
    "refused", [GMAIL, "h.marsh@notessex.ac.uk", "h.marsh@essex.ac.uk.example.com"]
)
def test_the_interview_refuses_a_sign_off_outside_the_rule(essex: Checklist, refused: str) -> None:
    asker = essex_script(essex, [refused, "h.marsh@history.essex.ac.uk"])
    interview, _, _ = run(essex, asker)
    signoff = interview.sign_off()
    assert ("signoff.email", RULE) in asker.errors
    assert signoff is not None and signoff.email == "h.marsh@history.essex.ac.uk"  # a subdomain


def test_a_resumed_draft_with_an_address_outside_the_rule_is_asked_again(
    essex: Checklist,
) -> None:
    asker = essex_script(essex, [GMAIL, "h.marsh@essex.ac.uk"])
    interview, _, _ = run(essex, asker)
    interview.progress.signoff["email"] = GMAIL  # as a draft from before the rule would hold it
    asker.answers["signoff.email"] = ["h.marsh@essex.ac.uk"]
    asker.answers.update(
        {
            "signoff.is_named": [False],
            "signoff.name": ["Dr Helen Marsh"],
            "signoff.role": ["Senior Lecturer"],
            "signoff.department": ["Department of History"],
            "signoff.agree": [True],
        }
    )
    signoff = interview.sign_off()
    assert signoff is not None and signoff.email == "h.marsh@essex.ac.uk"


def test_the_tiny_checklist_keeps_accepting_any_address(tiny: Checklist) -> None:
    asker = Scripted(tiny_script(**{"signoff.email": [GMAIL]}))
    interview, _, _ = run(tiny, asker)
    signoff = interview.sign_off()
    assert signoff is not None and signoff.email == GMAIL
    assert asker.errors == []


# -- --answers -------------------------------------------------------------------------------------


def with_signoff_email(email: str) -> AnswersFile:
    file = load_answers_file(EXAMPLE_ANSWERS)
    return dataclasses.replace(file, signoff={**file.signoff, "email": email})


def test_apply_answers_refuses_a_sign_off_outside_the_rule(essex: Checklist) -> None:
    applied = apply_answers(essex, with_signoff_email(GMAIL), today=FIXED_NOW.date())
    assert applied.problems == [f"signoff.email: {RULE}"]
    assert applied.signoff is None
    applied = apply_answers(
        essex, with_signoff_email("H.Marsh@History.Essex.ac.uk"), today=FIXED_NOW.date()
    )
    assert applied.problems == []
    assert applied.signoff is not None


def test_new_with_answers_refuses_a_gmail_sign_off(in_tmp: Path) -> None:
    text = EXAMPLE.replace(SIGNOFF_EMAIL, SIGNOFF_EMAIL.replace("h.marsh@essex.ac.uk", GMAIL))
    assert text.count(GMAIL) == 1  # the sign-off's address only, not the administrator's
    path = in_tmp / "answers.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["new", "--answers", str(path)])
    assert result.exit_code == 1
    assert f"signoff.email: {RULE}" in result.output
    assert "1 missing or invalid answer in" in result.output
    assert list(in_tmp.glob(f"*{SUFFIX}")) == []


def test_new_with_answers_for_the_tiny_checklist_accepts_any_address(in_tmp: Path) -> None:
    text = f"""checklist = "tiny-club"
[answers.club]
name = "Chess Club"
kind = "sport"
has_owner = true
owner_email = "owner@example.ac.uk"
[answers.web]
sites = ["insta"]
[signoff]
name = "Ann Lee"
email = "{GMAIL}"
role = "Secretary"
department = "Chess Club"
agree = true
"""
    path = in_tmp / "answers.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["new", "--checklist", str(DATA / "tiny.toml"), "--answers", str(path)]
    )
    assert result.exit_code == 0, result.output
    (record,) = in_tmp.glob(f"*{SUFFIX}")
    verified = runner.invoke(app, ["verify", "--checklist", str(DATA / "tiny.toml"), str(record)])
    assert verified.exit_code == 0, verified.output


# -- verify ----------------------------------------------------------------------------------------


def verify_json(path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["verify", "--json", *extra, str(path)])
    (report,) = json.loads(result.stdout)
    return result.exit_code, report


def test_verify_refuses_a_gmail_sign_off(tmp_path: Path) -> None:
    gmail = SIGNOFF_EMAIL.replace("h.marsh@essex.ac.uk", GMAIL)
    data = edit(make_record_bytes(), SIGNOFF_EMAIL.encode(), gmail.encode())
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(data)
    code, report = verify_json(path)
    assert code == 1
    failing = [c for c in cast(list[dict[str, str]], report["checks"]) if c["status"] == "FAIL"]
    assert [(c["check"], c["code"]) for c in failing] == [("signoff", "signoff-incomplete")]
    assert failing[0]["message"] == f"email {RULE}"


def test_verify_of_a_tiny_record_with_any_address(tiny: Checklist, tmp_path: Path) -> None:
    signoff = SignOff("Ann Lee", GMAIL, "Secretary", "Chess Club")
    answers = TINY_WARNING_ANSWERS
    record = build_record(
        tiny, answers, evaluate(tiny, answers, today=dt.date(2026, 11, 2)), signoff, now=FIXED_NOW
    )
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(render(record))
    code, report = verify_json(path, "--checklist", str(DATA / "tiny.toml"))
    assert code == 0, report

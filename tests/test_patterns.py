"""Checklist patterns are matched in bounded time, whoever wrote the checklist (threat model item 22).

A pattern such as ``(a+)+$`` with an answer of many ``a`` and one ``!`` takes Python's backtracking ``re``
longer than the age of the universe; RE2 answers at once. Each test below would hang (and so fail under
pytest-timeout) if any path matched with ``re``. There is no timing assertion: returning is the test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.records import DATA, FIXED_NOW, edit
from typer.testing import CliRunner

from smcheck.checklist import MAX_PATTERN_LENGTH, Checklist, PatternError, compile_pattern
from smcheck.cli import app
from smcheck.layout import render
from smcheck.loader import lint_checklist, load_checklist
from smcheck.outcome import evaluate
from smcheck.record import build_record
from smcheck.signoff import SignOff
from smcheck.values import AnswerError, check_typed

TINY = (DATA / "tiny.toml").read_text(encoding="utf-8")
TINY_NAME_RULES = (
    'validate = { min_length = 3, max_length = 40, pattern = "[A-Za-z ]+",'
    ' pattern_hint = "letters and spaces" }'
)
CATASTROPHIC = "(a+)+$"
CRAFTED = "a" * 10_000 + "!"
"""10,000 characters that make a backtracking engine try every way of splitting them, then fail."""
TODAY = dt.date(2026, 11, 2)
runner = CliRunner()


def with_name_rules(rules: str) -> str:
    assert TINY_NAME_RULES in TINY
    return TINY.replace(TINY_NAME_RULES, rules)


EVIL = with_name_rules(
    f"validate = {{ max_length = 20000, pattern = '{CATASTROPHIC}', pattern_hint = \"only a's\" }}"
)


def lint_text(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return [line.removeprefix(f"{path}: ") for line in lint_checklist(path)]


@pytest.fixture
def evil_path(tmp_path: Path) -> Path:
    path = tmp_path / "EVIL.toml"
    path.write_text(EVIL, encoding="utf-8")
    return path


@pytest.fixture
def evil(evil_path: Path) -> Checklist:
    return load_checklist(evil_path)


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


# -- matching, through every path --------------------------------------------------------------


@pytest.mark.timeout(30)
def test_a_catastrophic_pattern_is_matched_at_once_through_values(evil: Checklist) -> None:
    question = evil.questions[0]
    assert question.validate.pattern == CATASTROPHIC
    with pytest.raises(AnswerError, match=r"^should be only a's$"):
        check_typed(question, CRAFTED, today=TODAY)
    assert check_typed(question, "a" * 10_000, today=TODAY) == "a" * 10_000


@pytest.mark.timeout(30)
def test_a_catastrophic_pattern_through_new_with_answers(evil_path: Path, in_tmp: Path) -> None:
    answers = in_tmp / "answers.toml"
    answers.write_text(
        f"""checklist = "tiny-club"
[answers.club]
name = "{CRAFTED}"
kind = "sport"
has_owner = true
owner_email = "owner@example.ac.uk"
[answers.web]
sites = ["insta"]
[signoff]
name = "Ann Lee"
email = "ann@example.ac.uk"
role = "Secretary"
department = "Chess Club"
agree = true
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["new", "--checklist", str(evil_path), "--answers", str(answers)])
    assert result.exit_code == 1, result.output
    assert "club.name: should be only a's" in result.output
    assert list(in_tmp.glob("*.smcheck.toml")) == []


@pytest.mark.timeout(30)
def test_a_catastrophic_pattern_through_verify(evil: Checklist, evil_path: Path) -> None:
    answers: dict[str, object] = {
        "club.name": "aaaa",
        "club.kind": "sport",
        "club.has_owner": True,
        "club.owner_email": "owner@example.ac.uk",
        "web.sites": ("insta",),
    }
    signoff = SignOff("Ann Lee", "ann@example.ac.uk", "Secretary", "Chess Club")
    record = build_record(
        evil,
        answers,  # type: ignore[arg-type]
        evaluate(evil, answers, today=dt.date(2026, 11, 2)),  # type: ignore[arg-type]
        signoff,
        now=FIXED_NOW,
    )
    # The crafted answer, put in by whoever edits the record (the digest resealed, as anyone can).
    data = edit(render(record), b'name = "aaaa"', f'name = "{CRAFTED}"'.encode())
    path = evil_path.parent / "crafted.smcheck.toml"
    path.write_bytes(data)
    result = runner.invoke(app, ["verify", "--json", "--checklist", str(evil_path), str(path)])
    assert result.exit_code == 1, result.output
    (report,) = json.loads(result.stdout)
    answers_row = next(c for c in report["checks"] if c["check"] == "answers")
    assert answers_row["status"] == "FAIL"
    assert "should be only a's" in answers_row["message"]


def test_patterns_are_compiled_once_when_the_checklist_is_loaded(
    tiny: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = tiny.questions[0]
    assert question.validate.compiled == compile_pattern("[A-Za-z ]+")

    def no_compiling(source: str) -> None:
        raise AssertionError("compiled again while matching")

    monkeypatch.setattr("smcheck.qtypes.compile_pattern", no_compiling)  # the text check
    assert check_typed(question, "Chess Club", today=TODAY) == "Chess Club"
    with pytest.raises(AnswerError, match=r"^should be letters and spaces$"):
        check_typed(question, "Chess Club 2", today=TODAY)


def test_a_question_built_in_code_is_compiled_when_matched(tiny: Checklist) -> None:
    question = tiny.questions[0]
    bare = question._replace(validate=question.validate._replace(compiled=None))
    with pytest.raises(AnswerError, match=r"^should be letters and spaces$"):
        check_typed(bare, "Chess Club 2", today=TODAY)


def test_the_whole_answer_must_match_as_before(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        with_name_rules(
            "validate = { pattern = 'ab|abc', pattern_hint = \"ab or abc\", min_length = 2 }"
        )
    )
    question = load_checklist(path).questions[0]
    assert check_typed(question, "abc", today=TODAY) == "abc"  # not just a prefix that matches
    with pytest.raises(AnswerError):
        check_typed(question, "abcd", today=TODAY)
    with pytest.raises(AnswerError):
        check_typed(question, "xab", today=TODAY)


def test_unicode_letters_with_re2_classes(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        with_name_rules(
            "validate = { pattern = '[\\pL ]+', pattern_hint = \"letters of any script\" }"
        )
    )
    question = load_checklist(path).questions[0]
    assert check_typed(question, "Zoë Ñúñez 日本", today=TODAY) == "Zoë Ñúñez 日本"


# -- the linter: what RE2 cannot do is an error that names its place and says why -----------------

WHERE = "sections[0].questions[0].validate.pattern"
FEATURES = (
    "uses a feature smcheck's linear-time pattern engine does not support"
    " (backreferences, lookaround, atomic groups, possessive repeats, \\Z)"
)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(a)\\1", f"{FEATURES}: invalid escape sequence: \\1"),
        ("(?P<x>a)(?P=x)", f"{FEATURES}: invalid perl operator: (?P"),
        ("(?=a)a", f"{FEATURES}: invalid perl operator: (?="),
        ("(?<!a)b", f"{FEATURES}: invalid perl operator: (?<!"),
        ("(?>a+)b", f"{FEATURES}: invalid perl operator: (?>"),
        ("a++", f"{FEATURES}: bad repetition operator: ++"),
        ("abc\\Z", f"{FEATURES}: invalid escape sequence: \\Z"),
        (
            "a{1001}",
            "repeats too often ({1001}): smcheck's linear-time pattern engine allows counted"
            " repeats up to {1000} (nested counts multiply)",
        ),
        (
            "(?:a{100}){100}",
            "repeats too often ({100}): smcheck's linear-time pattern engine allows counted"
            " repeats up to {1000} (nested counts multiply)",
        ),
        (
            "\\pL{1,300}",
            "is too large for smcheck's linear-time pattern engine (compiled, it needs more than"
            " 4 MiB); use fewer or smaller counted repeats",
        ),
        ("[a-z", "not a valid regular expression: unterminated character set at position 0"),
        ("a" * (MAX_PATTERN_LENGTH + 1), "is 501 characters long; a pattern may have at most 500"),
        ("", "must not be empty"),
    ],
    ids=[
        "backreference",
        "named-backreference",
        "lookahead",
        "lookbehind",
        "atomic",
        "possessive",
        "big-Z",
        "repeat-count",
        "nested-repeat-count",
        "too-large",
        "invalid",
        "too-long",
        "empty",
    ],
)
def test_a_pattern_re2_cannot_match_is_a_lint_error_with_its_place(
    tmp_path: Path, pattern: str, problem: str
) -> None:
    rules = f"validate = {{ pattern = '{pattern}', pattern_hint = \"x\" }}"
    assert lint_text(tmp_path, with_name_rules(rules)) == [f"{WHERE}: {problem}"]


def test_the_longest_allowed_pattern_is_fine(tmp_path: Path) -> None:
    rules = f"validate = {{ pattern = '{'a' * MAX_PATTERN_LENGTH}', pattern_hint = \"x\" }}"
    assert lint_text(tmp_path, with_name_rules(rules)) == []


def test_the_catastrophic_pattern_itself_is_fine_to_use(tmp_path: Path) -> None:
    assert lint_text(tmp_path, EVIL) == []


def test_re2_writes_nothing_to_stderr(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    rules = "validate = { pattern = '(a)\\1(?=b)', pattern_hint = \"x\" }"
    assert lint_text(tmp_path, with_name_rules(rules))
    with pytest.raises(PatternError):
        compile_pattern("\\pL{1,300}")
    captured = capfd.readouterr()
    assert captured.err == ""


def test_load_refuses_a_checklist_with_such_a_pattern(tmp_path: Path) -> None:
    from smcheck.errors import FileProblem

    path = tmp_path / "mine.toml"
    path.write_text(with_name_rules("validate = { pattern = '(a)\\1', pattern_hint = \"x\" }"))
    with pytest.raises(FileProblem) as info:
        load_checklist(path)
    assert info.value.problems == [f"{path}: {WHERE}: {FEATURES}: invalid escape sequence: \\1"]

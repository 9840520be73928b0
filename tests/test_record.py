"""The record writer: its byte layout, the strict reader reading back what it wrote, review dates and
the default output name."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import pytest
from helpers.records import (
    EXAMPLE_ANSWERS,
    FIXED_ID,
    FIXED_NOW,
    TINY_WARNING_ANSWERS,
    make_record_bytes,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist
from smcheck.layout import HEADER, MARKER, parse_record, render
from smcheck.outcome import Status, evaluate
from smcheck.record import SUFFIX, Record, RecordError, add_months, build_record, sha256
from smcheck.session import default_output, slug
from smcheck.signoff import SignOff

SIGNOFF = SignOff("Ann Lee", "a.lee@example.ac.uk", "Secretary", "Chess Club")
TINY_ANSWERS: dict[str, dict[str, Any]] = {
    "ready": {
        "club.name": "Chess Club",
        "club.kind": "music",
        "club.has_owner": True,
        "club.owner_email": "a@example.ac.uk",
        "club.founded": dt.date(1999, 2, 28),
        "web.sites": ("insta",),
    },
    "warnings": TINY_WARNING_ANSWERS,
    "blocked": {
        "club.name": "Chess Club",
        "club.kind": "sport",
        "club.has_owner": False,
        "web.sites": ("insta",),
    },
    "referred": {
        "club.name": "Union Club",
        "club.kind": "union",
        "club.has_owner": True,
        "club.owner_email": "u@example.ac.uk",
        "web.sites": ("insta",),
    },
}


def example_record(essex: Checklist) -> Record:
    file = load_answers_file(EXAMPLE_ANSWERS)
    applied = apply_answers(essex, file, today=FIXED_NOW.date())
    assert applied.signoff is not None
    outcome = evaluate(essex, applied.answers, today=dt.date(2026, 11, 2))
    return build_record(
        essex, applied.answers, outcome, applied.signoff, now=FIXED_NOW, record_id=FIXED_ID
    )


def tiny_record(tiny: Checklist, answers: dict[str, Any], signoff: SignOff = SIGNOFF) -> Record:
    return build_record(
        tiny, answers, evaluate(tiny, answers, today=dt.date(2026, 11, 2)), signoff, now=FIXED_NOW
    )


# --------------------------------------------------------------------------------------------------
# render / parse_record


def test_render_is_the_fixture_and_deterministic(essex: Checklist) -> None:
    record = example_record(essex)
    assert render(record) == render(record) == make_record_bytes()


def test_render_parses_back_to_an_equal_record(essex: Checklist) -> None:
    record = example_record(essex)
    parsed = parse_record(render(record))
    assert parsed.record == record
    assert dict(parsed.record.answers) == dict(record.answers)


@pytest.mark.parametrize("case", sorted(TINY_ANSWERS))
def test_render_parses_back_for_every_status(tiny: Checklist, case: str) -> None:
    record = tiny_record(tiny, TINY_ANSWERS[case])
    assert parse_record(render(record)).record == record
    expected = {
        "ready": Status.READY,
        "warnings": Status.WARNINGS,
        "blocked": Status.BLOCKED,
        "referred": Status.REFERRED,
    }[case]
    assert record.status is expected
    if case == "referred":
        assert record.actions[0].refer_to == "the union"


def test_build_record_uses_utc_whole_seconds_and_a_uuid(tiny: Checklist) -> None:
    now = dt.datetime(2026, 11, 2, 23, 30, 5, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    record = build_record(
        tiny,
        TINY_ANSWERS["ready"],
        evaluate(tiny, TINY_ANSWERS["ready"], today=dt.date(2026, 11, 2)),
        SIGNOFF,
        now=now,
    )
    assert record.created == dt.datetime(2026, 11, 3, 4, 30, 5, tzinfo=dt.UTC)
    assert record.review_by == dt.date(2027, 5, 3)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", record.id
    )
    other = build_record(
        tiny,
        TINY_ANSWERS["ready"],
        evaluate(tiny, TINY_ANSWERS["ready"], today=dt.date(2026, 11, 2)),
        SIGNOFF,
        now=now,
    )
    assert other.id != record.id


def test_content_ends_right_before_the_one_marker(essex: Checklist) -> None:
    data = render(example_record(essex))
    parsed = parse_record(data)
    assert data.count(MARKER) == 1
    start = data.index(MARKER)
    assert parsed.content == data[:start]
    assert parsed.content.startswith(HEADER)
    assert parsed.content.endswith(b"\n")  # the marker starts a line
    assert data[start:].startswith(MARKER)
    trailer = data[start + len(MARKER) :]
    assert trailer.startswith(b"[[signature]]\n")
    assert b"\r" not in data


def test_digest_covers_exactly_the_content_bytes(essex: Checklist) -> None:
    data = render(example_record(essex))
    parsed = parse_record(data)
    start = data.index(MARKER)
    (seal,) = parsed.seals
    assert seal.method == "sha256"
    assert seal.digest == sha256(parsed.content) == hashlib.sha256(data[:start]).hexdigest()
    assert seal.digest not in {
        sha256(data[: start - 1]),
        sha256(data[: start + 1]),
        sha256(data[: start + len(MARKER)]),
        sha256(data),
    }
    assert f'digest = "{seal.digest}"'.encode() in data[start:]


def test_the_content_is_read_from_the_signed_bytes_alone(essex: Checklist) -> None:
    """Whatever follows the marker, the record's data comes from the content only."""
    data = render(example_record(essex))
    with pytest.raises(RecordError) as raised:
        parse_record(data + b'[answers.channel]\nplatform = "tiktok"\n')
    assert (raised.value.check, raised.value.code) == ("well-formed", "trailer-invalid")


SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
NAMES = st.text(
    st.characters(blacklist_categories=SURROGATES),  # TOML text is Unicode scalar values
    min_size=1,
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(name=NAMES, role=NAMES)
def test_any_text_round_trips_and_never_forges_a_marker(
    tiny: Checklist, name: str, role: str
) -> None:
    """Quotes, backslashes, newlines, a marker line or TOML inside a value: all stay inside the string."""
    record = tiny_record(
        tiny, TINY_ANSWERS["ready"], SignOff(name, "a@example.ac.uk", role, "Club")
    )
    data = render(record)
    assert data.count(MARKER) == 1
    parsed = parse_record(data)
    assert parsed.record == record
    assert parsed.seals[0].digest == sha256(parsed.content)


@pytest.mark.parametrize(
    "name",
    [
        MARKER.decode().strip(),
        "\n" + MARKER.decode() + '[[signature]]\nmethod = "sha256"\n',
        '"""\n[answers]\nx = 1\n"""',
        "a." * 100 + "b",  # looks like a very long dotted key, but is inside a string
        'Dr \\u202e O\'Brien "the" [bold]',
        "\x1b[31m\u202e\u200b\ufeff",
    ],
)
def test_awkward_text_round_trips(tiny: Checklist, name: str) -> None:
    record = tiny_record(tiny, TINY_ANSWERS["ready"], SignOff(name, "a@example.ac.uk", "r", "d"))
    assert parse_record(render(record)).record == record


# --------------------------------------------------------------------------------------------------
# add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 2), 12, dt.date(2027, 11, 2)),
        (dt.date(2026, 11, 2), 6, dt.date(2027, 5, 2)),
        (dt.date(2026, 11, 2), 0, dt.date(2026, 11, 2)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),  # no 29 Feb next year
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),  # a leap year again
        (dt.date(2024, 2, 29), 1, dt.date(2024, 3, 29)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),  # month ends
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 5, 31), 4, dt.date(2026, 9, 30)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),  # December wraps
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
        (dt.date(2026, 12, 31), 2, dt.date(2027, 2, 28)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 1, 1), 60, dt.date(2031, 1, 1)),
        (dt.date(2026, 1, 15), 23, dt.date(2027, 12, 15)),
        (dt.date(2026, 1, 15), 24, dt.date(2028, 1, 15)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@settings(max_examples=200, deadline=None)
@given(day=st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)), months=st.integers(0, 600))
def test_add_months_properties(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(days=1)).day == 1)
    assert later >= day


# --------------------------------------------------------------------------------------------------
# The default output name


SAFE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}(?:-\d+)?\.smcheck\.toml")


def assert_safe_name(path: Path) -> None:
    name = str(path)
    assert path.name == name, name  # no folder part
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert name.isascii()
    assert name.endswith(SUFFIX)
    assert SAFE_NAME.fullmatch(name), name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Essex History", "essex-history"),
        ("@essexhistory", "essexhistory"),
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\windows\\system32", "windows-system32"),
        (".bashrc", "bashrc"),
        ("...", ""),
        ("Café Ünïon", "cafe-union"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("日本語", ""),
        ("a\x1b[31mb\u202ec", "a-31mbc"),  # non-ASCII is dropped, not a dash
        ("--double--dash--", "double-dash"),
        ("x" * 100, "x" * 60),
        ("a" * 59 + " b", "a" * 59),  # cut at the limit, then no trailing dash
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_slug_is_always_safe(text: str) -> None:
    made = slug(text)
    assert len(made) <= 60
    assert re.fullmatch(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?", made), made


def test_default_output_from_the_answers(
    essex: Checklist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    answers = dict(example_record(essex).answers)
    path = default_output(essex, answers, FIXED_NOW)  # type: ignore[arg-type]
    assert str(path) == "instagram-essexhistory-2026-11-02.smcheck.toml"
    assert_safe_name(path)


@pytest.mark.parametrize(
    "handle",
    [
        "../../../etc/cron.d/x",
        "/absolute",
        ".hidden",
        "..",
        "日本語",
        "\x1b]8;;x\x07",
        "a/b\\c",
        "",
    ],
)
def test_default_output_is_safe_for_hostile_answers(
    essex: Checklist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    answers = {"channel.platform": "instagram", "channel.handle": handle}
    path = default_output(essex, answers, FIXED_NOW)  # type: ignore[arg-type]
    assert_safe_name(path)


def test_default_output_falls_back_to_the_checklist_id(
    tiny: Checklist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = default_output(tiny, {"club.name": "日本語"}, FIXED_NOW)
    assert str(path) == "tiny-club-2026-11-02.smcheck.toml"
    assert str(default_output(tiny, {}, FIXED_NOW)) == "tiny-club-2026-11-02.smcheck.toml"


def test_default_output_never_collides(
    tiny: Checklist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    answers = {"club.name": "Chess Club"}
    made: list[str] = []
    for _ in range(5):
        path = default_output(tiny, answers, FIXED_NOW)  # type: ignore[arg-type]
        assert_safe_name(path)
        assert not path.exists()
        path.write_bytes(b"")
        made.append(str(path))
    assert made == [
        "chess-club-2026-11-02.smcheck.toml",
        "chess-club-2026-11-02-2.smcheck.toml",
        "chess-club-2026-11-02-3.smcheck.toml",
        "chess-club-2026-11-02-4.smcheck.toml",
        "chess-club-2026-11-02-5.smcheck.toml",
    ]


def test_default_output_skips_a_folder_of_that_name(
    tiny: Checklist, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chess-club-2026-11-02.smcheck.toml").mkdir()
    path = default_output(tiny, {"club.name": "Chess Club"}, FIXED_NOW)
    assert str(path) == "chess-club-2026-11-02-2.smcheck.toml"


# --- one reader: both parts of a record file go through the one TOML parser ----------------------


def test_both_parts_are_read_by_the_one_toml_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.record
    from smcheck.tomlread import loads_guarded

    data = make_record_bytes()
    content, trailer = data.split(MARKER)
    read: list[str] = []

    def spy(text: str, **kwargs: Any) -> dict[str, object]:
        read.append(text)
        return loads_guarded(text, **kwargs)

    monkeypatch.setattr(smcheck.record, "loads_guarded", spy)
    parse_record(data)
    # The signatures part too (a hand-written reader beside it once read it "for speed": measured,
    # the compiled parser reads it as fast, so there is one reader of each part, and one parser).
    assert read == [trailer.decode(), content.decode()]


def test_the_record_modules_are_layered() -> None:
    """The model knows no file layout; the layout knows no restoration advice; advice knows no command's
    file handling: each imports only those below it (no import runs back up)."""
    import ast

    package = Path(__file__).resolve().parent.parent / "smcheck"
    order = ["record", "layout", "restore", "recordfile"]
    for below, name in enumerate(order):
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        named = {
            node.module.removeprefix("smcheck.")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert named & set(order[below:]) == set(), name

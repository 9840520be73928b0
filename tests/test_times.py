"""Times that cannot crash and cannot lie (threat model case 23).

A date-time at the edge of the calendar (year 9999 with a negative offset, year 1 with a positive one)
parses, then overflows when it is moved to UTC, compared or shifted: every such value read from a file
(a record's sign-off, an approval statement, a draft, a trust line) is refused where it is read, as a
problem of that one file, never a crash of the command or of the folder's report. And a record dated in
the future (beyond the clock skew) is refused by new, sign, approve and verify with the reason in words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.desk import Desk, open_desk, row, runner
from helpers.records import FIXED_NOW, edit, make_record_bytes

from smcheck import registry
from smcheck.approval import Approval, parse_statement, render_statement
from smcheck.cli import app
from smcheck.drafts import load_draft, save_draft
from smcheck.errors import FileProblem
from smcheck.interview import Progress
from smcheck.layout import append_seal, parse_record
from smcheck.record import Seal
from smcheck.register import RowState, arrange
from smcheck.timeutil import (
    CLOCK_SKEW,
    EARLIEST,
    LATEST,
    OutOfRange,
    bounded_day,
    future_words,
    utc_moment,
    words,
)
from smcheck.trust.keys import key_ref
from smcheck.trust.policy import blob_sha256, sha256_hex
from smcheck.trust.signing import seal_record, sign
from smcheck.trust.sshsig import blob_of
from smcheck.verify import Demands, Verdict, verify_bytes

LATE = "9999-12-31 23:00:00-05:00"
"""In the year 10000 once moved to UTC."""
EARLY = "0001-01-01 00:00:00+05:00"
"""Before the year 1 once moved to UTC."""
EDGES = [LATE, EARLY, "9999-12-31 23:59:59Z", "0001-01-01 00:00:00Z"]
EDGE_IDS = ["year-9999-minus-5h", "year-1-plus-5h", "year-9999-utc", "year-1-utc"]
CREATED = b"created = 2026-11-02 09:30:00+00:00"
RANGE = "must be a time between 1970-01-01 and 9000-12-31 (UTC)"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def invoke(*args: str) -> tuple[int, str]:
    """Run a command; a known failure is fine, a crash (exit 3 in the real entry point) is not."""
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    return result.exit_code, result.output


def flat(output: str) -> str:
    """The output with wrapped lines joined, for matching a message that a narrow terminal wraps."""
    return re.sub(r"\s+", " ", output)


def shown(value: str) -> str:
    """A TOML time as the message shows it (``Z`` is written ``+00:00``)."""
    return value.replace("Z", "+00:00")


# --- the module itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", EDGES, ids=EDGE_IDS)
def test_a_time_at_the_calendars_edge_is_out_of_range(value: str) -> None:
    import tomllib

    parsed = tomllib.loads(f"t = {value}")["t"]
    with pytest.raises(OutOfRange, match=re.escape(f"{RANGE}, not {shown(value)}")):
        utc_moment(parsed)


def test_a_time_in_range_is_moved_to_utc_and_the_edges_stand() -> None:
    plus_one = dt.timezone(dt.timedelta(hours=1))
    assert utc_moment(dt.datetime(2026, 11, 2, 10, 30, tzinfo=plus_one)) == dt.datetime(
        2026, 11, 2, 9, 30, tzinfo=dt.UTC
    )
    assert utc_moment(EARLIEST).tzinfo is dt.UTC and utc_moment(LATEST) == LATEST
    # In range by its own year, out of it once in UTC: refused, not overflowed.
    with pytest.raises(OutOfRange):
        utc_moment(dt.datetime(1970, 1, 1, 3, tzinfo=dt.timezone(dt.timedelta(hours=5))))
    with pytest.raises(OutOfRange):
        utc_moment(dt.datetime(9000, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))))
    with pytest.raises(OutOfRange, match="must be a date between 1970-01-01 and 9000-12-31"):
        bounded_day(dt.date(9999, 12, 31))
    # Whatever is let through has room for the arithmetic done with it.
    assert LATEST + CLOCK_SKEW + dt.timedelta(days=60 * 31) < dt.datetime.max.replace(tzinfo=dt.UTC)


def test_times_are_shown_with_four_digit_years() -> None:
    assert words(dt.datetime(1, 1, 1, tzinfo=dt.UTC)) == "0001-01-01 00:00 UTC"
    now = dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.UTC)
    assert (
        future_words("signed off at", dt.datetime(2026, 12, 2, 23, 50, tzinfo=dt.UTC), now)
        == "signed off at 2026-12-02 23:50 UTC, later than now (21:30 UTC)"
    )
    assert (
        future_words("signed off at", dt.datetime(2027, 1, 1, tzinfo=dt.UTC), now)
        == "signed off at 2027-01-01 00:00 UTC, later than now (2026-12-02 21:30 UTC)"
    )


# --- a record's sign-off time, in every command that reads records ---------------------------------


def edge_record(folder: Path, value: str) -> Path:
    data = edit(make_record_bytes(), CREATED, f"created = {value}".encode())
    path = folder / "edge.smcheck.toml"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("value", EDGES, ids=EDGE_IDS)
def test_a_record_dated_at_the_calendars_edge_is_invalid_not_a_crash(
    tmp_path: Path, value: str
) -> None:
    good = tmp_path / "good.smcheck.toml"
    good.write_bytes(make_record_bytes())
    bad = edge_record(tmp_path, value)
    said = f"record.created: {RANGE}, not {shown(value)}"

    code, output = invoke("verify", str(bad))
    assert code == 1 and said in flat(output)
    assert "FAIL" in row(output, "well-formed")

    # The folder: the good record still stands beside the bad one.
    code, output = invoke("verify", "--json", str(tmp_path))
    assert code == 1 and '"valid": true' in output and said in output

    code, output = invoke("status", "--json", str(tmp_path))
    assert code == 1 and said in flat(output)

    for command in (["show"], ["export"], ["diff", str(good)]):
        code, output = invoke(*command, str(bad))
        assert code == 1 and said in flat(output), command


def test_a_record_dated_at_the_calendars_edge_cannot_be_approved_nor_signed(desk: Desk) -> None:
    record = edge_record(desk.root, LATE)
    code, output = invoke("sign", "--key", str(desk.keys["proposer"]), str(record))
    assert code == 1 and f"record.created: {RANGE}" in flat(output)
    code, output = desk.approve(record, "reviewer")
    assert code == 1 and "does not verify" in flat(output) and "internal error" not in output


def test_a_review_date_at_the_calendars_edge_is_invalid() -> None:
    data = edit(make_record_bytes(), b"review_by = 2027-11-02", b"review_by = 9999-12-31")
    report = verify_bytes(data, "r.smcheck.toml", lookup=registry.lookup(), today=FIXED_NOW.date())
    assert not report.valid
    assert (
        "record.review_by: must be a date between 1970-01-01 and 9000-12-31, not 9999-12-31"
        in report.checks[0].summary
    )


# --- an approval statement, signed by any key at all ------------------------------------------------


def with_statement_time(record: Path, value: str) -> bytes:
    """The record with a reviewer's decision dated ``value``, signed by a key nobody trusts (anyone can
    append one: the signatures part is not signed)."""
    data = record.read_bytes()
    parsed = parse_record(data)
    statement = render_statement(
        Approval(
            parsed.record.id,
            sha256_hex(parsed.content),
            blob_sha256(next(s for s in parsed.seals if s.role == "proposer")),
            "reviewer",
            "approved",
            "mallory@example.com",
            FIXED_NOW,
            "",
        )
    )
    stamp = re.search(r"(?m)^time = .*$", statement)
    assert stamp is not None
    statement = statement.replace(stamp.group(0), f"time = {value}")
    blob = blob_of(sign(Ed25519PrivateKey.generate(), statement.encode(), "smcheck-approval"))
    return append_seal(data, Seal("sshsig", role="reviewer", statement=statement, sshsig=blob))


@pytest.mark.parametrize("value", EDGES, ids=EDGE_IDS)
def test_an_approval_dated_at_the_calendars_edge_fails_its_own_record_only(
    desk: Desk, value: str
) -> None:
    register = desk.root / "register"
    register.mkdir()
    good = desk.new(output="register/good.smcheck.toml")
    other = desk.new(output="register/other.smcheck.toml")
    other.write_bytes(with_statement_time(other, value))
    said = f"approval.time: {RANGE}, not {shown(value)}"

    code, output = desk.verify(other)
    assert code == 1 and "internal error" not in output
    assert "FAIL" in row(output, "approval") and said in flat(row(output, "approval"))

    code, output = invoke("verify", "--allowed-signers", str(desk.trust), "--json", str(register))
    assert code == 1 and output.count('"valid": true') == 1 and said in output

    code, output = invoke("status", "--allowed-signers", str(desk.trust), str(register))
    assert code == 1 and "other.smcheck.toml" in output and said in flat(output)
    assert "awaiting" in output  # the good record's row is there

    for command in (["show"], ["export"]):  # a view says what verify says, then what the file says
        code, output = invoke(*command, "--allowed-signers", str(desk.trust), str(other))
        assert code == 0 and "DOES NOT VERIFY" in output and said in flat(output), command
    code, output = invoke("diff", "--allowed-signers", str(desk.trust), str(good), str(other))
    assert code == 1 and "DOES NOT VERIFY (fails approval)" in output

    code, output = desk.approve(other, "reviewer")
    assert code == 1 and "does not verify" in flat(output) and said in flat(output)


def test_a_statement_time_in_range_is_read_as_utc() -> None:
    text = (
        "[approval]\n"
        f'record_id = "x"\ncontent_sha256 = "{"0" * 64}"\nproposer_signature_sha256 = "{"0" * 64}"\n'
        'role = "reviewer"\ndecision = "approved"\napprover = "a@b.c"\n'
        "time = 2026-11-02 10:30:00+01:00\n"
        'comment = ""\n'
    )
    time = parse_statement(text).time
    assert time == dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC) and time.tzinfo is dt.UTC


# --- a trust line's validity window -----------------------------------------------------------------


@pytest.mark.parametrize(
    "window",
    [
        'valid-after="00010101",valid-before="99991231235959Z"',
        'valid-after="19000101Z",valid-before="99991231"',
    ],
)
def test_a_trust_window_reaching_the_calendars_edges_is_no_crash(desk: Desk, window: str) -> None:
    desk.lines = [line.replace("namespaces=", f"{window},namespaces=") for line in desk.lines]
    desk.trust.write_text("\n".join(desk.lines) + "\n")
    record = desk.new()
    code, output = desk.approve(record, "reviewer")
    assert code == 0, output
    code, output = desk.verify(record)
    assert code == 0 and "internal error" not in output
    code, output = invoke("status", "--allowed-signers", str(desk.trust), str(desk.root))
    assert code == 0, output


def test_a_trust_window_that_closed_in_the_year_1_says_so_in_four_digits(desk: Desk) -> None:
    record = desk.new()
    desk.lines[0] = desk.lines[0].replace("namespaces=", 'valid-before="00010102",namespaces=')
    desk.trust.write_text("\n".join(desk.lines) + "\n")
    code, output = desk.verify(record)
    assert code == 1 and "internal error" not in output
    assert "0001-01-02 00:00:00 UTC" in flat(row(output, "signature"))


# --- a draft's saved and started times --------------------------------------------------------------


@pytest.fixture
def drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "drafts"
    folder.mkdir()
    monkeypatch.setenv("SMCHECK_DRAFTS", str(folder))
    return folder


def edge_draft(folder: Path, key: str, value: str) -> Path:
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    path = save_draft(
        folder / "edge.draft.toml", checklist, Progress(), FIXED_NOW.replace(microsecond=0)
    )
    text = path.read_text()
    text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    assert count == 1
    path.write_text(text)
    return path


@pytest.mark.parametrize("key", ["saved", "started"])
@pytest.mark.parametrize("value", [LATE, EARLY], ids=EDGE_IDS[:2])
def test_a_draft_dated_at_the_calendars_edge_is_listed_as_unreadable(
    drafts: Path, key: str, value: str
) -> None:
    path = edge_draft(drafts, key, value)
    said = f"draft.{key}: {RANGE}, not {value}"
    with pytest.raises(FileProblem, match=re.escape(said)):
        load_draft(path)
    code, output = invoke("drafts")
    assert code == 0 and "unreadable" in output
    code, output = invoke("status", str(drafts))
    assert code == 1 and said in flat(output)
    code, output = invoke("drafts", "discard", "--yes", str(path))
    assert code == 0 and not path.exists()


def test_an_unreadable_draft_whose_file_time_is_beyond_the_calendar_is_listed(
    drafts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tmpfs keeps a modification time in the year 33658 (``touch -d @1000000000000``); a draft that
    cannot be read is listed by its file's time, which must not crash the listing."""
    import os

    broken = drafts / "broken.draft.toml"
    broken.write_text("not a draft")
    real = os.lstat

    def lstat(path: str | os.PathLike[str]) -> os.stat_result:
        found = real(path)
        if str(path) != str(broken):
            return found
        fields = list(found)
        fields[8] = 10**12  # st_mtime as an integer; the float field follows it
        return os.stat_result((*fields[:10],), {"st_mtime": 1e12})

    monkeypatch.setattr(os, "lstat", lstat)
    code, output = invoke("drafts")
    assert code == 0 and "broken.draft.toml" in output and "unreadable" in output
    assert re.search(r"saved (1970-01-01|1969-12-31) ", output)  # the epoch, in local time


def test_the_register_orders_by_time_without_a_floor_that_overflows() -> None:
    from smcheck.register import Entry

    def entry(path: str, when: dt.datetime | None) -> Entry:
        return Entry(path, "chan", (), RowState.APPROVED, None, when, "", ())

    rows = arrange([entry("a", None), entry("b", LATEST), entry("c", EARLIEST)])
    assert [r.path for r in rows] == ["b"]
    assert "also a" in rows[0].notes[0] and "also c" in rows[0].notes[1]


# --- a sign-off in the future -----------------------------------------------------------------------


def ahead(now: dt.datetime) -> dt.datetime:
    """A sign-off time beyond the clock skew, later today (UTC) when there is time left today: the
    old rule refused only a date after today."""
    later = now.replace(microsecond=0) + dt.timedelta(hours=1)
    if later.date() != now.date():
        later = now.replace(hour=23, minute=59, second=59, microsecond=0)
    if later <= now + CLOCK_SKEW + dt.timedelta(minutes=1):
        later = now.replace(microsecond=0) + dt.timedelta(hours=1)  # the day's last minutes
    return later


def future_record(desk: Desk, created: dt.datetime, *, signed: bool = True) -> Path:
    data = make_record_bytes(now=created)
    if signed:
        key = key_ref(desk.keys["proposer"]).unlock()
        data = append_seal(data, seal_record(key, parse_record(data).content))
    path = desk.root / "future.smcheck.toml"
    path.write_bytes(data)
    return path


FUTURE = re.compile(
    r"signed off at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC, later than now \(([-\d: ]+) UTC\): a record"
    r" cannot be signed off in the future"
)


def test_verify_refuses_a_sign_off_later_today() -> None:
    now = dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.UTC)
    data = make_record_bytes(now=dt.datetime(2026, 12, 2, 23, 50, tzinfo=dt.UTC))
    report = verify_bytes(
        data,
        "r.smcheck.toml",
        lookup=registry.lookup(),
        today=now.date(),
        demands=Demands(now=now),
    )
    signoff = next(c for c in report.checks if c.check == "signoff")
    assert signoff.verdict is Verdict.FAIL and signoff.code == "signoff-future"
    assert (
        "signed off at 2026-12-02 23:50 UTC, later than now (21:30 UTC): a record cannot be signed"
        " off in the future" in signoff.summary
    )
    assert not report.valid


def test_a_sign_off_within_the_clock_skew_stands() -> None:
    now = dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.UTC)
    data = make_record_bytes(now=now + CLOCK_SKEW)
    report = verify_bytes(
        data, "r.smcheck.toml", lookup=registry.lookup(), today=now.date(), demands=Demands(now=now)
    )
    assert report.valid, report.checks


def test_verify_fails_a_signed_record_dated_ahead(desk: Desk) -> None:
    record = future_record(desk, ahead(dt.datetime.now(dt.UTC)))
    code, output = desk.verify(record)
    assert code == 1 and FUTURE.search(flat(row(output, "sign-off")))


def test_sign_refuses_a_record_dated_ahead(desk: Desk) -> None:
    record = future_record(desk, ahead(dt.datetime.now(dt.UTC)), signed=False)
    before = record.read_bytes()
    code, output = invoke("sign", "--key", str(desk.keys["proposer"]), str(record))
    assert code == 1 and FUTURE.search(flat(output)) and "it was not signed" in output
    assert record.read_bytes() == before


def test_approve_refuses_a_record_dated_ahead_with_the_reason(desk: Desk) -> None:
    record = future_record(desk, ahead(dt.datetime.now(dt.UTC)))
    before = record.read_bytes()
    code, output = desk.approve(record, "reviewer")
    assert code == 1 and FUTURE.search(flat(output))
    assert "before the record was signed off" not in output
    assert record.read_bytes() == before


def test_approve_within_the_skew_says_the_proposers_clock_runs_ahead(desk: Desk) -> None:
    created = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=3)
    record = future_record(desk, created)
    before = record.read_bytes()
    code, output = desk.approve(record, "reviewer")
    assert code == 1, output
    assert "the proposer's clock runs ahead of yours" in flat(output)
    assert f"approve it after {words(created)}" in flat(output)
    assert "before the record was signed off" not in output
    assert record.read_bytes() == before


def test_new_refuses_to_replay_a_record_dated_ahead(desk: Desk) -> None:
    record = future_record(desk, ahead(dt.datetime.now(dt.UTC)))
    out = desk.root / "again.smcheck.toml"
    code, output = invoke("new", "--answers", str(record), "--output", str(out))
    assert code == 1 and FUTURE.search(flat(output)) and not out.exists()

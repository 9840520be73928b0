"""The checklist in force (issue 16, point 1): a version says when it takes effect and how long the one
before stays accepted; a record signed off under an older version after that is refused by ``new``,
``sign``, ``approve`` and verify, with the command that renews it; one signed off before stays valid,
and the register flags and counts it for a re-review. Archived versions stay byte for byte as they are.

Time is fixed by replacing :func:`smcheck.session.utcnow` (what ``new``, ``sign`` and ``approve`` ask)
and by verify's own ``today``/``Demands.now``: nothing here depends on the day the tests run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.desk import PROPOSER_EMAIL, runner
from helpers.records import (
    DATA,
    FIXED_NOW,
    OLD_EXAMPLE_ANSWERS,
    ROOT,
    make_record_bytes,
)

from smcheck import registry, session
from smcheck.checklist import Checklist, Takes, version_key
from smcheck.cli import app
from smcheck.errors import FileProblem, SmcheckError
from smcheck.formats.json import report_json
from smcheck.formats.text import FolderReporter
from smcheck.interview import Progress
from smcheck.layout import append_seal, parse_record
from smcheck.loader import lint_checklist, load_checklist, load_versions
from smcheck.report import said
from smcheck.trust.keys import LocalKey, generate_key_pair
from smcheck.trust.signing import seal_record
from smcheck.verify import Demands, Report, Verdict, verify_bytes

ESSEX = "essex-social-media"
ARCHIVED = ROOT / "checklists" / "archive" / "essex-social-media-1.1.0.toml"
LATE = dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC)
"""A sign-off after 1.2.0 took effect (2026-12-02) and its 30 days of grace were over."""
LAST_GRACE_DAY = dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC)
NEXT_DAY = dt.datetime(2027, 2, 11, 10, 0, tzinfo=dt.UTC)
REVIEWER = "dmo@essex.ac.uk"


@pytest.fixture(scope="module")
def old() -> Checklist:
    found = registry.archived(ESSEX, "1.1.0")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def late_record(old: Checklist) -> bytes:
    """An unsigned record made today (after the grace) with the archived checklist."""
    return make_record_bytes(old, now=LATE)


@pytest.fixture(scope="module")
def early_record(old: Checklist) -> bytes:
    """An unsigned record made under 1.1.0 before 1.2.0 took effect."""
    return make_record_bytes(old, now=FIXED_NOW)


def check(data: bytes, *, now: dt.datetime, source: str = "r.smcheck.toml") -> Report:
    return verify_bytes(
        data, source, lookup=registry.lookup(), today=now.date(), demands=Demands(now=now)
    )


def row(report: Report, check_id: str = "checklist") -> tuple[Verdict, str, str]:
    found = next(c for c in report.checks if c.check == check_id)
    return found.verdict, found.code, found.summary


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    """The time ``new``, ``sign`` and ``approve`` take as now: set ``at[0]``."""
    moment = [NEXT_DAY]
    monkeypatch.setattr(session, "utcnow", lambda: moment[0])
    yield moment


# -- the data: the archive unchanged, 1.2.0 dated by the versions file ---------------------------------


def test_the_archived_and_the_shipped_versions_keep_their_bytes() -> None:
    # Their digests are pinned in every record made with them: neither file may change.
    assert hashlib.sha256(ARCHIVED.read_bytes()).hexdigest() == (
        "d45838c2bcb918ffd83800f7846b093befe32a8cfa3c66fa912768433bf1e8e8"
    )
    # 1.2.0, archived byte for byte when 1.3.0 shipped: the digest its records pin.
    archived = ROOT / "checklists" / "archive" / "essex-social-media-1.2.0.toml"
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == (
        "a74b0be332422ae96cfa6c2da1b37c9554446a0e8a3a2713e16dae98c1e034c6"
    )
    # 1.3.0, archived byte for byte when 1.3.1 shipped.
    archived = ROOT / "checklists" / "archive" / "essex-social-media-1.3.0.toml"
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == (
        "6455973b7955f3722241933bb6d4d16d122a6a7d015ff9bc1c958d0a3bed4d16"
    )
    current = ROOT / "checklists" / "essex-social-media.toml"
    assert hashlib.sha256(current.read_bytes()).hexdigest() == (
        "05274a0d4d2a43f4852ec5281a55b4a7cf7ee4dfa05c3325913a90679f1d6389"
    )


def test_1_2_0_took_effect_on_the_day_it_shipped_with_30_days_of_grace() -> None:
    # 1.2.0 is dated by the versions file; 1.3.0 says it in its own file.
    assert registry.takes(ESSEX) == (
        Takes("1.2.0", dt.date(2026, 12, 2), 30),
        Takes("1.3.0", dt.date(2026, 12, 3), 30),
    )
    takes = registry.takes(ESSEX)[0]
    assert (takes.accepted_until, takes.refused_from) == (
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 1),
    )
    # Every version the versions file lists is one smcheck ships (current or archived).
    listed = load_versions(registry.checklists_dir() / "archive" / registry.VERSIONS_FILE)
    for cid, items in listed.items():
        current = registry.by_id(cid)
        for item in items:
            assert (current is not None and current.version == item.version) or registry.archived(
                cid, item.version
            ), (cid, item.version)
    assert registry.takes("tiny-club") == () and registry.takes("../x") == ()


def test_versions_are_ordered_by_their_numbers() -> None:
    assert version_key("1.10.0") > version_key("1.9.0")  # type: ignore[operator]
    assert version_key("1.2") == version_key("1.2.0")
    assert version_key("1.2.0-rc1") is None and version_key("one") is None


# -- verify ---------------------------------------------------------------------------------------------


def test_verify_refuses_a_record_made_under_an_old_version_after_the_grace(
    late_record: bytes,
) -> None:
    report = check(late_record, now=NEXT_DAY, source="-late record.smcheck.toml")
    assert not report.valid
    assert [c.check for c in report.checks if c.verdict is Verdict.FAIL] == ["checklist"]
    verdict, code, summary = row(report)
    assert (verdict, code) == (Verdict.FAIL, "checklist-superseded")
    assert summary.endswith(
        "made under essex-social-media 1.1.0 on 2027-02-10, after 1.2.0 took effect (2026-12-02,"
        " accepted until 2026-12-31): run smcheck renew './-late record.smcheck.toml' to answer"
        " the checklist in force"
    ) and summary.startswith("made under")
    # Its answers are still judged against its own version.
    assert row(report, "answers")[0] is Verdict.PASS
    # Giving the archived file itself (verify --checklist) changes nothing: the rule is the record's.
    given = verify_bytes(
        late_record,
        "r.smcheck.toml",
        lookup=registry.lookup(registry.archived(ESSEX, "1.1.0")),
        today=NEXT_DAY.date(),
        demands=Demands(now=NEXT_DAY),
    )
    assert row(given)[:2] == (Verdict.FAIL, "checklist-superseded")
    findings = report_json(report)["findings"]
    assert isinstance(findings, list)
    assert [f["code"] for f in findings] == ["checklist-superseded"]


def test_a_record_signed_off_on_the_last_day_of_grace_stays_valid(old: Checklist) -> None:
    report = check(make_record_bytes(old, now=LAST_GRACE_DAY), now=NEXT_DAY)
    assert report.valid and row(report)[0] is Verdict.PASS


def test_a_record_made_before_the_new_version_took_effect_stays_valid(early_record: bytes) -> None:
    # Judged before 1.2.0 took effect: nothing to say.
    before = check(early_record, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert before.valid and before.rereview is None
    assert "re-review" not in row(before)[2]
    # Judged after: still valid, and flagged for a re-review under the version in force.
    after = check(early_record, now=NEXT_DAY)
    assert after.valid and after.rereview == "1.3.0"
    assert row(after)[2] == (
        "essex-social-media 1.1.0, digest equal to essex-social-media-1.1.0.toml;"
        " 1.3.0 in force since 2026-12-03: re-review under 1.3.0"
    )
    assert report_json(after)["rereview_under"] == "1.3.0"
    # A record made under the version in force is not flagged.
    current = check(make_record_bytes(now=FIXED_NOW), now=NEXT_DAY)
    assert current.valid and current.rereview is None
    assert "rereview_under" not in report_json(current)


# -- new ------------------------------------------------------------------------------------------------


def test_new_with_an_archived_checklist_after_the_grace_is_refused(
    at: list[dt.datetime], tmp_path: Path
) -> None:
    out = tmp_path / "r.smcheck.toml"
    args = ["new", "--answers", str(OLD_EXAMPLE_ANSWERS), "--checklist", str(ARCHIVED)]
    at[0] = LATE
    result = runner.invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 1, result.output
    assert (
        "essex-social-media 1.1.0 is no longer accepted for new sign-offs: 1.2.0 took effect on"
        " 2026-12-02, and 1.1.0 was accepted until 2026-12-31" in " ".join(result.output.split())
    )
    assert "answer the checklist in force:" in result.output and "--checklist" in result.output
    assert not out.exists()
    # Within the grace it is still accepted, said so, and the record verifies.
    at[0] = LAST_GRACE_DAY
    result = runner.invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "smcheck: note: essex-social-media 1.1.0 is superseded: 1.3.0 took effect on 2026-12-03;"
        " a sign-off under 1.1.0 is accepted until 2026-12-31, and the register asks for a"
        " re-review under 1.3.0\n" in result.stderr
    )
    assert check(out.read_bytes(), now=NEXT_DAY).valid


def test_the_interview_under_a_superseded_version_is_refused_before_any_question(
    at: list[dt.datetime], old: Checklist, tmp_path: Path
) -> None:
    at[0] = LATE
    draft = tmp_path / "x.draft.toml"
    with pytest.raises(SmcheckError) as caught:
        session.interview_to_record(
            old, Progress(), draft, LATE, None, False, None, resumed=True, plain=True
        )
    assert caught.value.message.startswith("essex-social-media 1.1.0 is no longer accepted")
    assert caught.value.hint is not None
    assert f"new --resume {draft} --checklist essex-social-media" in caught.value.hint
    assert not draft.exists()


# -- sign and approve -------------------------------------------------------------------------------------


def fixed_key(name: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(name.encode()).digest())


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Key files for the proposer and the reviewer, and a trust file naming both."""
    root = tmp_path_factory.mktemp("desk")
    lines = []
    for name, principal, namespace in (
        ("proposer", PROPOSER_EMAIL, "smcheck-record"),
        ("reviewer", REVIEWER, "smcheck-approval"),
    ):
        generate_key_pair(root / name, passphrase=None, comment=name)
        public = (root / f"{name}.pub").read_text().split()
        lines.append(f'{principal} namespaces="{namespace}" {public[0]} {public[1]}')
    lines.append(
        f'{PROPOSER_EMAIL} namespaces="smcheck-record" {LocalKey(fixed_key("p")).public.openssh()}'
    )
    (root / "allowed_signers").write_text("\n".join(lines) + "\n")
    return root


def trusting(desk: Path) -> list[str]:
    return ["--allowed-signers", str(desk / "allowed_signers")]


def signed(data: bytes) -> bytes:
    return append_seal(data, seal_record(fixed_key("p"), parse_record(data).content))


def test_sign_refuses_a_record_made_under_an_old_version_after_the_grace(
    at: list[dt.datetime], desk: Path, late_record: bytes, tmp_path: Path
) -> None:
    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(late_record)
    result = runner.invoke(
        app,
        ["sign", str(record), "--key", str(desk / "proposer"), *trusting(desk)],
    )
    assert result.exit_code == 1, result.output
    said_ = " ".join(result.output.split())
    assert "does not verify (checklist: made under essex-social-media 1.1.0 on 2027-02-10" in said_
    assert "renew" in said_ and "it was not signed" in said_
    assert record.read_bytes() == late_record


def approve(desk: Path, record: Path) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["approve", str(record), "--key", str(desk / "reviewer"), *trusting(desk)],
    )
    return result.exit_code, " ".join(result.output.split())


def test_approve_refuses_a_record_made_under_an_old_version_after_the_grace(
    at: list[dt.datetime], desk: Path, late_record: bytes, tmp_path: Path
) -> None:
    record = tmp_path / "r.smcheck.toml"
    data = signed(late_record)
    record.write_bytes(data)
    code, output = approve(desk, record)
    assert code == 1, output
    assert "does not verify (checklist: made under essex-social-media 1.1.0 on 2027-02-10" in output
    assert "nothing was decided" in output
    assert record.read_bytes() == data


def test_approve_accepts_a_record_made_before_the_new_version_took_effect(
    at: list[dt.datetime], desk: Path, early_record: bytes, tmp_path: Path
) -> None:
    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(signed(early_record))
    code, output = approve(desk, record)
    assert code == 0, output
    report = check(record.read_bytes(), now=NEXT_DAY)
    assert report.valid and report.rereview == "1.3.0"


# -- the register -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, early_record: bytes) -> Path:
    """A register: a channel on a 1.1.0 record (before 1.2.0), and another on a 1.2.0 record."""
    root = tmp_path_factory.mktemp("register")
    (root / "old.smcheck.toml").write_bytes(early_record)
    other = make_record_bytes(now=FIXED_NOW)
    other = other.replace(b'"@essexhistory"', b'"@essexarchives"').replace(
        b"/essexhistory/", b"/essexarchives/"
    )
    from helpers.records import reseal

    (root / "new.smcheck.toml").write_bytes(reseal(other))
    return root


def test_status_flags_and_counts_channels_made_under_a_superseded_version(folder: Path) -> None:
    result = runner.invoke(app, ["status", "--json", str(folder)])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["rereview"] == 1
    rows = {Path(r["path"]).name: r for r in found["channels"]}
    assert rows["old.smcheck.toml"]["rereview_under"] == "1.3.0"
    assert rows["old.smcheck.toml"]["detail"].endswith("; re-review under 1.3.0 (made under 1.1.0)")
    assert rows["new.smcheck.toml"]["rereview_under"] is None
    assert "re-review under" not in rows["new.smcheck.toml"]["detail"]
    text = runner.invoke(app, ["status", str(folder)])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0].endswith("; 1 to re-review under a newer checklist version")


def test_verify_folder_report_flags_and_counts_them(early_record: bytes) -> None:
    reporter = FolderReporter(total=2)
    flagged = check(early_record, now=NEXT_DAY, source="old.smcheck.toml")
    assert said(flagged).endswith("; re-review under 1.3.0")
    reporter.add(flagged)
    reporter.add(check(make_record_bytes(now=FIXED_NOW), now=NEXT_DAY, source="new.smcheck.toml"))
    assert reporter.counts().endswith(", 1 to re-review under a newer checklist version")


def test_status_shows_a_record_made_late_as_invalid_with_the_renew_command(
    late_record: bytes, tmp_path: Path
) -> None:
    report = check(late_record, now=NEXT_DAY, source=str(tmp_path / "late.smcheck.toml"))
    from smcheck.register import record_entry

    entry = record_entry(report, lookup=registry.lookup(), today=NEXT_DAY.date())
    assert entry.state == "invalid" and "checklist-superseded" not in entry.detail
    assert f"run smcheck renew {tmp_path}/late.smcheck.toml" in entry.detail


# -- the loader, lint and the schema ------------------------------------------------------------------------


def with_top(tmp_path: Path, lines: str, version: str = '"2.1"') -> Path:
    text = (
        (DATA / "tiny.toml").read_text().replace('version = "2.1"', f"version = {version}\n{lines}")
    )
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    return [line.removeprefix(f"{path}: ") for line in lint_checklist(path)]


def test_a_version_says_when_it_takes_effect(tmp_path: Path) -> None:
    loaded = load_checklist(with_top(tmp_path, "effective = 2027-06-01\ngrace_days = 14"))
    assert (loaded.effective, loaded.grace_days) == (dt.date(2027, 6, 1), 14)
    plain = load_checklist(DATA / "tiny.toml")
    assert (plain.effective, plain.grace_days) == (None, 0)


@pytest.mark.parametrize(
    ("lines", "version", "expected"),
    [
        (
            "grace_days = 30",
            '"2.1"',
            "grace_days: a grace period counts from the day the version"
            " takes effect: give effective too",
        ),
        (
            "effective = 2027-06-01\ngrace_days = 400",
            '"2.1"',
            "grace_days: must be between 0 and 366 days",
        ),
        (
            "effective = 2027-06-01\ngrace_days = -1",
            '"2.1"',
            "grace_days: must be between 0 and 366 days",
        ),
        (
            "effective = 1969-12-31",
            '"2.1"',
            "effective: must be a date between 1970-01-01 and 9000-12-31, not 1969-12-31",
        ),
        (
            "effective = 9999-12-31",
            '"2.1"',
            "effective: must be a date between 1970-01-01 and 9000-12-31, not 9999-12-31",
        ),
        (
            'effective = "2027-06-01"',
            '"2.1"',
            "effective: must be a date (like 2027-01-31), not a string",
        ),
        (
            "effective = 2027-06-01T10:00:00Z",
            '"2.1"',
            "effective: must be a date (like 2027-01-31), not a date and time",
        ),
        (
            "effective = 2027-06-01",
            '"2.1-beta"',
            "effective: needs a version of dotted numbers (like 1.3.0), not"
            " '2.1-beta', so that the versions it replaces are known",
        ),
    ],
)
def test_lint_refuses_bad_dates_and_grace_periods(
    tmp_path: Path, lines: str, version: str, expected: str
) -> None:
    path = with_top(tmp_path, lines, version)
    assert problems(path) == [expected]
    result = runner.invoke(app, ["checklist", "lint", str(path)])
    assert result.exit_code == 1, result.output


def test_the_checklist_schema_knows_effective_and_grace_days(tmp_path: Path) -> None:
    import tomllib

    import jsonschema

    result = runner.invoke(app, ["schema", "checklist"])
    schema = json.loads(result.stdout)
    check_ = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    data = tomllib.loads((DATA / "tiny.toml").read_text())
    good = {**data, "effective": "2027-06-01", "grace_days": 30}
    assert list(check_.iter_errors(good)) == []
    for bad in ({**data, "grace_days": 30}, {**data, "effective": "2027-06-01", "grace_days": 400}):
        assert list(check_.iter_errors(bad)) != []


def test_the_versions_file_is_read_strictly(tmp_path: Path) -> None:
    path = tmp_path / "versions.toml"
    path.write_text(
        "format = 1\n"
        '[[versions]]\nid = "essex-social-media"\nversion = "1.2.0"\neffective = 2026-12-02\n'
        '[[versions]]\nid = "essex-social-media"\nversion = "1.2"\neffective = 2026-12-03\n'
        '[[versions]]\nid = "Essex"\nversion = "x"\neffective = 1900-01-01\ngrace = 3\n'
    )
    with pytest.raises(FileProblem) as caught:
        load_versions(path)
    assert [line.removeprefix(f"{path}: ") for line in caught.value.problems] == [
        "versions[1].version: essex-social-media 1.2 is listed twice",
        "versions[2].id: must be a checklist id, like essex-social-media",
        "versions[2].version: must be dotted numbers, like 1.2.0",
        "versions[2].effective: must be a date between 1970-01-01 and 9000-12-31, not 1900-01-01",
        "versions[2].grace: unknown key",
    ]


def test_a_new_version_says_it_in_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later version (1.3.0) declares its own day; 1.2.0 keeps its bytes and is dated by the versions
    file; the ordering makes 1.1.0 and 1.2.0 both older than 1.3.0."""
    shipped = tmp_path / "checklists"
    (shipped / "archive").mkdir(parents=True)
    here = registry.checklists_dir()
    shutil.copyfile(ARCHIVED, shipped / "archive" / ARCHIVED.name)
    v120 = here / "archive" / "essex-social-media-1.2.0.toml"
    shutil.copyfile(v120, shipped / "archive" / "essex-social-media-1.2.0.toml")
    shutil.copyfile(
        here / "archive" / registry.VERSIONS_FILE, shipped / "archive" / registry.VERSIONS_FILE
    )
    text = v120.read_text()
    (shipped / "essex-social-media.toml").write_text(
        text.replace('version = "1.2.0"', 'version = "1.3.0"\neffective = 2027-06-01', 1)
    )
    monkeypatch.setattr(registry, "checklists_dir", lambda: shipped)
    for cache, empty in (("_takes", {}), ("_versions_file", []), ("_archive", {})):
        monkeypatch.setattr(registry, cache, empty)
    assert registry.takes(ESSEX) == (
        Takes("1.2.0", dt.date(2026, 12, 2), 30),
        Takes("1.3.0", dt.date(2027, 6, 1), 0),
    )
    june = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    assert registry.refused_at(ESSEX, "1.2.0", june) == registry.takes(ESSEX)[1]
    assert registry.refused_at(ESSEX, "1.2.0", june - dt.timedelta(seconds=1)) is None
    assert (
        registry.refused_at(ESSEX, "1.1.0", june) == registry.takes(ESSEX)[0]
    )  # the first to refuse it
    assert registry.superseded_on(ESSEX, "1.1.0", june.date()) == registry.takes(ESSEX)[1]
    assert registry.superseded_on(ESSEX, "1.3.0", june.date()) is None


def test_the_renewal_without_a_terminal_answers_the_checklist_in_force(
    at: list[dt.datetime], late_record: bytes, tmp_path: Path
) -> None:
    # What renew suggests where there is no terminal: the late record's answers, under the checklist in
    # force (1.3.0): its yes/no answers tick the boxes that replace them, its own texts are kept.
    old = tmp_path / "late.smcheck.toml"
    old.write_bytes(late_record)
    out = tmp_path / "renewed.smcheck.toml"
    result = runner.invoke(app, ["new", "--answers", str(old), "--agree", "--output", str(out)])
    assert result.exit_code == 0, result.output
    renewed = check(out.read_bytes(), now=NEXT_DAY)
    assert renewed.valid and renewed.record is not None
    assert renewed.record.checklist_version == "1.3.1" and renewed.rereview is None


def test_an_interview_that_runs_past_the_grace_is_refused_in_words(
    at: list[dt.datetime], old: Checklist, tmp_path: Path
) -> None:
    # Begun on the last day of grace, signed off the day after: the last check before writing says why.
    at[0] = LATE
    draft = tmp_path / "x.draft.toml"
    with pytest.raises(SmcheckError) as caught:
        session.refuse_unsound(make_record_bytes(old, now=LATE), old, LATE, draft)
    assert caught.value.message.startswith("essex-social-media 1.1.0 is no longer accepted")
    assert f"new --resume {draft} --checklist essex-social-media" in (caught.value.hint or "")

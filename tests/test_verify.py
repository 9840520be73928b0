"""``smcheck verify``: one test per check, bad files, re-serialisation, random damage, and the CLI.

Each check test alters a valid record so that exactly ONE check fails (``edit`` reseals the digest, as
anyone who edits a record can) and asserts every other check still passes. See
/work/shared/design/threat-model.md for the cases verify must withstand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import threading
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import pytest
import tomli_w
from helpers.records import (
    DATA,
    FIXED_ID,
    FIXED_NOW,
    TINY_WARNING_ANSWERS,
    edit,
    make_record_bytes,
    reseal,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smcheck import registry
from smcheck.checklist import Checklist
from smcheck.cli import app
from smcheck.errors import CannotOpen, FileProblem
from smcheck.formats.json import report_json
from smcheck.layout import MARKER, MAX_RECORD_BYTES, render
from smcheck.loader import load_checklist
from smcheck.outcome import evaluate
from smcheck.record import build_record, sha256
from smcheck.recordfile import open_record, read_limited
from smcheck.signoff import SignOff
from smcheck.text import shell_word
from smcheck.verify import CHECKS, Report, Verdict, verify_bytes, verify_path

TODAY = dt.date(2026, 12, 1)
"""A day after FIXED_NOW and before the example record's review-by date."""

CHECK_IDS = [check for check, _ in CHECKS]
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RECORD = make_record_bytes()
"""The valid Essex record (module level, so hypothesis tests need no function-scoped fixture)."""

SIGNOFF = SignOff("Ann Lee", "a.lee@example.ac.uk", "Secretary", "Chess Club")


# --------------------------------------------------------------------------------------------------
# Helpers


def lookup_of(*checklists: Checklist) -> Callable[[str], Checklist | None]:
    """A checklist lookup that knows only ``checklists``."""
    known = {c.id: c for c in checklists}
    return known.get


def check(
    data: bytes,
    checklist: Checklist | None = None,
    *,
    lookup: Callable[[str], Checklist | None] | None = None,
    today: dt.date = TODAY,
) -> Report:
    """Verify bytes; by default against the checklist passed (the Essex one when none is)."""
    if lookup is None:
        lookup = lookup_of(checklist) if checklist is not None else _essex_lookup
    report = verify_bytes(data, "record.smcheck.toml", lookup=lookup, today=today)
    assert [c.check for c in report.checks] == CHECK_IDS
    json.dumps(report_json(report))  # always serialisable
    return report


def _essex_lookup(checklist_id: str) -> Checklist | None:
    from smcheck import registry

    return registry.by_id(checklist_id) if checklist_id == "essex-social-media" else None


def row(report: Report, check_id: str) -> Any:
    return next(c for c in report.checks if c.check == check_id)


def assert_plain(message: str) -> None:
    """A message in plain words: a sentence, not a traceback, a repr of an exception or a blank."""
    assert isinstance(message, str)
    assert len(message) >= 5 and " " in message, message
    assert "Traceback" not in message and "Error(" not in message, message
    assert "\n" not in message, message


def assert_fails_only(
    report: Report, check_id: str, code: str, *, skipped: Iterable[str] = ()
) -> Any:
    """``check_id`` FAILs with ``code``; every other check PASSes or WARNs (``skipped`` ones SKIP)."""
    failing = row(report, check_id)
    assert failing.verdict is Verdict.FAIL, failing
    assert failing.code == code, failing
    assert_plain(failing.summary)
    for detail in failing.details:
        assert CODE.fullmatch(detail.code), detail
        assert_plain(detail.message)
    skipped = set(skipped)
    for other in report.checks:
        if other.check == check_id:
            continue
        expected = (
            {Verdict.SKIP} if other.check in skipped else {Verdict.PASS, Verdict.WARN, Verdict.INFO}
        )
        assert other.verdict in expected, other
    assert not report.valid
    findings = report_json(report)["findings"]
    assert isinstance(findings, list)
    assert any(f["check"] == check_id and f["code"] for f in findings)
    return failing


def assert_unreadable(report: Report, check_id: str, code: str) -> Any:
    """A file that could not be read as a record: ``check_id`` FAILs, earlier rows PASS, later SKIP."""
    failing = row(report, check_id)
    assert failing.verdict is Verdict.FAIL, failing
    assert failing.code == code, failing
    assert_plain(failing.summary)
    position = CHECK_IDS.index(check_id)
    for index, other in enumerate(report.checks):
        if index < position:
            assert other.verdict is Verdict.PASS, other
        elif index > position:
            assert other.verdict is Verdict.SKIP, other
    assert not report.valid
    assert report.record_id is None
    codes = [f["code"] for f in cast(list[dict[str, str]], report_json(report)["findings"])]
    assert code in codes
    return failing


def tiny_record(answers: dict[str, Any], tiny: Checklist) -> bytes:
    outcome = evaluate(tiny, answers, today=dt.date(2026, 11, 2))
    record = build_record(tiny, answers, outcome, SIGNOFF, now=FIXED_NOW, record_id=FIXED_ID)
    return render(record)


def content_of(data: bytes) -> bytes:
    return data[: data.index(MARKER)]


def modified_checklist(tmp_path: Path, source: Path, old: str = "", new: str = "") -> Checklist:
    """A copy of a checklist file, changed (by default only by an added comment), loaded."""
    text = source.read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    else:
        text += "\n# an edit made after records were signed against this file\n"
    copy = tmp_path / source.name
    copy.write_text(text, encoding="utf-8")
    return load_checklist(copy)


# --------------------------------------------------------------------------------------------------
# The valid baseline


def test_valid_record_passes_every_check(record_bytes: bytes) -> None:
    report = check(record_bytes)
    assert report.valid
    assert report.record_id == FIXED_ID
    states = {"signature": "unsigned", "approval": "not-approved", "cosign": "awaiting-cosign"}
    for result in report.checks:
        if result.check in states:
            # Not signed, not approved, awaiting the Advancement Office (the example contacts alumni):
            # states, not failures, until the reviewer requires them.
            assert (result.verdict, result.code) == (Verdict.INFO, states[result.check]), result
        else:
            assert result.verdict is Verdict.PASS, result
    assert "the Advancement Office" in row(report, "cosign").summary
    integrity = row(report, "integrity")
    assert integrity.code == "unsigned"
    assert "UNSIGNED" in integrity.summary


def test_record_with_warnings_is_valid_with_outcome_warn(tiny: Checklist) -> None:
    report = check(tiny_record(TINY_WARNING_ANSWERS, tiny), tiny)
    assert report.valid
    assert report.warnings == 1
    outcome = row(report, "outcome")
    assert (outcome.verdict, outcome.code) == (Verdict.WARN, "outcome-warnings")
    assert [d.where for d in outcome.details] == ["web.plain-http"]


# --------------------------------------------------------------------------------------------------
# well-formed: the strict schema


@pytest.mark.parametrize(
    ("old", "new", "code", "words"),
    [
        pytest.param(
            b"schema = 1\n",
            b'schema = 1\ncolour = "red"\n',
            "schema-invalid",
            "record.colour",
            id="unknown-key-in-record",
        ),
        pytest.param(
            b"[outcome]",
            b"[extra]\nx = 1\n\n[outcome]",
            "schema-invalid",
            "extra",
            id="unknown-table",
        ),
        pytest.param(
            b"created = 2026-11-02 09:30:00+00:00",
            b'created = "2026-11-02 09:30"',
            "schema-invalid",
            "record.created",
            id="created-a-string",
        ),
        pytest.param(
            b"created = 2026-11-02 09:30:00+00:00",
            b"created = 2026-11-02 09:30:00",
            "schema-invalid",
            "record.created",
            id="created-without-offset",
        ),
        pytest.param(
            b'id = "6f1c2d3e',
            b'id = "not-a-uuid-6f1c2d3e',
            "schema-invalid",
            "record.id",
            id="id-not-a-uuid",
        ),
        pytest.param(
            b'status = "ready"',
            b'status = "approved"',
            "schema-invalid",
            "outcome.status",
            id="unknown-status",
        ),
        pytest.param(
            b'version = "1.3.1"',
            b"version = 1",
            "schema-invalid",
            "checklist.version",
            id="version-not-a-string",
        ),
        pytest.param(
            b"schema = 1\n",
            b"schema = 1\nschema = 1\n",
            "toml-syntax",
            "not valid TOML",
            id="duplicate-key",
        ),
        pytest.param(
            b"schema = 1",
            b"schema = true",
            "not-a-record",
            "schema",
            id="schema-a-boolean",
        ),
        pytest.param(
            b"[record]\nschema = 1\n",
            b"[recorded]\nschema = 1\n",
            "not-a-record",
            "[record]",
            id="no-record-table",
        ),
        # "channel.platform" as one quoted key and [answers.channel] platform flatten to one question
        # id: the reader would see one answer and verify judge the other (threat model item 13).
        pytest.param(
            b"[outcome]",
            b'[answers]\n"channel.platform" = "facebook"\n\n[outcome]',
            "schema-invalid",
            "holds a dot",
            id="dotted-answer-key-shadows-an-answer",
        ),
    ],
)
def test_well_formed_strict_schema(
    record_bytes: bytes, old: bytes, new: bytes, code: str, words: str
) -> None:
    report = check(edit(record_bytes, old, new))
    failing = assert_unreadable(report, "well-formed", code)
    assert words in failing.summary


def test_dotted_answer_key_is_refused_whichever_comes_first(record_bytes: bytes) -> None:
    data = edit(
        record_bytes,
        b"[answers.channel]\n",
        b'[answers]\n"channel.platform" = "facebook"\n\n[answers.channel]\n',
    )
    assert_unreadable(check(data), "well-formed", "schema-invalid")


# --------------------------------------------------------------------------------------------------
# schema-version


def test_schema_version_unknown(record_bytes: bytes) -> None:
    report = check(edit(record_bytes, b"schema = 1", b"schema = 2"))
    failing = assert_unreadable(report, "schema-version", "schema-unknown")
    assert "schema 2" in failing.summary


# --------------------------------------------------------------------------------------------------
# checklist (threat model item 12)

NO_CHECKLIST = ("answers", "outcome", "cosign")


def test_checklist_unknown_id(record_bytes: bytes) -> None:
    data = edit(record_bytes, b'id = "essex-social-media"', b'id = "essex-social-media-2"')
    report = check(data)
    assert_fails_only(report, "checklist", "checklist-unknown", skipped=NO_CHECKLIST)
    assert "not compared" in row(report, "signoff").summary


def test_checklist_unknown_to_the_lookup(record_bytes: bytes) -> None:
    report = check(record_bytes, lookup=lambda _id: None)
    assert_fails_only(report, "checklist", "checklist-unknown", skipped=NO_CHECKLIST)


def test_checklist_other_version_in_record(record_bytes: bytes) -> None:
    data = edit(record_bytes, b'version = "1.3.1"', b'version = "0.9.0"')
    failing = assert_fails_only(check(data), "checklist", "checklist-version", skipped=NO_CHECKLIST)
    assert "0.9.0" in failing.summary


def test_a_record_made_against_an_earlier_shipped_version_still_verifies() -> None:
    """Upgrading smcheck must not make last year's records fail: the earlier version is kept in
    checklists/archive byte for byte, and checked like any other (its digest too)."""
    old = registry.archived("essex-social-media", "1.1.0")
    assert old is not None and old.version == "1.1.0"
    data = make_record_bytes(old)
    report = verify_bytes(
        data, "old.smcheck.toml", lookup=registry.lookup(), today=FIXED_NOW.date()
    )
    assert report.valid, [c for c in report.checks if c.verdict is Verdict.FAIL]
    checked = next(c for c in report.checks if c.check == "checklist")
    assert "1.1.0" in checked.summary and "essex-social-media-1.1.0.toml" in checked.summary
    # A version never shipped is still refused, with the hint.
    unknown = edit(data, b'version = "1.1.0"', b'version = "1.0.7"')
    assert registry.archived("essex-social-media", "1.0.7") is None
    report = verify_bytes(unknown, "x", lookup=registry.lookup(), today=FIXED_NOW.date())
    assert not report.valid


def test_an_archived_checklist_is_only_found_by_a_well_formed_id_and_version() -> None:
    assert registry.archived("../essex-social-media", "1.1.0") is None
    assert registry.archived("essex-social-media", "../../1.1.0") is None
    assert (
        registry.archived("essex-social-media", "1.3.1") is None
    )  # the current one is not archived
    archived = registry.archived("essex-social-media", "1.2.0")  # archived when 1.3.0 shipped
    assert archived is not None and archived.version == "1.2.0"


def test_checklist_other_version_given(
    record_bytes: bytes, essex: Checklist, tmp_path: Path
) -> None:
    newer = modified_checklist(tmp_path, essex.path, 'version = "1.3.1"', 'version = "1.4.0"')
    report = check(record_bytes, newer)
    assert_fails_only(report, "checklist", "checklist-version", skipped=NO_CHECKLIST)


def test_checklist_digest_differs(record_bytes: bytes, essex: Checklist, tmp_path: Path) -> None:
    changed = modified_checklist(tmp_path, essex.path)
    assert (changed.id, changed.version) == (essex.id, essex.version)
    assert changed.sha256 != essex.sha256
    report = check(record_bytes, changed)
    assert_fails_only(report, "checklist", "checklist-digest", skipped=NO_CHECKLIST)


def test_checklist_given_is_another_checklist(record_bytes: bytes, tiny: Checklist) -> None:
    report = check(record_bytes, lookup=lambda _id: tiny)
    assert_fails_only(report, "checklist", "checklist-mismatch", skipped=NO_CHECKLIST)


# --------------------------------------------------------------------------------------------------
# answers (threat model item 13)


@pytest.mark.parametrize(
    ("old", "new", "code", "question"),
    [
        pytest.param(
            b"existing_equivalent = false\n",
            b"",
            "answer-missing",
            "fit.existing_equivalent",
            id="required-missing",
        ),
        pytest.param(
            b'frequency = "daily"',
            b'frequency = "hourly"',
            "answer-invalid",
            "monitoring.frequency",
            id="not-a-choice",
        ),
        pytest.param(
            b"refer_dmo = true",
            b'refer_dmo = "true"',
            "answer-invalid",
            "monitoring.refer_dmo",
            id="string-true-for-yes-no",
        ),
        pytest.param(
            b"refer_dmo = true",
            b'refer_dmo = "yes"',
            "answer-invalid",
            "monitoring.refer_dmo",
            id="string-yes-for-yes-no",
        ),
        pytest.param(
            b"refer_dmo = true",
            b"refer_dmo = 1",
            "answer-invalid",
            "monitoring.refer_dmo",
            id="integer-for-yes-no",
        ),
        pytest.param(
            b"launch_date = 2027-01-18",
            b'launch_date = "2027-01-18"',
            "answer-invalid",
            "channel.launch_date",
            id="string-for-date",
        ),
        pytest.param(
            b"launch_date = 2027-01-18",
            b"launch_date = 2027-01-18T00:00:00",
            "answer-invalid",
            "channel.launch_date",
            id="datetime-for-date",
        ),
        pytest.param(
            b'name = "Essex History"',
            b'name = "Essex\\u001bHistory"',
            "answer-invalid",
            "channel.name",
            id="control-character",
        ),
        pytest.param(
            b'    "alumni",\n]\nlaunch_date',
            b'    "alumni",\n    "alumni",\n]\nlaunch_date',
            "answer-invalid",
            "channel.audiences",
            id="choice-twice",
        ),
        pytest.param(
            b"existing_equivalent = false\n",
            b'existing_equivalent = false\nadded_value = "More reach"\n',
            "answer-hidden",
            "fit.added_value",
            id="answer-to-hidden-question",
        ),
        pytest.param(
            b"[answers.channel]\n",
            b'[answers.channel]\ncolour = "blue"\n',
            "answer-unknown",
            "channel.colour",
            id="unknown-question",
        ),
        pytest.param(
            b"[outcome]",
            b'[answers.extra]\nnote = "x"\n\n[outcome]',
            "answer-unknown",
            "extra.note",
            id="unknown-section",
        ),
        pytest.param(
            b'name = "Essex History"',
            b'name = "Essex History "',
            "answer-not-normal",
            "channel.name",
            id="trailing-space",
        ),
        pytest.param(
            b'    "prospective-students",\n    "current-students",\n',
            b'    "current-students",\n    "prospective-students",\n',
            "answer-not-normal",
            "channel.audiences",
            id="choices-out-of-order",
        ),
        pytest.param(
            b'url = "https://www.instagram.com/',
            b'url = "www.instagram.com/',
            "answer-not-normal",
            "channel.url",
            id="web-address-without-https",
        ),
        pytest.param(
            b"launch_date = 2027-01-18",
            b'launch_date = "2027-01-18"',
            "answer-invalid",
            "channel.launch_date",
            id="date-in-quotes",  # an answers file may quote it; a record holds what smcheck wrote
        ),
    ],
)
def test_answers(record_bytes: bytes, old: bytes, new: bytes, code: str, question: str) -> None:
    report = check(edit(record_bytes, old, new))
    failing = assert_fails_only(report, "answers", code)
    assert (failing.details[0].code, failing.details[0].where) == (code, question)
    assert question in failing.summary


def test_answers_lists_every_problem(record_bytes: bytes) -> None:
    data = edit(record_bytes, b'frequency = "daily"', b'frequency = "hourly"')
    data = edit(data, b"refer_dmo = true", b'refer_dmo = "true"')
    failing = assert_fails_only(check(data), "answers", "answer-invalid")
    assert {d.where for d in failing.details} == {"monitoring.frequency", "monitoring.refer_dmo"}


# --------------------------------------------------------------------------------------------------
# outcome


def test_outcome_status_edited(record_bytes: bytes) -> None:
    data = edit(record_bytes, b'status = "ready"', b'status = "ready-with-warnings"')
    assert_fails_only(check(data), "outcome", "outcome-mismatch")


def test_outcome_blocked_status_claimed_for_a_ready_record(record_bytes: bytes) -> None:
    data = edit(record_bytes, b'status = "ready"', b'status = "blocked"')
    assert_fails_only(check(data), "outcome", "outcome-mismatch")


def test_outcome_action_removed(tiny: Checklist) -> None:
    data = tiny_record(TINY_WARNING_ANSWERS, tiny)
    stripped = re.sub(rb"\n\[\[outcome\.actions\]\]\n(?:[a-z_]+ = .*\n)+", b"", data)
    assert stripped != data
    stripped = edit(
        stripped,
        b'status = "ready-with-warnings"\n',
        b'status = "ready-with-warnings"\nactions = []\n',
    )
    failing = assert_fails_only(check(stripped, tiny), "outcome", "outcome-mismatch")
    assert ("outcome-missing-action", "web.plain-http") in {
        (d.code, d.where) for d in failing.details
    }


def test_outcome_action_and_status_removed(tiny: Checklist) -> None:
    data = tiny_record(TINY_WARNING_ANSWERS, tiny)
    stripped = re.sub(rb"\n\[\[outcome\.actions\]\]\n(?:[a-z_]+ = .*\n)+", b"", data)
    stripped = edit(
        stripped, b'status = "ready-with-warnings"\n', b'status = "ready"\nactions = []\n'
    )
    assert_fails_only(check(stripped, tiny), "outcome", "outcome-mismatch")


def test_outcome_action_invented(record_bytes: bytes) -> None:
    invented = (
        b'actions = [{ rule = "fit.no-added-value", level = "warning", question = "fit.added_value",'
        b' message = "m", action = "a", clauses = [] }]'
    )
    data = edit(record_bytes, b"actions = []", invented)
    failing = assert_fails_only(check(data), "outcome", "outcome-mismatch")
    assert "outcome-extra-action" in {d.code for d in failing.details}


def test_outcome_action_wording_changed(tiny: Checklist) -> None:
    data = tiny_record(TINY_WARNING_ANSWERS, tiny)
    data = edit(data, b"A website needs looking after.", b"A website is fine.")
    assert_fails_only(check(data, tiny), "outcome", "outcome-mismatch")


def test_outcome_blocked_honestly(tiny: Checklist) -> None:
    answers = {"club.name": "Chess Club", "club.kind": "sport", "club.has_owner": False}
    answers["web.sites"] = ("insta",)
    failing = assert_fails_only(
        check(tiny_record(answers, tiny), tiny), "outcome", "outcome-blocked"
    )
    assert "blocked" in failing.summary
    assert [d.where for d in failing.details] == ["club.no-owner"]


def test_outcome_referred_honestly(tiny: Checklist) -> None:
    answers = {"club.name": "Union Club", "club.kind": "union", "club.has_owner": True}
    answers |= {"club.owner_email": "u@example.ac.uk", "web.sites": ("insta",)}
    failing = assert_fails_only(
        check(tiny_record(answers, tiny), tiny), "outcome", "outcome-blocked"
    )
    assert "referred" in failing.summary


# --------------------------------------------------------------------------------------------------
# sign-off

SIGNOFF_NAME = b'[signoff]\nname = "Dr Helen Marsh"'
SIGNOFF_EMAIL = (
    b'email = "h.marsh@essex.ac.uk"\nrole = "Senior Lecturer and Director of Recruitment"\n'
)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        pytest.param(SIGNOFF_NAME, b'[signoff]\nname = ""', "signoff-incomplete", id="empty-name"),
        pytest.param(
            SIGNOFF_NAME,
            b'[signoff]\nname = "Dr Helen Marsh "',
            "signoff-incomplete",
            id="name-with-space",
        ),
        pytest.param(
            SIGNOFF_NAME,
            b'[signoff]\nname = "Dr\\u202eHelen"',
            "signoff-incomplete",
            id="name-with-bidi-override",
        ),
        pytest.param(
            SIGNOFF_EMAIL,
            SIGNOFF_EMAIL.replace(b"h.marsh@essex.ac.uk", b"h.marsh at essex"),
            "signoff-incomplete",
            id="bad-email",
        ),
        pytest.param(
            b"are true and complete.", b"are true.", "signoff-declaration", id="declaration-altered"
        ),
    ],
)
def test_signoff(record_bytes: bytes, old: bytes, new: bytes, code: str) -> None:
    assert record_bytes.count(old) == 1
    failing = assert_fails_only(check(edit(record_bytes, old, new)), "signoff", code)
    assert failing.details[0].code == code
    assert failing.details[0].where.startswith("signoff.")


# --------------------------------------------------------------------------------------------------
# integrity (threat model items 1 and 2)


def test_integrity_byte_changed_without_reseal(record_bytes: bytes) -> None:
    # A byte of a comment in the content: the data is the same, the bytes are not.
    data = record_bytes.replace(b"Attach this file", b"Attach this filE", 1)
    failing = assert_fails_only(check(data), "integrity", "digest-mismatch")
    assert "changed" in failing.summary


def test_integrity_answer_changed_without_reseal(record_bytes: bytes) -> None:
    data = record_bytes.replace(b'frequency = "daily"', b'frequency = "weekly"', 1)
    assert_fails_only(check(data), "integrity", "digest-mismatch")


def test_integrity_crlf_line_endings_everywhere(record_bytes: bytes) -> None:
    report = check(record_bytes.replace(b"\n", b"\r\n"))
    failing = assert_unreadable(report, "well-formed", "line-endings")
    assert "CRLF" in failing.summary


def test_integrity_crlf_in_the_content_only(record_bytes: bytes) -> None:
    content = content_of(record_bytes)
    data = content.replace(b"\n", b"\r\n") + record_bytes[len(content) :]
    failing = assert_fails_only(check(data), "integrity", "digest-mismatch")
    assert "CRLF" in failing.summary


@pytest.mark.parametrize("tail", [b"", b"\n", b"# nothing here\n", b"signature = []\n"])
def test_integrity_digest_missing(record_bytes: bytes, tail: bytes) -> None:
    data = record_bytes[: record_bytes.index(MARKER) + len(MARKER)] + tail
    assert_fails_only(check(data), "integrity", "digest-missing")


def test_integrity_two_digests(record_bytes: bytes) -> None:
    trailer = record_bytes[record_bytes.index(MARKER) + len(MARKER) :]
    assert_fails_only(check(record_bytes + trailer), "integrity", "digest-repeated")


def test_integrity_two_different_digests(record_bytes: bytes) -> None:
    extra = f'[[signature]]\nmethod = "sha256"\ndigest = "{"0" * 64}"\n'.encode()
    assert_fails_only(check(record_bytes + extra), "integrity", "digest-repeated")


def test_integrity_trailer_may_change_without_touching_the_content(record_bytes: bytes) -> None:
    """The trailing part is unsigned by design: spacing there does not change what was verified."""
    data = record_bytes.replace(b'method = "sha256"', b'method  =  "sha256"   # digest')
    assert check(data).valid


# --------------------------------------------------------------------------------------------------
# Re-serialised data fails against the original digest (threat model item 2)


def _redump(content: bytes) -> bytes:
    return tomli_w.dumps(tomllib.loads(content.decode())).encode()


def _reorder(content: bytes) -> bytes:
    return content.replace(b"schema = 1\nid = ", b"id = ").replace(
        b"created =", b"schema = 1\ncreated =", 1
    )


def _requote(content: bytes) -> bytes:
    return content.replace(b'id = "essex-social-media"', b"id = 'essex-social-media'")


def _comment(content: bytes) -> bytes:
    return content.replace(b"[signoff]\n", b"[signoff] # signed\n")


def _inline(content: bytes) -> bytes:
    return content.replace(b'version = "1.3.1"', b'"version" = "1.3.1"')


def _spacing(content: bytes) -> bytes:
    return content.replace(b"schema = 1", b"schema=1")


@pytest.mark.parametrize("rewrite", [_redump, _reorder, _requote, _comment, _inline, _spacing])
def test_same_data_reserialised_fails_integrity(
    record_bytes: bytes, rewrite: Callable[[bytes], bytes]
) -> None:
    content = content_of(record_bytes)
    rewritten = rewrite(content)
    assert rewritten != content
    assert tomllib.loads(rewritten.decode()) == tomllib.loads(content.decode())  # the same data
    data = rewritten + record_bytes[len(content) :]
    assert_fails_only(check(data), "integrity", "digest-mismatch")


# --------------------------------------------------------------------------------------------------
# review date


def test_review_date_overdue_warns_and_stays_valid(record_bytes: bytes) -> None:
    report = check(record_bytes, today=dt.date(2027, 11, 3))
    review = row(report, "review-date")
    assert (review.verdict, review.code) == (Verdict.WARN, "review-overdue")
    assert report.valid
    assert all(
        c.verdict in (Verdict.PASS, Verdict.INFO) for c in report.checks if c.check != "review-date"
    )


def test_review_date_on_the_day_passes(record_bytes: bytes) -> None:
    assert row(check(record_bytes, today=dt.date(2027, 11, 2)), "review-date").code == "ok"


@pytest.mark.parametrize("new", [b"review_by = 2028-11-02", b"review_by = 2027-11-01"])
def test_review_date_edited(record_bytes: bytes, new: bytes) -> None:
    data = edit(record_bytes, b"review_by = 2027-11-02", new)
    assert_fails_only(check(data), "review-date", "review-date-wrong")


def test_review_date_of_a_sign_off_at_the_end_of_time(record_bytes: bytes) -> None:
    """12 months after a sign-off in 9999 is past the last date Python has: the sign-off time is
    refused where it is read (smcheck.timeutil's range), a finding, not a crash."""
    data = edit(
        record_bytes,
        b"created = 2026-11-02 09:30:00+00:00",
        b"created = 9999-06-01 09:30:00+00:00",
    )
    report = check(data)
    failing = assert_unreadable(report, "well-formed", "schema-invalid")
    assert (
        "record.created: must be a time between 1970-01-01 and 9000-12-31 (UTC),"
        " not 9999-06-01 09:30:00+00:00" in failing.summary
    )
    assert not report.valid


# --------------------------------------------------------------------------------------------------
# Bad files (threat model items 15 and 16): each a clear FAIL with its code, never an exception


def _deep_content(nest: bytes) -> Callable[[bytes], bytes]:
    def make(data: bytes) -> bytes:
        return data.replace(MARKER, nest + b"\n" + MARKER)

    return make


_DRAFT_FILE = (
    b"# smcheck draft: unfinished answers. Nothing here is sent anywhere.\n"
    b"# Resume with: smcheck new --resume x.draft.toml\n\n"
    b'[draft]\nchecklist = "essex-social-media"\n\n[answers.channel]\nplatform = "instagram"\n'
    b"\n[signoff]\n"
)
"""A draft as smcheck writes one (the parts verify reads: no marker, no signatures)."""

BAD_FILES: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("empty", lambda d: b"", "empty"),
    ("blank", lambda d: b" \n\n\t\n", "empty"),
    ("binary", lambda d: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("nul-inside", lambda d: d.replace(b"Essex History", b"Essex\x00History", 1), "binary"),
    ("truncated-half", lambda d: d[: len(d) // 2], "no-marker"),
    ("truncated-in-trailer", lambda d: d[:-20], "toml-syntax"),
    ("truncated-in-marker", lambda d: d[: d.index(MARKER) + 20], "no-marker"),
    ("bom", lambda d: b"\xef\xbb\xbf" + d, "bom"),
    (
        "not-utf8",
        lambda d: d.replace(b"Essex History", "Essex Histöry".encode("latin-1"), 1),
        "not-utf8",
    ),
    ("utf16", lambda d: d.decode().encode("utf-16"), "binary"),
    ("huge", lambda d: d + b"#" * MAX_RECORD_BYTES, "too-large"),
    ("deep-arrays-no-marker", lambda d: b"a = " + b"[" * 100_000, "no-marker"),
    ("deep-arrays", _deep_content(b"a = " + b"[" * 100_000), "too-deep"),
    ("deep-arrays-closed", _deep_content(b"a = " + b"[" * 40 + b"]" * 40), "too-deep"),
    ("deep-inline-tables", _deep_content(b"a = " + b"{b = " * 50_000), "too-deep"),
    ("deep-dotted-key", _deep_content(b"a." * 100_000 + b"b = 1"), "too-deep"),
    ("deep-dotted-key-spaced", _deep_content(b'"a" . ' * 100_000 + b"b = 1"), "too-deep"),
    ("deep-table-header", _deep_content(b"[x." + b"a." * 5_000 + b"b]\nc = 1"), "too-deep"),
    (
        "deep-answers",
        lambda d: reseal(
            d.replace(
                b"[answers.channel]\n",
                b"[answers." + b"a." * 5_000 + b"b]\nc = 1\n\n[answers.channel]\n",
            )
        ),
        "too-deep",
    ),
    (
        "deep-answers-inline",
        lambda d: reseal(
            d.replace(
                b"[answers.channel]\n",
                b"[answers.z]\nx = {" + b"a." * 3_000 + b"b = 1}\n\n[answers.channel]\n",
            )
        ),
        "too-deep",
    ),
    (
        # Each key short enough for the scan before parsing, the whole far too deep for flatten().
        "deep-answers-nested-inline-keys",
        lambda d: reseal(
            d.replace(
                b"[answers.channel]\n",
                b"[answers.z]\nx = "
                + (b"{" + b"a." * 30 + b"b = ") * 100
                + b"1"
                + b"}" * 100
                + b"\n\n[answers.channel]\n",
            )
        ),
        "too-deep",
    ),
    (
        "deep-answers-header-and-key",
        lambda d: reseal(
            d.replace(
                b"[answers.channel]\n",
                b"[answers." + b"a." * 20 + b"b]\n" + b"c." * 20 + b"d = 1\n\n[answers.channel]\n",
            )
        ),
        "too-deep",
    ),
    ("deep-trailer", lambda d: d + b"x = " + b"[" * 100_000 + b"\n", "too-deep"),
    ("deep-trailer-dotted", lambda d: d + b"a." * 100_000 + b"b = 1\n", "too-deep"),
    ("no-marker", lambda d: d.replace(MARKER, b""), "no-marker"),
    # A draft sent or checked by mistake is named as one (smcheck.restore), with what finishes it.
    ("draft", lambda d: _DRAFT_FILE, "draft"),
    ("draft-without-comments", lambda d: _DRAFT_FILE.split(b"\n\n", 1)[1], "draft"),
    ("draft-with-bom", lambda d: b"\xef\xbb\xbf" + _DRAFT_FILE, "bom"),
    ("draft-table-too-far-in", lambda d: b"#" * 70_000 + b"\n[draft]\n", "no-marker"),
    ("draft-table-not-at-line-start", lambda d: b"x = 1 [draft]\n", "no-marker"),
    # So are the other files smcheck reads: an answers file, a checklist.
    ("answers-file", lambda d: b'[answers.channel]\nplatform = "instagram"\n', "answers-file"),
    (
        "answers-file-of-a-record",
        lambda d: d[: d.index(MARKER)].replace(b"[record]", b"[x]"),
        "answers-file",
    ),
    ("checklist", lambda d: registry.shipped_paths()[0].read_bytes(), "checklist"),
    ("record-content-alone", lambda d: d[: d.index(MARKER)], "no-marker"),
    ("other-toml", lambda d: b"answers = 1\nformat = 2\nsections = 3\n", "no-marker"),
    # And the key files a reviewer keeps beside the records.
    (
        "private-key",
        lambda d: (
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
        ),
        "private-key",
    ),
    (
        "public-key",
        lambda d: b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKjnl1xoNWVIVasEMC0h ann@laptop\n",
        "key-file",
    ),
    (
        "trust-file",
        lambda d: (
            b'# reviewers\nann@essex.ac.uk namespaces="smcheck-record" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKjnl1xoNWVIVasEMC0h\n'
        ),
        "key-file",
    ),
    ("key-type-in-prose", lambda d: b"use ssh-ed25519 keys, AAAA is not enough\n", "no-marker"),
    # Its kind is looked for in its first 64 KiB only (smcheck.filekinds), never by parsing it.
    ("answers-table-too-far-in", lambda d: b"#" * 70_000 + b"\n[answers.x]\n", "no-marker"),
    ("large-answers-file", lambda d: b"[answers.x]\n" + b"# " * 150_000 + b"\n", "answers-file"),
    ("marker-not-at-line-start", lambda d: d.replace(MARKER, b"x = 1 " + MARKER), "no-marker"),
    ("marker-twice", lambda d: d + MARKER, "marker-repeated"),
    (
        "marker-twice-in-content",
        lambda d: d.replace(b"[signoff]", MARKER + b"[signoff]"),
        "marker-repeated",
    ),
    (
        "marker-in-multiline-string",
        lambda d: d.replace(b"[signoff]", b'note = """\n' + MARKER + b'"""\n[signoff]'),
        "marker-repeated",
    ),
    ("trailer-smuggles-a-table", lambda d: d + b"[extra]\napproved = true\n", "trailer-invalid"),
    (
        "trailer-smuggles-answers",
        lambda d: d + b'[answers.channel]\nplatform = "tiktok"\n',
        "trailer-invalid",
    ),
    ("trailer-smuggles-a-key", lambda d: d + b'status = "ready"\n', "trailer-invalid"),
    (
        "trailer-smuggles-into-signature",
        lambda d: d + b'approved_by = "Digital Marketing Officer"\n',
        "trailer-invalid",
    ),
    (
        "trailer-digest-upper-case",
        lambda d: re.sub(
            rb'digest = "([0-9a-f]+)"', lambda m: b'digest = "' + m.group(1).upper() + b'"', d
        ),
        "trailer-invalid",
    ),
    (
        "trailer-unknown-method",
        lambda d: d.replace(b'method = "sha256"', b'method = "sha1"'),
        "trailer-invalid",
    ),
    (
        "trailer-signature-not-a-table",
        lambda d: d[: d.index(MARKER) + len(MARKER)] + b"signature = 1\n",
        "trailer-invalid",
    ),
    ("trailer-not-toml", lambda d: d + b"this is not toml\n", "toml-syntax"),
    ("trailer-bom", lambda d: d.replace(MARKER, MARKER + b"\xef\xbb\xbf"), "bom"),
    ("content-not-toml", lambda d: reseal(d.replace(b"[signoff]", b"[signoff")), "toml-syntax"),
    ("not-a-record", lambda d: b'title = "a TOML file"\n' + MARKER, "not-a-record"),
]


@pytest.mark.parametrize(("name", "damage", "code"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file(
    record_bytes: bytes, name: str, damage: Callable[[bytes], bytes], code: str
) -> None:
    report = check(damage(record_bytes))
    assert_unreadable(report, "well-formed", code)


def test_a_draft_given_to_verify_or_show_says_it_is_a_draft_and_how_to_finish_it(
    tmp_path: Path,
) -> None:
    draft = tmp_path / "my club.draft.toml"
    draft.write_bytes(_DRAFT_FILE)
    report = verify_path(draft, lookup=registry.lookup(), today=TODAY)
    row = next(r for r in report.checks if r.check == "well-formed")
    assert row.code == "draft"
    assert row.summary.startswith("the file is a draft (unfinished answers, never signed off)")
    assert (
        f"smcheck new --resume {shell_word(draft)}, then sends the record it writes" in row.summary
    )
    # Every command that reads a record reads it so: one line, naming the file.
    with pytest.raises(FileProblem) as caught:
        open_record(draft)
    assert "is a draft" in caught.value.message and str(draft) in caught.value.message


class _Reads:
    """What each read of a file asked for and got."""

    def __init__(self) -> None:
        self.asked: list[int] = []
        self.sizes: list[int] = []


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[_Reads]:
    """Every capped read of a file, recorded: what each read asked for and got."""
    from smcheck import fsutil

    seen: list[_Reads] = []
    real = fsutil.read_capped
    read = os.read

    def spy(fd: int, limit: int, size: int | None = None) -> bytes:
        reads = _Reads()
        seen.append(reads)

        def counted(at: int, asked: int) -> bytes:
            assert at == fd and asked >= 0, "read the whole file"
            reads.asked.append(asked)
            data = read(at, asked)
            reads.sizes.append(len(data))
            return data

        with monkeypatch.context() as patch:
            patch.setattr(os, "read", counted)
            return real(fd, limit, size)

    monkeypatch.setattr(fsutil, "read_capped", spy)
    return seen


def test_huge_file_is_not_read_whole(
    tmp_path: Path, record_bytes: bytes, opened: list[_Reads]
) -> None:
    path = tmp_path / "huge.smcheck.toml"
    with path.open("wb") as handle:
        handle.write(record_bytes)
        handle.truncate(64 * MAX_RECORD_BYTES)  # sparse: cheap to make, costly to read whole
    report = verify_path(path, lookup=_essex_lookup, today=TODAY)
    assert_unreadable(report, "well-formed", "too-large")
    assert sum(opened[-1].sizes) <= MAX_RECORD_BYTES + 1


def test_record_is_read_in_one_call_of_its_own_size(
    tmp_path: Path, record_bytes: bytes, opened: list[_Reads]
) -> None:
    """A record is read by asking for its size (plus one byte), not for the cap: asking for a megabyte
    allocates one, per record. One more byte is asked for, to see the end."""
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(record_bytes)
    assert read_limited(path) == record_bytes
    assert opened[-1].asked == [len(record_bytes) + 1, 1]
    assert opened[-1].sizes == [len(record_bytes), 0]


def test_a_file_that_grew_since_its_size_was_read_is_read_on_to_the_cap(
    tmp_path: Path, record_bytes: bytes
) -> None:
    """The size the file reported is only where reading starts: what it holds beyond is read, to the
    cap and no further."""
    from smcheck.fsutil import read_capped

    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(record_bytes)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_capped(fd, MAX_RECORD_BYTES, size=10) == record_bytes
        os.lseek(fd, 0, os.SEEK_SET)
        assert read_capped(fd, 100, size=10) == record_bytes[:101]
        os.lseek(fd, 0, os.SEEK_SET)
        assert read_capped(fd, 100) == record_bytes[:101]
    finally:
        os.close(fd)


def test_a_stream_without_a_size_is_read_to_the_cap(record_bytes: bytes) -> None:
    """A pipe reports size 0: read_capped reads on, still at most the cap plus one byte."""
    from smcheck.fsutil import read_capped

    for data, expected in ((record_bytes, record_bytes), (b"#" * (MAX_RECORD_BYTES + 100), None)):
        read_end, write_end = os.pipe()
        writer = threading.Thread(target=_write_ignoring_broken_pipe, args=(write_end, data))
        writer.start()
        try:
            try:
                got = read_capped(read_end, MAX_RECORD_BYTES)
            finally:
                os.close(read_end)
        finally:
            writer.join()
        assert got == expected if expected is not None else len(got) == MAX_RECORD_BYTES + 1


def test_a_fifo_named_like_a_record_is_refused_at_once(tmp_path: Path) -> None:
    """Nobody writes to it: reading it would wait for ever. It is refused unread, at once."""
    fifo = tmp_path / "pipe.smcheck.toml"
    os.mkfifo(fifo)
    with pytest.raises(CannotOpen, match=r"is a named pipe \(FIFO\), not a regular file: not read"):
        read_limited(fifo)


def _write_ignoring_broken_pipe(fd: int, data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError), os.fdopen(fd, "wb") as handle:
        handle.write(data)


def test_file_at_the_cap_is_read(tmp_path: Path, record_bytes: bytes) -> None:
    data = record_bytes + b"#" * (MAX_RECORD_BYTES - len(record_bytes) - 1) + b"\n"
    assert len(data) == MAX_RECORD_BYTES
    path = tmp_path / "big.smcheck.toml"
    path.write_bytes(data)
    assert verify_path(path, lookup=_essex_lookup, today=TODAY).valid


# --------------------------------------------------------------------------------------------------
# Random damage: never an exception, never valid unless the signed bytes are unchanged

CONTENT = content_of(RECORD)
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete"]), st.integers(0, 2**31), st.integers(0, 255)
    ),
    min_size=1,
    max_size=4,
)


def damage(data: bytes, edits: list[tuple[str, int, int]], limit: int) -> bytes:
    """Apply edits at positions below ``limit`` (clamped to the data's length)."""
    buffer = bytearray(data)
    for kind, position, value in edits:
        end = min(limit, len(buffer))
        if kind == "insert":
            buffer.insert(position % (end + 1), value)
        elif end:
            index = position % end
            if kind == "flip":
                buffer[index] ^= 1 << (value % 8)
            else:
                del buffer[index]
    return bytes(buffer)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_random_damage_anywhere_never_raises(edits: list[tuple[str, int, int]]) -> None:
    data = damage(RECORD, edits, len(RECORD))
    report = check(data)
    if report.valid:
        # Only the unsigned trailing part may differ: the content and the marker are exactly as signed.
        assert data.startswith(CONTENT + MARKER)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_random_damage_to_the_content_is_never_valid(edits: list[tuple[str, int, int]]) -> None:
    data = damage(RECORD, edits, len(CONTENT))
    report = check(data)
    if data == RECORD:  # an edit undone by another (a flip flipped back)
        assert report.valid
    else:
        assert not report.valid
        assert any(c.verdict is Verdict.FAIL for c in report.checks)


@settings(max_examples=100, deadline=None)
@given(junk=st.binary(max_size=2000))
def test_random_bytes_never_raise(junk: bytes) -> None:
    assert not check(junk).valid
    assert not check(junk + MARKER + RECORD[len(CONTENT) + len(MARKER) :]).valid


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_random_text_after_the_marker_never_raises(text: str) -> None:
    report = check(CONTENT + MARKER + text.encode("utf-8"))
    if report.valid:
        trailer = tomllib.loads(text)
        assert trailer == {"signature": [{"method": "sha256", "digest": sha256(CONTENT)}]}


# --------------------------------------------------------------------------------------------------
# The command line

runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    result = runner.invoke(app, ["verify", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def valid_file(tmp_path: Path, record_bytes: bytes) -> Path:
    path = tmp_path / "valid.smcheck.toml"
    path.write_bytes(record_bytes)
    return path


@pytest.fixture
def invalid_file(tmp_path: Path, record_bytes: bytes) -> Path:
    path = tmp_path / "invalid.smcheck.toml"
    path.write_bytes(edit(record_bytes, b"refer_dmo = true", b'refer_dmo = "true"'))
    return path


def test_cli_valid_record_exits_0(valid_file: Path) -> None:
    result = invoke(valid_file)
    assert result.exit_code == 0
    assert "VALID" in result.stdout and "INVALID" not in result.stdout
    assert "UNSIGNED" in result.stdout
    assert "records:" not in result.stdout  # one file: no summary line


def test_cli_invalid_record_exits_1(invalid_file: Path) -> None:
    result = invoke(invalid_file)
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
    assert "monitoring.refer_dmo" in result.stdout


def test_cli_malformed_file_counts_as_invalid(tmp_path: Path, valid_file: Path) -> None:
    empty = tmp_path / "empty.smcheck.toml"
    empty.write_bytes(b"")
    result = invoke(valid_file, empty)
    assert result.exit_code == 1
    assert "2 records: 1 invalid, 1 unsigned" in result.stdout


def test_cli_several_files_give_a_summary(valid_file: Path, invalid_file: Path) -> None:
    result = invoke(valid_file, invalid_file, valid_file)
    assert result.exit_code == 1
    assert result.stdout.count("=> ") == 1  # the rows of the record that fails, only
    assert result.stdout.rstrip().splitlines()[-1] == "3 records: 1 invalid, 2 unsigned"


def test_cli_unopenable_files_exit_2_and_others_are_reported(
    tmp_path: Path, valid_file: Path, invalid_file: Path
) -> None:
    missing = tmp_path / "missing.smcheck.toml"
    result = invoke(missing, valid_file, invalid_file)
    assert result.exit_code == 2
    assert str(valid_file) in result.stdout and str(invalid_file) in result.stdout
    assert "UNSIGNED" in result.stdout and "INVALID" in result.stdout
    assert "no such file" in result.stderr
    assert "3 records: 1 invalid, 1 unsigned, 1 could not be opened" in result.stdout


def test_cli_json(valid_file: Path, invalid_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.smcheck.toml"
    broken.write_bytes(b"\xef\xbb\xbf" + valid_file.read_bytes())
    result = invoke("--json", valid_file, invalid_file, broken)
    assert result.exit_code == 1
    objects = json.loads(result.stdout)
    assert [o["path"] for o in objects] == [str(valid_file), str(invalid_file), str(broken)]
    assert [o["valid"] for o in objects] == [True, False, False]
    for obj in objects:
        assert {"path", "valid", "checks", "findings"} <= set(obj)
        assert [c["check"] for c in obj["checks"]] == CHECK_IDS
        for entry in obj["checks"]:
            assert entry["status"] in {"PASS", "WARN", "FAIL", "SKIP", "INFO"}
            assert CODE.fullmatch(entry["code"]), entry
        for finding in obj["findings"]:
            assert CODE.fullmatch(finding["code"]), finding
            assert finding["status"] in {"FAIL", "WARN"}
    assert objects[0]["findings"] == []
    assert objects[0]["record_id"] == FIXED_ID
    assert [(f["code"], f["where"]) for f in objects[1]["findings"]] == [
        ("answer-invalid", "monitoring.refer_dmo")
    ]
    assert [f["code"] for f in objects[2]["findings"]] == ["bom"]


def test_cli_json_with_an_unopenable_file(valid_file: Path, tmp_path: Path) -> None:
    result = invoke("--json", valid_file, tmp_path / "missing.smcheck.toml")
    assert result.exit_code == 2
    objects = json.loads(result.stdout)
    assert len(objects) == 2
    missing = next(o for o in objects if o["path"].endswith("missing.smcheck.toml"))
    assert missing["valid"] is False and missing["error"]


def test_cli_checklist_path(tmp_path: Path, tiny: Checklist) -> None:
    path = tmp_path / "club.smcheck.toml"
    path.write_bytes(tiny_record(TINY_WARNING_ANSWERS, tiny))
    unknown = invoke("--json", path)
    assert unknown.exit_code == 1
    assert json.loads(unknown.stdout)[0]["checks"][2]["code"] == "checklist-unknown"
    given_file = invoke("--checklist", DATA / "tiny.toml", path)
    assert given_file.exit_code == 0, given_file.stdout
    assert "VALID (1 warning)" in given_file.stdout


def test_cli_checklist_path_of_a_changed_copy(
    tmp_path: Path, valid_file: Path, essex: Checklist
) -> None:
    changed = tmp_path / "changed" / essex.path.name
    changed.parent.mkdir()
    changed.write_bytes(essex.path.read_bytes() + b"\n# changed\n")
    result = invoke("--json", "--checklist", changed, valid_file)
    assert result.exit_code == 1
    checks = {c["check"]: c["code"] for c in json.loads(result.stdout)[0]["checks"]}
    assert checks["checklist"] == "checklist-digest"


def test_cli_checklist_of_another_version(
    tmp_path: Path, valid_file: Path, essex: Checklist
) -> None:
    newer = modified_checklist(tmp_path, essex.path, 'version = "1.3.1"', 'version = "2.0.0"')
    result = invoke("--checklist", newer.path, valid_file)
    assert result.exit_code == 1
    assert "2.0.0" in result.stdout


def test_dataclass_replace_lookup_is_honoured(record_bytes: bytes, essex: Checklist) -> None:
    """The lookup's checklist is the one judged against (its digest, not the shipped file's)."""
    other = essex._replace(sha256="0" * 64)
    assert_fails_only(
        check(record_bytes, other), "checklist", "checklist-digest", skipped=NO_CHECKLIST
    )


# -- the time of sign-off, as smcheck writes it -----------------------------------------------------


@pytest.mark.parametrize(
    ("written", "why"),
    [
        (
            b"created = 2026-11-02 10:30:00+01:00",
            "another offset: the review date would follow local time",
        ),
        (b"created = 2026-11-02 09:30:00.500000+00:00", "fractional seconds"),
    ],
)
def test_created_must_be_utc_whole_seconds(record_bytes: bytes, written: bytes, why: str) -> None:
    data = edit(record_bytes, b"created = 2026-11-02 09:30:00+00:00", written)
    failing = assert_unreadable(check(data), "well-formed", "schema-invalid")
    assert "record.created: must be a UTC time in whole seconds" in failing.summary, why


def test_a_sign_off_after_today_fails_the_sign_off_check(record_bytes: bytes) -> None:
    report = check(record_bytes, today=FIXED_NOW.date() - dt.timedelta(days=1))
    failing = assert_fails_only(report, "signoff", "signoff-future")
    assert "signed off on 2026-11-02, which is after today (2026-11-01)" in failing.summary


def test_json_lists_records_in_command_line_order(tmp_path: Path, record_bytes: bytes) -> None:
    good = tmp_path / "good.smcheck.toml"
    good.write_bytes(record_bytes)
    missing = tmp_path / "missing.smcheck.toml"
    result = CliRunner().invoke(app, ["verify", "--json", str(missing), str(good)])
    assert result.exit_code == 2
    objects = json.loads(result.stdout)
    assert [o["path"] for o in objects] == [str(missing), str(good)]
    assert objects[0].pop("register")["state"] == "invalid"  # the register's row, as status's
    assert objects[0] == {
        "path": str(missing),
        "valid": False,
        "state": "invalid",
        "error": "no such file",
        "folder_not_searched": False,
    }

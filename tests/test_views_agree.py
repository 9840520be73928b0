"""Every view takes its words and counts from verify's one result: the export's banner says the record's
state first (with who decided and their comment, or who must act, and every warning), verify's last line
counts the warnings its outcome row counts and prints each once, diff shows choices by their labels and
decisions with their comments, messages name only the options given, and no view prints the reviewer's
local path to their trust file."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.records import EXAMPLE_ANSWERS

from smcheck.cli import app

EXAMPLE = EXAMPLE_ANSWERS.read_text(encoding="utf-8")
TWO_WARNINGS = "\n".join(
    line
    # Nobody named as having agreed the marketing use: "agreed?" is filled in as no; then "will you
    # tell them?" is asked, and answered no.
    for line in EXAMPLE.replace(
        'kinds = ["marketing", "students", "alumni"]',
        'kinds = ["marketing", "students", "alumni"]\nstudents_monitoring = false',
    ).splitlines()
    if not line.startswith("marketing_contact")
)
COMMENT = "Not yet: name a deputy first."


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def export(desk: Desk, record: Path, fmt: str) -> str:
    code, out, err = invoke(
        "export", str(record), "--format", fmt, "--allowed-signers", str(desk.trust)
    )
    assert code == 0, err
    return out


def banner(page: str, fmt: str) -> str:
    """The banner: the lines before the document's first part, in Markdown; the banner's div in HTML."""
    if fmt == "md":
        return page[: page.index("## The record")]
    found = re.search(r'<div class="banner [^"]*" role="alert">.*?</div>', page, re.S)
    assert found is not None, page
    return found.group(0)


def answers(desk: Desk, name: str, text: str) -> str:
    path = desk.root / f"{name}.answers.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def states(desk: Desk) -> dict[str, Path]:
    """One record in each state verify knows a reviewer sees."""
    awaiting_reviewer = desk.new(output="reviewer.smcheck.toml")
    awaiting_cosign = desk.new(output="cosign.smcheck.toml")
    assert desk.approve(awaiting_cosign, "reviewer", "--comment", "Good plan.")[0] == 0
    approved = desk.new(output="approved.smcheck.toml")
    assert desk.approve(approved, "reviewer")[0] == 0
    assert desk.approve(approved, "advancement", "--role", "advancement-office")[0] == 0
    rejected = desk.new(output="rejected.smcheck.toml")
    assert (
        desk.approve(rejected, "reviewer", "--decision", "rejected", "--comment", COMMENT)[0] == 0
    )
    unsigned = desk.new(key=None, output="unsigned.smcheck.toml")
    invalid = desk.root / "invalid.smcheck.toml"
    invalid.write_bytes(
        approved.read_bytes().replace(b'name = "Essex History"', b'name = "Essex Hist0ry"')
    )
    return {
        "approved": approved,
        "awaiting-reviewer": awaiting_reviewer,
        "awaiting-cosign": awaiting_cosign,
        "rejected": rejected,
        "invalid": invalid,
        "unsigned": unsigned,
    }


EXPECTED = {
    "approved": (
        "Approved",
        "approved",
        [
            "checked against the reviewer's trust file: approved.",
            "the Digital Marketing Officer: approved by dmo@essex.ac.uk on ",
            "the Advancement Office: approved by p.shah@essex.ac.uk on ",
        ],
    ),
    "awaiting-reviewer": (
        "Awaiting a decision",
        "awaiting",
        ["awaiting the Digital Marketing Officer and the Advancement Office"],
    ),
    "awaiting-cosign": (
        "Awaiting a decision",
        "awaiting",
        [
            "awaiting the Advancement Office",
            "the Digital Marketing Officer: approved by dmo@essex.ac.uk on ",
            ": Good plan.",
        ],
    ),
    "rejected": (
        "Rejected",
        "rejected",
        [
            "rejected by the Digital Marketing Officer",
            "the Digital Marketing Officer: rejected by dmo@essex.ac.uk on ",
            COMMENT,
        ],
    ),
    "invalid": (
        "DOES NOT VERIFY",
        "invalid",
        ["smcheck verify refused this record", "signature: ", "does not match these bytes"],
    ),
    "unsigned": ("Unsigned", "awaiting", ["the proposer must sign it"]),
}


def test_the_export_banner_says_each_state_first(desk: Desk) -> None:
    records = states(desk)
    for state, record in records.items():
        mark, kind, words = EXPECTED[state]
        for fmt in ("md", "html"):
            page = export(desk, record, fmt)
            head = banner(page, fmt)
            if fmt == "md":
                assert head.startswith(
                    "# University of Essex: official social media channel checklist\n\n"
                    f"> **{mark}:** "
                ), (state, head)
            else:
                assert head.startswith(
                    f'<div class="banner {kind}" role="alert"><p><strong>{mark}:</strong> '
                ), (state, head)
                # The banner comes before anything the record says.
                assert page.index(head) < page.index("<h2>")
            plain = head.replace("\\", "") if fmt == "md" else html.unescape(head)
            for said in words:
                assert said in plain, (state, fmt, said, head)
            # Only a record that verifies and is approved is called so.
            assert ("Approved:" in head) == (state == "approved"), (state, head)
            assert "Verified" not in head, head


def test_the_banners_colours_are_red_amber_and_green() -> None:
    from smcheck.htmlpage import CSS

    assert re.search(r"\.banner\.invalid, \.banner\.rejected \{[^}]*#a00", CSS)
    assert re.search(r"\.banner\.awaiting \{[^}]*#8a5a00", CSS)
    assert re.search(r"\.banner\.approved \{[^}]*#060", CSS)


def test_warnings_are_counted_alike_and_printed_once(desk: Desk) -> None:
    record = desk.new("--answers", answers(desk, "warned", TWO_WARNINGS), output="w.smcheck.toml")
    code, out = desk.verify(record)
    assert code == 0, out
    assert re.search(r"WARN +outcome +ready, with 2 warnings for the reviewer$", out, re.M), out
    assert "=> VALID (2 warnings): awaiting" in out
    for rule in ("uses.marketing-not-agreed", "uses.students-not-monitored"):
        assert out.count(rule) == 1, out
    # A rejection is one more warning, counted as its row counts it.
    assert desk.approve(record, "reviewer", "--decision", "rejected", "--comment", COMMENT)[0] == 0
    _, out = desk.verify(record)
    assert "=> VALID (3 warnings): rejected by the Digital Marketing Officer" in out
    # The export lists the same warnings, once each, beside its banner.
    page = export(desk, record, "md")
    head = banner(page, "md")
    assert "> **Warnings (2):**" in head
    assert head.count("uses.marketing-not-agreed") == 1
    assert head.count("uses.students-not-monitored") == 1


def test_no_view_prints_the_reviewers_local_trust_file_path(desk: Desk) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    local = str(desk.trust.resolve())
    for fmt in ("md", "html"):
        page = html.unescape(export(desk, record, fmt)).replace("\\", "")
        assert local not in page and str(desk.root) not in page
        assert "checked against the reviewer's trust file" in page
        assert "the reviewer's trust file, line 1" in page  # the proposer's signature row
    # A proposer the trust file does not know: the refusal and its command name no local path.
    desk.new(key="attacker", output="stranger.smcheck.toml")
    stranger = Path("stranger.smcheck.toml")  # as the reviewer names it (the desk is the cwd)
    for fmt in ("md", "html"):
        page = html.unescape(export(desk, stranger, fmt)).replace("\\", "")
        assert "DOES NOT VERIFY" in page
        assert local not in page and str(desk.root) not in page
        assert "is not in the reviewer's trust file: anyone can make a key" in page
        assert "trust add stranger.smcheck.toml" in page


def test_diff_shows_choices_by_their_labels_and_decisions_with_their_comments(desk: Desk) -> None:
    old = desk.new(output="old.smcheck.toml")
    assert desk.approve(old, "reviewer", "--decision", "rejected", "--comment", COMMENT)[0] == 0
    again = EXAMPLE.replace('frequency = "daily"', 'frequency = "several-weekly"')
    new = desk.new("--answers", answers(desk, "again", again), output="new.smcheck.toml")
    code, out, _ = invoke("diff", "--allowed-signers", str(desk.trust), str(old), str(new))
    assert code == 1
    assert (
        "  ~ monitoring.frequency (How often will they check it?):"
        " Every working day -> Several times a week"
    ) in out.splitlines()
    assert "daily" not in out and "several-weekly" not in out
    assert re.search(
        rf"^  - reviewer: rejected by dmo@essex\.ac\.uk on \d{{4}}-\d\d-\d\d: {re.escape(COMMENT)}$",
        out,
        re.M,
    ), out
    assert "reviewer: signed" not in out
    # --json keeps the codes a script compares, with the words beside them.
    code, out, _ = invoke(
        "diff", "--json", "--allowed-signers", str(desk.trust), str(old), str(new)
    )
    changes = json.loads(out)["changes"]
    frequency = next(c for c in changes if c["what"] == "monitoring.frequency")
    assert (frequency["old"], frequency["new"]) == ("daily", "several-weekly")
    assert (frequency["old_text"], frequency["new_text"]) == (
        "Every working day",
        "Several times a week",
    )
    reviewer = next(c for c in changes if c["part"] == "signatures" and c["what"] == "reviewer")
    assert reviewer["kind"] == "removed" and reviewer["old"].endswith(f": {COMMENT}")


def test_approve_names_no_option_that_was_not_given(desk: Desk) -> None:
    unsigned = desk.new(key=None, output="u.smcheck.toml")
    before = unsigned.read_bytes()
    code, out = desk.approve(unsigned, "reviewer")
    assert code == 1
    assert "--require" not in out
    assert (
        "u.smcheck.toml is not signed by its proposer (UNSIGNED, integrity only): only a signed"
        " record can be approved or rejected; nothing was decided"
    ) in " ".join(out.split())
    assert unsigned.read_bytes() == before

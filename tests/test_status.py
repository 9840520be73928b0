"""smcheck status: the register, one row per channel, most urgent first; its HTML page in a real browser."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import EXAMPLE_ANSWERS
from test_signatures import Desk, open_desk, runner

from smcheck import registry
from smcheck.answers import apply_answers, load_answers_file
from smcheck.cli import app
from smcheck.outcome import evaluate
from smcheck.record import append_seal, build_record, read_layout, render
from smcheck.trust.keys import load_private_key
from smcheck.trust.policy import seal_record

TODAY = dt.datetime.now(dt.UTC)
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


def signed_record(
    desk: Desk,
    name: str,
    created: dt.datetime,
    *,
    handle: str,
    department: str = "Department of History",
) -> Path:
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    met = (
        (created - dt.timedelta(days=30)).date().isoformat()
    )  # the Advancement Office, before sign-off
    text = (
        EXAMPLE_ANSWERS.read_text()
        .replace("@essexhistory", handle)
        .replace('department = "Department of History"', f"department = {json.dumps(department)}")
        .replace("advancement_date = 2026-10-14", f"advancement_date = {met}")
    )
    answers_file = desk.root / f"{name}.answers.toml"
    answers_file.write_text(text)
    applied = apply_answers(checklist, load_answers_file(answers_file), today=created.date())
    assert not applied.problems and applied.signoff is not None
    record = build_record(
        checklist,
        applied.answers,
        evaluate(checklist, applied.answers, today=dt.date(2026, 11, 2)),
        applied.signoff,
        now=created,
    )
    data = render(record)
    data = append_seal(
        data, seal_record(load_private_key(desk.keys["proposer"]), read_layout(data)[0])
    )
    path = desk.root / "register" / f"{name}.smcheck.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def approve_fully(desk: Desk, path: Path, decision: str = "approved") -> None:
    assert desk.approve(path, "reviewer", "--decision", decision)[0] == 0
    if decision == "approved":
        assert desk.approve(path, "advancement", "--role", "advancement-office")[0] == 0


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture
def register(desk: Desk) -> Path:
    approve_fully(desk, signed_record(desk, "approved", TODAY, handle="@approved"))
    signed_record(desk, "awaiting", TODAY, handle="@awaiting", department=HOSTILE)
    approve_fully(desk, signed_record(desk, "rejected", TODAY, handle="@rejected"), "rejected")
    due = TODAY - dt.timedelta(days=365 - 10)
    approve_fully(desk, signed_record(desk, "due", due, handle="@due"))
    overdue = TODAY - dt.timedelta(days=400)
    approve_fully(desk, signed_record(desk, "overdue", overdue, handle="@overdue"))
    bad = signed_record(desk, "invalid", TODAY, handle="@invalid")
    bad.write_bytes(bad.read_bytes().replace(b"Priya Shah", b"Priya Shaw"))
    # An older record of the approved channel: the latest one stands for it.
    signed_record(desk, "approved-old", TODAY - dt.timedelta(days=30), handle="@approved")
    return desk.root / "register"


def test_states_sorted_by_urgency_with_counts(desk: Desk, register: Path) -> None:
    result = runner.invoke(
        app, ["status", "--json", "--allowed-signers", str(desk.trust), str(register)]
    )
    assert result.exit_code == 1  # one file does not verify
    data = json.loads(result.stdout)
    states = [(c["columns"]["Handle"], c["state"]) for c in data["channels"]]
    assert states == [
        ("@invalid", "invalid"),
        ("@overdue", "review-overdue"),
        ("@rejected", "rejected"),
        ("@due", "review-due"),
        ("@awaiting", "awaiting-reviewer"),
        ("@approved", "approved"),
    ]
    assert data["counts"] == {
        "invalid": 1,
        "review-overdue": 1,
        "rejected": 1,
        "review-due": 1,
        "awaiting-reviewer": 1,
        "awaiting-cosign": 0,
        "unsigned": 0,
        "not-checked": 0,
        "draft": 0,
        "approved": 1,
    }
    invalid = data["channels"][0]
    assert invalid["path"].endswith("invalid.smcheck.toml")
    assert "signature" in invalid["detail"] and "does not verify" in invalid["detail"]
    approved = data["channels"][-1]
    assert (
        approved["path"].endswith("approved.smcheck.toml")
        and approved["columns"]["Platform"] == "Instagram"
    )
    text = runner.invoke(
        app, ["status", "--allowed-signers", str(desk.trust), str(register)]
    ).stdout
    assert text.startswith(
        "5 channels: 1 review overdue, 1 rejected, 1 review due, 1 awaiting reviewer, 1 approved;"
        " 1 file that does not verify"
    )


def test_a_draft_is_a_state_too(desk: Desk, tmp_path: Path) -> None:
    from smcheck.drafts import save_draft
    from smcheck.interview import Progress

    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    folder = tmp_path / "reg"
    save_draft(
        folder / "x.draft.toml",
        checklist,
        Progress(answers={"channel.handle": "@draft"}),
        TODAY.replace(microsecond=0),
    )
    data = json.loads(runner.invoke(app, ["status", "--json", str(folder)]).stdout)
    assert [(c["state"], c["columns"]["Handle"]) for c in data["channels"]] == [("draft", "@draft")]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)"
)
def test_the_html_page_renders_in_a_real_browser_and_runs_nothing(
    desk: Desk, register: Path, tmp_path: Path
) -> None:
    page = tmp_path / "register.html"
    result = runner.invoke(
        app, ["status", "--html", str(page), "--allowed-signers", str(desk.trust), str(register)]
    )
    assert result.exit_code == 1, result.output
    source = page.read_text()
    assert "<script" not in source.lower() and "<img" not in source.lower()
    chromium = subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert chromium.returncode == 0, chromium.stderr
    dom = _Text()
    dom.feed(chromium.stdout)
    rendered = " ".join(" ".join(dom.text).split())
    # The browser built no script or image from the hostile answer, so nothing ran...
    assert "script" not in [t for t in dom.tags if t != "style"] and "img" not in dom.tags
    assert (
        "<title>Register of official social media channels</title>" in chromium.stdout
    )  # not "pwned"
    # ...and shows it as text.
    assert HOSTILE in rendered
    for text in (
        "5 channels on",
        "1 file that does not verify",
        "review overdue",
        "awaiting reviewer",
        "@approved",
        "Department of History",
    ):
        assert text in rendered

"""Records and paths the tests share: the shipped example, fixed times and ids, and the edits a tamperer makes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from smcheck import registry
from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist
from smcheck.layout import MARKER, render
from smcheck.outcome import evaluate
from smcheck.record import build_record, sha256

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLE_ANSWERS = ROOT / "checklists" / "examples" / "essex-history-instagram.answers.toml"
OLD_EXAMPLE_ANSWERS = DATA / "essex-history-instagram-1.2.0.answers.toml"
"""The same example as answers to essex-social-media 1.2.0 and 1.1.0 (records made under them)."""
FIXED_NOW = dt.datetime(2026, 11, 2, 9, 30, 0, tzinfo=dt.UTC)
FIXED_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
TINY_WARNING_ANSWERS: dict[str, Any] = {
    "club.name": "Chess Club",
    "club.kind": "sport",
    "club.has_owner": True,
    "club.owner_email": "a@example.ac.uk",
    "web.sites": ("insta", "site"),
    "web.url": "https://chess.example.ac.uk",
}
"""Answers to the tiny checklist that are ready, with one warning (web.plain-http)."""


def make_record_bytes(checklist: Checklist | None = None, now: dt.datetime = FIXED_NOW) -> bytes:
    """A valid record made from the shipped example answers, at a fixed time with a fixed id."""
    checklist = checklist or registry.by_id("essex-social-media")
    assert checklist is not None
    old = checklist.id == "essex-social-media" and checklist.version in ("1.1.0", "1.2.0")
    file = load_answers_file(OLD_EXAMPLE_ANSWERS if old else EXAMPLE_ANSWERS)
    applied = apply_answers(checklist, file, today=now.date())
    assert not applied.problems, applied.problems
    assert applied.signoff is not None
    outcome = evaluate(checklist, applied.answers, today=now.date())
    record = build_record(
        checklist, applied.answers, outcome, applied.signoff, now=now, record_id=FIXED_ID
    )
    return render(record)


def reseal(data: bytes) -> bytes:
    """Recompute the unsigned digest after editing the content, as anyone who edits a record can.

    Lets a test alter one thing and fail exactly one check rather than the integrity check too.
    """
    start = data.index(MARKER)
    content = data[:start]
    return re.sub(rb'digest = "[0-9a-f]{64}"', f'digest = "{sha256(content)}"'.encode(), data)


def edit(data: bytes, old: bytes, new: bytes, *, count: int = 1) -> bytes:
    """Replace ``old`` by ``new`` in record bytes (asserting it is there) and reseal."""
    assert old in data, old
    return reseal(data.replace(old, new, count))

"""Registers for the tests of status, its formats and verify's folder report: signed records of the
example answers for any channel, made and decided the way people make and decide them, and a register
with a row in every state. Building one takes a few seconds: :func:`shared_desk` builds it once for the
tests of a module that only read it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers.desk import Desk, open_desk
from helpers.records import EXAMPLE_ANSWERS
from smcheck import registry
from smcheck.answers import apply_answers, load_answers_file
from smcheck.layout import append_seal, read_layout, render
from smcheck.outcome import evaluate
from smcheck.record import build_record
from smcheck.trust.keys import load_private_key
from smcheck.trust.signing import seal_record

TODAY = dt.datetime.now(dt.UTC)
"""The runs' now: records signed off today unless a test says otherwise."""


def shared_desk(
    factory: pytest.TempPathFactory, build: Callable[[Desk], Path]
) -> Iterator[tuple[Desk, Path]]:
    """A desk and the register ``build`` makes in it, for a module-scoped fixture (built once for the
    tests that only read it: made fresh for each, it was most of their time)."""
    for desk in open_desk(factory.mktemp("desk")):
        yield desk, build(desk)


def signed_record(
    desk: Desk,
    name: str,
    created: dt.datetime,
    *,
    handle: str,
    department: str = "Department of History",
    edits: dict[str, str] | None = None,
    sign: bool = True,
    folder: str = "register",
) -> Path:
    """A record of the example answers for ``handle``, signed by the desk's proposer (unless not
    ``sign``), in ``folder``; ``edits`` replaces text of the answers file."""
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    met = (
        (created - dt.timedelta(days=30)).date().isoformat()
    )  # the Advancement Office, before sign-off
    text = (
        EXAMPLE_ANSWERS.read_text()
        .replace("@essexhistory", handle)
        # Another channel has another web address too (one address is one channel).
        .replace("instagram.com/essexhistory/", f"instagram.com/{handle.lstrip('@')}/")
        .replace('department = "Department of History"', f"department = {json.dumps(department)}")
        .replace("advancement_date = 2026-10-14", f"advancement_date = {met}")
    )
    for old, new in (edits or {}).items():
        assert old in text, old
        text = text.replace(old, new)
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
    if sign:
        data = append_seal(
            data, seal_record(load_private_key(desk.keys["proposer"]), read_layout(data)[0])
        )
    path = desk.root / folder / f"{name}.smcheck.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def approve_fully(desk: Desk, path: Path, decision: str = "approved") -> None:
    assert desk.approve(path, "reviewer", "--decision", decision)[0] == 0
    if decision == "approved":
        assert desk.approve(path, "advancement", "--role", "advancement-office")[0] == 0


def desk_of_every_state(desk: Desk) -> Path:
    """A register with a row in every state, an explained warning, and an X channel."""
    from smcheck.drafts import save_draft
    from smcheck.interview import Progress

    approve_fully(desk, signed_record(desk, "approved", TODAY, handle="@approved"))
    signed_record(desk, "awaiting", TODAY, handle="@awaiting")
    cosign = signed_record(desk, "cosign", TODAY, handle="@cosign")
    assert desk.approve(cosign, "reviewer")[0] == 0
    approve_fully(desk, signed_record(desk, "rejected", TODAY, handle="@rejected"), "rejected")
    cosigner_says_no = signed_record(desk, "no-cosign", TODAY, handle="@nocosign")
    assert desk.approve(cosigner_says_no, "reviewer")[0] == 0
    assert (
        desk.approve(
            cosigner_says_no,
            "advancement",
            "--role",
            "advancement-office",
            "--decision",
            "rejected",
        )[0]
        == 0
    )
    approve_fully(desk, signed_record(desk, "due", TODAY - dt.timedelta(days=355), handle="@due"))
    old = TODAY - dt.timedelta(days=400)
    approve_fully(desk, signed_record(desk, "overdue", old, handle="@overdue"))
    signed_record(desk, "unsigned", TODAY, handle="@unsigned", sign=False)
    signed_record(
        desk,
        "x",
        TODAY,
        handle="@essexonx",
        edits={
            'platform = "instagram"': 'platform = "x"',
            'frequency = "daily"': 'frequency = "fortnightly"\n'
            'infrequent_reason = "Replies come through the department office, who read it/them daily."',
        },
    )
    bad = signed_record(desk, "invalid", TODAY, handle="@invalid")
    bad.write_bytes(bad.read_bytes().replace(b"Priya Shah", b"Priya Shaw"))
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    save_draft(
        desk.root / "register" / "later.draft.toml",
        checklist,
        Progress(answers={"channel.platform": "x", "channel.handle": "@drafted"}),
        TODAY.replace(microsecond=0),
    )
    return desk.root / "register"

"""Drafts: the interview's progress on disk, saved atomically after every answer.

A draft is TOML with the same ``[answers]`` shape as a record, so it can also be read by a person. It lives
in the user's data folder unless ``--draft`` names another place, and is removed once the record is written.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from smcheck import __version__, registry
from smcheck.checklist import Checklist, Value, decode_toml
from smcheck.errors import FileProblem, UsageError
from smcheck.fsutil import atomic_write
from smcheck.interview import Progress
from smcheck.outcome import evaluate
from smcheck.record import read_limited
from smcheck.text import shell_word
from smcheck.tomlread import Problems, Table, flatten, nest

DRAFT_SUFFIX = ".draft.toml"


def drafts_folder() -> Path:
    """Where drafts go by default: ``$SMCHECK_DRAFTS``, else the user's data folder."""
    override = os.environ.get("SMCHECK_DRAFTS")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("smcheck", appauthor=False) / "drafts"


def new_draft_path(checklist: Checklist, now: dt.datetime) -> Path:
    """A fresh draft file name for a new interview."""
    return drafts_folder() / f"{checklist.id}-{now:%Y%m%d-%H%M%S}{DRAFT_SUFFIX}"


def latest_draft() -> Path:
    """The most recently saved draft, for ``--resume`` without a path."""
    folder = drafts_folder()
    found = (
        sorted(folder.glob(f"*{DRAFT_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        if folder.is_dir()
        else []
    )
    if not found:
        raise UsageError(
            f"no draft to resume in {folder}",
            hint="start a new interview with: smcheck new",
        )
    return found[-1]


def other_drafts(exclude: Path | None = None) -> list[Path]:
    """Unfinished drafts, newest first (to remind a person who starts afresh)."""
    folder = drafts_folder()
    if not folder.is_dir():
        return []
    drafts = [p for p in folder.glob(f"*{DRAFT_SUFFIX}") if p != exclude]
    return sorted(drafts, key=lambda p: p.stat().st_mtime, reverse=True)


@dataclass(frozen=True)
class Draft:
    """A draft as read back."""

    path: Path
    checklist_id: str
    checklist_version: str
    checklist_sha256: str
    checklist_file: Path | None
    """The checklist's file when it is not one smcheck ships, so a resume finds it again."""
    started: dt.datetime
    progress: Progress


def save_draft(path: Path, checklist: Checklist, progress: Progress, started: dt.datetime) -> None:
    """Write the draft atomically (mode 0600: it holds personal details)."""
    outcome = evaluate(checklist, progress.answers)
    lines = [
        "# smcheck draft: unfinished answers. Nothing here is sent anywhere.",
        f"# Resume with: smcheck new --resume {shell_word(path)}",
    ]
    todo = [f for f in outcome.findings if f.level.value != "warning"]
    if todo:
        lines.append("# Before you can sign off:")
        lines.extend(f"#  - {f.action} ({', '.join(f.clauses)})".replace("\n", " ") for f in todo)
    doc: dict[str, object] = {
        "draft": {
            "checklist": checklist.id,
            "checklist_version": checklist.version,
            "checklist_sha256": checklist.sha256,
            **(
                {}
                if registry.is_shipped(checklist)
                else {"checklist_file": str(checklist.path.resolve())}
            ),
            "started": started,
            "saved": dt.datetime.now(dt.UTC).replace(microsecond=0),
            "smcheck_version": __version__,
            "skipped": sorted(progress.skipped),
        },
        "answers": nest(progress.answers),
        "signoff": dict(progress.signoff),
    }
    data = ("\n".join(lines) + "\n\n" + tomli_w.dumps(doc)).encode("utf-8")
    atomic_write(path, data, overwrite=True, mode=0o600)


def load_draft(path: Path) -> Draft:
    """Read a draft back strictly."""
    problems = Problems(str(path))
    raw = decode_toml(read_limited(path), problems)
    if raw is None:
        raise FileProblem(str(path), problems.lines, hint="is this a draft made by smcheck new?")
    top = Table(raw, "", problems)
    meta = top.table("draft")
    answers = top.table("answers")
    signoff = top.table("signoff")
    top.finish()
    if meta is None or answers is None or signoff is None:
        raise FileProblem(str(path), problems.lines, hint="is this a draft made by smcheck new?")
    cid = meta.nonempty("checklist")
    version = meta.nonempty("checklist_version")
    sha = meta.nonempty("checklist_sha256")
    checklist_file = meta.nonempty("checklist_file", required=False)
    started = meta.moment("started")
    meta.moment("saved")
    meta.string("smcheck_version")
    skipped = meta.strings("skipped")
    meta.finish()
    flat = flatten(answers.data)
    identity: dict[str, Value] = {}
    for key in ("name", "email", "role", "department"):
        value = signoff.string(key, required=False)
        if value is not None:
            identity[key] = value
    signoff.finish()
    if problems or not (cid and version and sha and started and skipped is not None):
        raise FileProblem(str(path), problems.lines, hint="is this a draft made by smcheck new?")
    progress = Progress(
        answers={k: v for k, v in flat.items()},  # type: ignore[misc]
        skipped=set(skipped),
        signoff=identity,
    )
    return Draft(
        path, cid, version, sha, Path(checklist_file) if checklist_file else None, started, progress
    )

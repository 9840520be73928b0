"""The checklists smcheck ships: found inside the installed package, or in the source tree when run from it."""

from __future__ import annotations

from pathlib import Path

from smcheck.checklist import Checklist, load_checklist
from smcheck.errors import UsageError

DEFAULT_CHECKLIST = "essex-social-media"


def checklists_dir() -> Path:
    """The folder of shipped checklists (``smcheck/checklists`` in a wheel, ``checklists/`` in a checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "checklists", here.parent / "checklists"):
        if candidate.is_dir():
            return candidate
    raise UsageError("no checklists are installed", hint="reinstall smcheck: pip install .")


def shipped_paths() -> list[Path]:
    """Every shipped checklist file, sorted by name."""
    return sorted(checklists_dir().glob("*.toml"))


def shipped() -> list[Checklist]:
    """Every shipped checklist, loaded (a broken one raises, naming its file)."""
    return [load_checklist(path) for path in shipped_paths()]


def by_id(checklist_id: str) -> Checklist | None:
    """The shipped checklist with this id, if any (file names are the ids: cheap to look up)."""
    path = checklists_dir() / f"{checklist_id}.toml"
    if path.is_file():
        checklist = load_checklist(path)
        if checklist.id == checklist_id:
            return checklist
    for checklist in shipped():
        if checklist.id == checklist_id:
            return checklist
    return None


def is_shipped(checklist: Checklist) -> bool:
    """Whether this checklist is one of the files smcheck ships."""
    try:
        return checklist.path.resolve().parent == checklists_dir().resolve()
    except (OSError, UsageError):
        return False


def resolve(ref: str) -> Checklist:
    """A checklist named by id (shipped) or by path (a file of a policy owner's)."""
    if ref.endswith(".toml") or "/" in ref or "\\" in ref:
        return load_checklist(Path(ref))
    found = by_id(ref)
    if found is None:
        known = ", ".join(c.id for c in shipped()) or "none"
        raise UsageError(f"no checklist with id {ref!r}", hint=f"shipped checklists: {known}")
    return found

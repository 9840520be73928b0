"""The checklists smcheck ships: found inside the installed package, or in the source tree when run from it."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from pathlib import Path

from smcheck.checklist import Checklist, Takes, version_key
from smcheck.errors import SmcheckError, UsageError
from smcheck.loader import load_checklist, load_versions

DEFAULT_CHECKLIST = "essex-social-media"

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@functools.cache
def checklists_dir() -> Path:
    """The folder of shipped checklists (``smcheck/checklists`` in a wheel, ``checklists/`` in a checkout).
    Found once per process: verify asks for every record of an earlier version (:func:`is_shipped`)."""
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


def is_checklist_id(text: str) -> bool:
    """Whether ``text`` is a checklist id (lower-case letters, digits and dashes): an id names a shipped
    checklist and is never a path, whoever wrote it (a record, a draft, an answers file)."""
    return len(text) <= 100 and _ID.fullmatch(text) is not None


def by_id(checklist_id: str) -> Checklist | None:
    """The shipped checklist with this id, if any (file names are the ids: cheap to look up).

    Anything that is not an id (``../../elsewhere``, say) names no checklist: only ``--checklist``
    names a file.
    """
    return _find(checklist_id, _load_shipped)


def cosigner_roles() -> frozenset[str]:
    """The co-signer roles of the shipped checklists, each loaded as every run loads it (once per
    process: the checklist lookup then has it at no cost); one that cannot be loaded adds none (each
    record that names it says why). Shell completion, which must not load checklists, reads the roles
    from the files' text instead (:func:`smcheck.choices.cosigner_roles`)."""
    roles: set[str] = set()
    for path in shipped_paths():
        try:
            roles.update(c.role for c in _load_shipped(path).cosigners)
        except SmcheckError:
            continue
    return frozenset(roles)


_shipped_files: dict[Path, tuple[tuple[int, int, int], Checklist]] = {}


def _load_shipped(path: Path) -> Checklist:
    """A shipped checklist file, parsed once per process while it is unchanged on disk (the checklist
    lookup, :func:`takes` and :func:`by_id` all ask for the current version of one checklist)."""
    info = path.stat()
    stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
    known = _shipped_files.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    checklist = load_checklist(path)
    _shipped_files[path] = (stamp, checklist)
    return checklist


def _find(checklist_id: str, load: Callable[[Path], Checklist]) -> Checklist | None:
    """:func:`by_id`, with the files loaded by ``load`` (a run's :func:`lookup` keeps each one)."""
    if not is_checklist_id(checklist_id):
        return None
    path = checklists_dir() / f"{checklist_id}.toml"
    if path.is_file():
        checklist = load(path)
        if checklist.id == checklist_id:
            return checklist
    for shipped_path in shipped_paths():
        checklist = load(shipped_path)
        if checklist.id == checklist_id:
            return checklist
    return None


Lookup = Callable[[str], "Checklist | None"]


def lookup(explicit: Checklist | None = None) -> Lookup:
    """A checklist lookup for one run: each checklist parsed once, however many records name it. With
    ``explicit`` (``--checklist``), every record is checked against that one. A shipped checklist that
    cannot be loaded counts as unknown (the record's checklist check says so)."""
    cache: dict[str, Checklist | None] = {}
    files: dict[Path, Checklist | SmcheckError] = {}

    def load(path: Path) -> Checklist:
        # Each shipped file is parsed once per run, whichever ids are asked for: a record naming an
        # unknown id would otherwise have every shipped checklist parsed again to look for it.
        if path not in files:
            try:
                files[path] = _load_shipped(path)
            except SmcheckError as exc:
                files[path] = exc
        found = files[path]
        if isinstance(found, SmcheckError):
            raise found
        return found

    def find(checklist_id: str) -> Checklist | None:
        if explicit is not None:
            return explicit
        if checklist_id not in cache:
            try:
                cache[checklist_id] = _find(checklist_id, load)
            except SmcheckError:
                cache[checklist_id] = None
        return cache[checklist_id]

    return find


_archive: dict[tuple[str, str], Checklist | None] = {}


def archived(checklist_id: str, version: str) -> Checklist | None:
    """An earlier version of a shipped checklist, kept byte for byte in ``checklists/archive`` as
    ``<id>-<version>.toml`` so that records made against it still verify after an upgrade. Only ever used
    to check old records: a new interview always uses the current version."""
    key = (checklist_id, version)
    if key not in _archive:
        found = None
        if is_checklist_id(checklist_id) and re.fullmatch(r"[0-9A-Za-z.+-]{1,40}", version):
            path = checklists_dir() / "archive" / f"{checklist_id}-{version}.toml"
            if path.is_file():
                try:
                    candidate = load_checklist(path)
                except SmcheckError:
                    candidate = None
                if (
                    candidate is not None
                    and candidate.id == checklist_id
                    and candidate.version == version
                ):
                    found = candidate
        _archive[key] = found
    return _archive[key]


VERSIONS_FILE = "versions.toml"
"""The file in ``checklists/archive`` that says when each shipped version whose own bytes cannot say so
took effect (:func:`smcheck.loader.load_versions`)."""

_takes: dict[str | tuple[str, tuple[int, ...]], tuple[Takes, ...]] = {}
"""Each checklist's versions (:func:`takes`), and by ``(id, version key)`` those after one version."""
_versions_file: list[dict[str, tuple[Takes, ...]]] = []


def _listed() -> dict[str, tuple[Takes, ...]]:
    """The versions file, read once per run (a broken one raises, naming its file and the place)."""
    if not _versions_file:
        path = checklists_dir() / "archive" / VERSIONS_FILE
        _versions_file.append(load_versions(path) if path.is_file() else {})
    return _versions_file[0]


def takes(checklist_id: str) -> tuple[Takes, ...]:
    """When each version of a shipped checklist took (or takes) effect, oldest version first: from the
    versions file, and from the versions that say it in their own file (the current one, archived
    ones). Empty for a checklist smcheck does not ship. Read once per run."""
    if checklist_id not in _takes:
        _takes[checklist_id] = _collect(checklist_id, None)
    return _takes[checklist_id]


def _collect(checklist_id: str, after: tuple[int, ...] | None) -> tuple[Takes, ...]:
    """:func:`takes`, only the versions after ``after`` when given: an archived file of an earlier
    version (its file name says which) is then not read at all."""
    found: dict[tuple[int, ...], Takes] = {}
    if is_checklist_id(checklist_id):
        for item in _listed().get(checklist_id, ()):
            key = version_key(item.version)
            assert key is not None  # the versions file is read strictly
            found[key] = item
        try:
            own: list[Checklist | None] = [by_id(checklist_id)]
        except SmcheckError:  # a broken shipped file: records naming it fail as "unknown" anyway
            own = []
        prefix = f"{checklist_id}-"
        for path in sorted((checklists_dir() / "archive").glob(f"{prefix}*.toml")):
            version = path.name[len(prefix) : -len(".toml")]
            named = version_key(version)
            if after is not None and named is not None and named <= after:
                continue  # not after: archived() would only confirm the version its name says
            own.append(archived(checklist_id, version))
        for checklist in own:
            key = version_key(checklist.version) if checklist is not None else None
            if checklist is not None and key is not None and checklist.effective is not None:
                # A version's own words come first: the versions file is for those that have none.
                found[key] = Takes(checklist.version, checklist.effective, checklist.grace_days)
    return tuple(found[key] for key in sorted(found) if after is None or key > after)


def _newer(checklist_id: str, version: str) -> list[Takes]:
    """The versions after ``version`` that say when they take effect, oldest first (none for a version
    that is not dotted numbers: it cannot be placed among them)."""
    key = version_key(version)
    if key is None:
        return []
    if checklist_id in _takes:
        return [t for t in _takes[checklist_id] if (version_key(t.version) or ()) > key]
    if (checklist_id, key) not in _takes:
        _takes[checklist_id, key] = _collect(checklist_id, key)
    return list(_takes[checklist_id, key])


def refused_at(checklist_id: str, version: str, signed_off: dt.datetime) -> Takes | None:
    """The later version that had taken effect, its grace period over, when a record of ``version`` was
    signed off at ``signed_off``: such a record answers a checklist no longer in force (refused by
    ``new``, ``sign``, ``approve`` and verify). None when the version was still accepted then."""
    day = signed_off.astimezone(dt.UTC).date()
    return next((t for t in _newer(checklist_id, version) if t.refused_from <= day), None)


def superseded_on(checklist_id: str, version: str, today: dt.date) -> Takes | None:
    """The newest later version in effect on ``today``: a record of ``version`` made before it took
    effect stays valid, and the register asks for a re-review under it. None when ``version`` is the
    checklist in force."""
    in_effect = [t for t in _newer(checklist_id, version) if t.effective <= today]
    return in_effect[-1] if in_effect else None


_shipped_answers: dict[tuple[Path, Path], bool] = {}


def is_shipped(checklist: Checklist) -> bool:
    """Whether this checklist is one of the files smcheck ships (answered once per file and process:
    verify asks for every record of an earlier version, and resolving a path is a few system calls)."""
    try:
        folder = checklists_dir()
    except UsageError:
        return False
    key = (checklist.path, folder)
    if key not in _shipped_answers:
        try:
            _shipped_answers[key] = checklist.path.resolve().parent == folder.resolve()
        except OSError:
            _shipped_answers[key] = False
    return _shipped_answers[key]


def resolve(ref: str) -> Checklist:
    """A checklist named on the command line: by id (shipped) or by path (a file of a policy owner's)."""
    if ref.endswith(".toml") or "/" in ref or "\\" in ref:
        return load_checklist(Path(ref))
    return shipped_by_id(ref)


def shipped_by_id(checklist_id: str, *, named_in: str | None = None) -> Checklist:
    """The shipped checklist a file names by id (a record, a draft, an answers file): never a path, so
    a file cannot make smcheck read another file. Raises a usage error naming the file."""
    found = by_id(checklist_id)
    if found is None:
        known = ", ".join(c.id for c in shipped()) or "none"
        where = f"{named_in} names " if named_in else ""
        raise UsageError(
            f"{where}no shipped checklist with id {checklist_id!r}",
            hint=f"shipped checklists: {known}; for another, give its file with --checklist PATH",
        )
    return found

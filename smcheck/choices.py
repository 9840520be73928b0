"""The command line's fixed choices, and what shell completion offers where the choices are data.

Imported by ``cli.py`` at start-up, so it holds the standard library only: the shipped checklists are
listed by file name (ids are file names), and their co-signer roles read with the TOML parser only when a
shell asks for a completion, never to run a command.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Self, TypeVar


class Worded(StrEnum):
    """A string enum whose values are words joined by hyphens (``not-checked``): said in words with
    :attr:`words`, and made from another enum of the same strings with :meth:`of` (a signature's
    status from the trust file's verdict, a register row's state from verify's)."""

    @classmethod
    def of(cls, other: StrEnum) -> Self:
        """The member with ``other``'s string."""
        return cls(other.value)

    @property
    def words(self) -> str:
        """The value in words: ``not checked``, ``wrong principal``."""
        return self.value.replace("-", " ")


class Require(StrEnum):
    """What ``smcheck verify --require`` demands of a record beyond being valid."""

    SIGNED = "signed"
    """The proposer's signature, by a key the trust file names for the sign-off email."""
    APPROVED = "approved"
    """Signed, and approved by the reviewer and every co-signer the record needs."""


class Decision(StrEnum):
    """A reviewer's or co-signer's decision (``smcheck approve --decision``)."""

    APPROVED = "approved"
    REJECTED = "rejected"


class ExportFormat(StrEnum):
    """The documents ``smcheck export --format`` writes."""

    MD = "md"
    """Markdown."""
    HTML = "html"
    """One self-contained HTML page."""


class VerifyFormat(StrEnum):
    """How ``smcheck verify --format`` reports (one module each in :mod:`smcheck.formats`)."""

    TEXT = "text"
    """For people: one record's rows, or the folder report."""
    QUIET = "quiet"
    """For scripts and hooks: one line per invalid record, nothing else."""
    JSON = "json"
    """One JSON array, printed when every record is checked."""
    JSONL = "jsonl"
    """One JSON object per line, written as each record is checked."""
    JUNIT = "junit"
    """A JUnit XML report, one test case per record, for a CI system to show in a merge request."""


class StatusFormat(StrEnum):
    """How ``smcheck status --format`` writes the register."""

    TEXT = "text"
    """For people: a table that fits the terminal."""
    HTML = "html"
    """One self-contained HTML page."""
    JSON = "json"
    """One JSON object."""
    CSV = "csv"
    """For a spreadsheet: RFC 4180, UTF-8 with a byte-order mark, formulas neutralised."""


class TextFormat(StrEnum):
    """How a command that writes text or JSON writes (``diff``, ``checklist list``, ``checklist
    show``: ``--format``)."""

    TEXT = "text"
    """For people."""
    JSON = "json"
    """One JSON object, for scripts."""


class SchemaKind(StrEnum):
    """The files ``smcheck schema KIND`` describes."""

    CHECKLIST = "checklist"
    RECORD = "record"
    ANSWERS = "answers"
    REPORT = "report"
    """Not a file: what ``verify --format json`` and ``jsonl`` print for each record."""


F = TypeVar("F", bound=StrEnum)


def aliases(*flags: tuple[str, object, F]) -> dict[str, F]:
    """The hidden alias flags that were given (``("--json", as_json, VerifyFormat.JSON)``, a flag
    counting as given when its value is true), by name, with the format each stands for."""
    return {name: fmt for name, value, fmt in flags if value}


def choose(given: F | None, default: F, given_aliases: Mapping[str, F]) -> F:
    """The format a command writes: ``--format``, else the alias given (``--json``, kept hidden for a
    release), else ``default``. Two aliases, or an alias and a different ``--format``, are a usage
    error (exit 2), said in one line as every exclusion is."""
    from smcheck.errors import UsageError

    names = list(given_aliases)
    if len(names) > 1:
        raise UsageError(f"{names[0]} and {names[1]} cannot be used together")
    if names and given is not None and given_aliases[names[0]] is not given:
        raise UsageError(f"{names[0]} and --format {given} cannot be used together")
    if given is not None:
        return given
    return given_aliases[names[0]] if names else default


BUILT_IN_ROLES = ("proposer", "reviewer")
"""The roles every checklist has; co-signer roles are the checklists' own (``[[cosign]] role``)."""


def one_of(choices: type[StrEnum]) -> str:
    """The choices as a metavar: ``md|html``."""
    return "|".join(choices)


def or_list(choices: type[StrEnum]) -> str:
    """The choices in a sentence: ``checklist or record``, ``a, b or c``."""
    values = list(choices)
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def checklists_folder() -> Path | None:
    """The folder of shipped checklists, found as :func:`smcheck.registry.checklists_dir` finds it
    (a test holds the two together), or None: completion never fails."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "checklists", here.parent / "checklists"):
        if candidate.is_dir():
            return candidate
    return None


def checklist_ids() -> list[str]:
    """The ids of the shipped checklists: their file names, not parsed."""
    folder = checklists_folder()
    return sorted(path.stem for path in folder.glob("*.toml")) if folder else []


def cosigner_roles() -> list[tuple[str, str]]:
    """Each co-signer role of the shipped checklists, with its title (``the Advancement Office``).

    Read with the TOML parser alone (:func:`smcheck.tomlread.parser`), for completion: a file that does
    not parse adds nothing (``checklist lint`` is where its problems are told)."""
    from smcheck.tomlread import parser

    toml = parser()
    folder = checklists_folder()
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")) if folder else []:
        try:
            data = toml.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, toml.TOMLDecodeError):
            continue
        cosign = data.get("cosign")
        for item in cosign if isinstance(cosign, list) else []:
            role = item.get("role") if isinstance(item, dict) else None
            title = item.get("title") if isinstance(item, dict) else None
            if isinstance(role, str) and role not in BUILT_IN_ROLES:
                found.setdefault(
                    role, f"co-signer: {title}" if isinstance(title, str) else "co-signer"
                )
    return sorted(found.items())


_ROLE_HELP = {"proposer": "the person who signs off the record", "reviewer": "the reviewer"}


def _roles(built_in: tuple[str, ...], incomplete: str) -> list[tuple[str, str]]:
    known = [(role, _ROLE_HELP[role]) for role in built_in] + cosigner_roles()
    return [(role, help) for role, help in known if role.startswith(incomplete)]


def complete_checklist(incomplete: str) -> list[str]:
    """Completion for ``--checklist`` and ``checklist show ID``: the shipped ids (none matching lets
    the shell complete a file name instead)."""
    return [name for name in checklist_ids() if name.startswith(incomplete)]


def complete_any_role(incomplete: str) -> list[tuple[str, str]]:
    """Completion for a role that may be the proposer's (``keygen --role``, ``show --signature``)."""
    return _roles(BUILT_IN_ROLES, incomplete)


def complete_approver_role(incomplete: str) -> list[tuple[str, str]]:
    """Completion for a role that decides (``approve --role``, ``show --statement``)."""
    return _roles(("reviewer",), incomplete)

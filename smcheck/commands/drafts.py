"""``smcheck drafts`` (list the saved drafts) and ``smcheck drafts discard DRAFT`` (remove one, after asking).

Everything shown from a draft (its channel, its file name, why it cannot be read) is untrusted: it goes
through :func:`smcheck.text.visible`, and :mod:`smcheck.console` prints it as plain text (no colour when
the output is not a terminal).
"""

from __future__ import annotations

import sys
from pathlib import Path

from smcheck import console
from smcheck.drafts import (
    DraftInfo,
    check_discardable,
    discard,
    drafts_folder,
    find_draft,
    how_far,
    info,
    saved_words,
    state_words,
)
from smcheck.errors import UsageError
from smcheck.text import as_run, shell_word, visible

NO_CHANNEL = "(channel not given yet)"
UNREADABLE = "(cannot be read)"
_CHANNEL_WIDTH = 50
"""A channel label longer than this is cut (a hand-edited draft can hold a megabyte of it)."""


def _channel(draft: DraftInfo) -> str:
    if not draft.readable:
        return UNREADABLE
    if draft.channel is None:
        return NO_CHANNEL
    label = visible(draft.channel)
    return label if len(label) <= _CHANNEL_WIDTH else label[: _CHANNEL_WIDTH - 3] + "..."


def _path(draft: DraftInfo) -> str:
    return visible(shell_word(draft.path))


def list_run() -> int:
    """One line per draft on stdout, newest first: channel, how far, last saved (local time), state,
    and the path to paste; then how to resume or discard one."""
    from smcheck.drafts import list_drafts

    folder = drafts_folder()
    found = list_drafts()
    if not found:
        console.say(f"No drafts in {folder}.")
        return 0
    cells = [[_channel(d), how_far(d), f"saved {saved_words(d)}", state_words(d)] for d in found]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = []
    for row, draft in zip(cells, found, strict=True):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        line += f"  {_path(draft)}"
        if draft.problem is not None:
            line += f"  # {visible(draft.problem)}"  # a comment: the path still pastes
        lines.append(line)
    console.show_lines(lines, out=True)
    # Commands that work as typed: the real names of the newest drafts, never a placeholder.
    from smcheck.drafts import resumable

    waiting = resumable(found)
    said = []
    if waiting:
        # As the draft was begun (plain mode stays plain): what its own first lines say.
        latest = waiting[0]
        said.append(f"Resume the latest with: {latest.resume.command(latest.path)}")
    said.append(f"Discard the latest with: smcheck drafts discard {shell_word(found[0].path)}")
    console.show_lines([as_run(line) for line in said], style="dim")
    return 0


def _describe(draft: DraftInfo) -> list[str]:
    if not draft.readable:
        return [
            f"Draft {UNREADABLE}: {visible(draft.problem or '')}",
            f"  saved {saved_words(draft)}",
            f"  {_path(draft)}",
        ]
    return [
        f"Draft: {_channel(draft)}",
        f"  {state_words(draft)}, {how_far(draft)}, saved {saved_words(draft)}",
        f"  {_path(draft)}",
    ]


def discard_run(draft: Path, yes: bool) -> int:
    """Show the draft, ask ``Discard this draft? [y/N]`` (unless ``yes``), and remove it. Exit 0 when
    removed, 1 when the answer is no; without a terminal and without ``--yes`` it refuses (exit 2)."""
    path = find_draft(draft)
    check_discardable(path)
    shown = info(path)
    console.show_lines(_describe(shown))
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "smcheck drafts discard asks before it removes a draft, and there is no terminal"
                " to ask in: nothing removed",
                hint=f"to remove it without asking: smcheck drafts discard --yes {shell_word(path)}",
            )
        if not console.confirm("Discard this draft? [y/N]", stopped="Stopped: nothing removed."):
            console.say("Nothing removed.")
            return 1
    discard(path)
    console.say(f"Discarded {path}.")
    return 0
